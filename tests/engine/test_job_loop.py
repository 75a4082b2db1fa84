"""The one job runner of every face: runs, settles what a run left, stops on request, closes its connection."""

from __future__ import annotations

import signal
import sqlite3
import threading

import pytest

from importdesk.engine import ImportOptions, inbox_jobs
from importdesk.engine.job_loop import JobLoop, inbox_resumes_it, thread_store
from importdesk.engine.pipeline import BATCH_ROWS
from importdesk.engine.stop_signal import STOPPING_NOW, StopOnSignal
from importdesk.models import JobStatus

from support import write_products
from waiting import held_after_batch


def queue(engine, path, **options):
    return engine.create_job(path, ImportOptions(resource_type="products", **options)).uid


def claimed_job(engine, rows: int, *, start: int = 0, name: str = "products.csv"):
    """A pending job for a file the inbox claimed: ``processing/<uid>/<name>``, as the watcher leaves it."""
    uid = inbox_jobs.new_claim_uid(engine)
    folder = engine.workspace.processing / uid
    folder.mkdir(parents=True)
    kept = write_products(folder / name, rows, start=start)
    return inbox_jobs.create_claimed_job(engine, kept, name, ImportOptions(resource_type="products"), uid=uid)


def run_held(loop: JobLoop, action):
    """``loop.drain()`` with its first job held after batch 1, where ``action`` runs (then the job goes
    on); the jobs it ended."""
    ended = []

    def act():
        held.reached()
        with thread_store(loop.engine):
            action()
        held.release()

    with held_after_batch(1) as held:
        thread = threading.Thread(target=act, name="held-action", daemon=True)
        thread.start()
        try:
            ended.extend(loop.drain())
        finally:
            thread.join(timeout=60)
    return ended


def test_drain_runs_every_pending_job_and_moves_a_claimed_file_on_once_its_job_ended(tmp_path, engine):
    plain = queue(engine, write_products(tmp_path / "a.csv", 300))
    claimed = claimed_job(engine, 200, start=50_000)
    ended = list(JobLoop(engine).drain())

    assert [(j.uid, j.status) for j in ended] == [(plain, JobStatus.DONE), (claimed.uid, JobStatus.DONE)]
    moved = engine.get_job(claimed.uid).provider_data.kept_path
    assert moved == f"archive/{claimed.uid}/products.csv"
    assert (engine.workspace.root / moved).is_file()
    assert not (engine.workspace.processing / claimed.uid).exists()
    assert engine.record_count("products") == 500


def test_our_stop_interrupts_at_a_batch_boundary_and_tells_on_stopped(tmp_path, engine):
    uid = queue(engine, write_products(tmp_path / "big.csv", 3 * BATCH_ROWS))
    later = queue(engine, write_products(tmp_path / "later.csv", 10, start=90_000))
    stop, told = threading.Event(), []
    loop = JobLoop(engine, stop, on_stopped=lambda eng, job: told.append(job.uid))
    ended = run_held(loop, stop.set)

    job = engine.get_job(uid)
    assert [j.uid for j in ended] == [uid]  # the next job did not start
    assert job.status is JobStatus.INTERRUPTED and job.metadata.data_row_index == BATCH_ROWS
    assert job.progress.done == engine.record_count("products") == BATCH_ROWS
    assert told == [uid]
    assert engine.get_job(later).status is JobStatus.PENDING
    engine.resume(uid)
    assert JobLoop(engine).run(uid).progress.done == 3 * BATCH_ROWS


def test_an_interrupt_asked_elsewhere_is_the_users_and_is_not_tagged(tmp_path, engine):
    uid = queue(engine, write_products(tmp_path / "big.csv", 3 * BATCH_ROWS))
    told = []
    loop = JobLoop(engine, on_stopped=lambda eng, job: told.append(job.uid))
    ended = run_held(loop, lambda: engine.interrupt(uid))

    assert [(j.uid, j.status) for j in ended] == [(uid, JobStatus.INTERRUPTED)]
    assert told == []


def test_a_claimed_job_a_shutdown_interrupted_is_tagged_for_the_next_watch_service(tmp_path, engine):
    claimed = claimed_job(engine, 3 * BATCH_ROWS)
    stop = threading.Event()
    run_held(JobLoop(engine, stop, on_stopped=inbox_resumes_it), stop.set)

    assert engine.get_job(claimed.uid).error_message.startswith("interrupted: the watch service stopped")
    assert [j.uid for j in inbox_jobs.resume_stopped_inbox_jobs(engine)] == [claimed.uid]
    assert engine.get_job(claimed.uid).status is JobStatus.PENDING


def test_a_file_that_cannot_move_on_is_a_problem_told_and_the_job_stays_as_it_ended(tmp_path, engine):
    claimed = claimed_job(engine, 50)
    archive = engine.workspace.archive
    archive.rmdir()
    archive.write_text("not a folder")  # the claim folder cannot go to archive/
    problems = []
    job = JobLoop(engine, on_problem=lambda job, message: problems.append((job.uid, message))).run(claimed.uid)

    assert job.status is JobStatus.DONE and engine.get_job(claimed.uid).status is JobStatus.DONE
    assert [uid for uid, _ in problems] == [claimed.uid]
    assert "could not move its file" in problems[0][1]
    assert (engine.workspace.processing / claimed.uid / "products.csv").is_file()  # kept where it was


def test_thread_store_closes_the_threads_connection_however_the_block_ends(engine, store_backend):
    seen = []

    def use_and_fail():
        with thread_store(engine):
            seen.append(engine.ctx.db.conn())
            engine.count_jobs()
            raise RuntimeError("boom")

    def work():
        with pytest.raises(RuntimeError, match="boom"):
            use_and_fail()
        try:
            seen[0].execute("SELECT 1")
        except (sqlite3.ProgrammingError, *closed_errors) as exc:
            seen.append(str(exc))

    closed_errors = ()
    if store_backend == "postgres":
        import psycopg

        closed_errors = (psycopg.OperationalError,)
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen[1:] == ["the connection is closed" if closed_errors else "Cannot operate on a closed database."]
    assert engine.count_jobs() == 0  # this thread's own connection is untouched


def test_the_first_signal_asks_to_stop_the_second_says_so_and_stops_now():
    said = []
    before = signal.getsignal(signal.SIGINT)
    with StopOnSignal("importdesk", say=said.append) as stop:
        signal.raise_signal(signal.SIGINT)
        assert stop.stopped and said[-1].endswith("(Ctrl-C again to stop now)…")
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        assert said[-1] == f"\nimportdesk: {STOPPING_NOW}"
    assert signal.getsignal(signal.SIGINT) is before
    assert len(said) == 2


def test_sigterm_stops_like_a_first_ctrl_c():
    said = []
    with StopOnSignal("importdesk watch", stopping="stopping", say=said.append) as stop:
        signal.raise_signal(signal.SIGTERM)
    assert stop.stopped and said == ["\nimportdesk watch: stopping"]
