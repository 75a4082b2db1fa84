"""Jobs run in a child process (as the app runs them): snapshots relayed, stop honoured, a crash recovered."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from importdesk.engine import ImportOptions
from importdesk.engine.child_worker import ChildQueueRunner, ChildWorkerFailed
from importdesk.engine.pipeline import BATCH_ROWS
from importdesk.models import JobStatus

from support import write_products
from waiting import held_after_batch


def queue(engine, path, **options):
    return engine.create_job(path, ImportOptions(resource_type="products", **options)).uid


def runner_for(engine, on_progress=None):
    events, finished = [], []

    def progress(event):
        events.append(event)
        if on_progress is not None:
            on_progress(event)

    return ChildQueueRunner(engine, on_progress=progress, on_finished=finished.append, interval=0.05), events, finished


def test_the_child_drains_the_queue_and_relays_each_job_once_finished(tmp_path, engine):
    first = queue(engine, write_products(tmp_path / "a.csv", 3_000, bad_every=100), skip_errors=True)
    second = queue(engine, write_products(tmp_path / "b.csv", 500, start=10_000))
    runner, events, finished = runner_for(engine)
    runner.run(threading.Event())

    assert [job.uid for job in finished] == [first, second]
    assert [job.status for job in finished] == [JobStatus.DONE, JobStatus.DONE]
    a = engine.get_job(first)
    assert (a.progress.done, a.progress.error, a.progress.pending) == (2_970, 30, 0)
    assert a.worker != engine.worker and a.worker.endswith(f":{runner.process.pid}")  # not run here
    assert engine.record_count("products") == 3_470
    assert finished[0].progress == a.progress  # the relayed snapshot is the stored job
    assert [e.final for e in events if e.job.uid == first][-1] is True
    assert sum(e.final for e in events) == 2
    assert runner.process.returncode == 0


def run_held(runner, stop, action):
    """Run the child's queue; once its job holds after batch 1 (the store has exactly one), do `action`."""
    def act():
        held.reached()
        action()

    with held_after_batch(1) as held:
        thread = threading.Thread(target=act, name="held-action", daemon=True)
        thread.start()
        try:
            runner.run(stop)
        finally:
            thread.join(timeout=60)


@pytest.mark.sqlite_only("the stop sent down the pipe: the store's part is test_job_loop's stop, on both")
def test_stop_interrupts_the_running_job_at_a_batch_boundary(tmp_path, engine):
    rows = 3 * BATCH_ROWS
    uid = queue(engine, write_products(tmp_path / "big.csv", rows))
    stop = threading.Event()
    runner, _, finished = runner_for(engine)
    run_held(runner, stop, stop.set)

    job = engine.get_job(uid)
    assert [j.status for j in finished] == [JobStatus.INTERRUPTED]
    assert job.status is JobStatus.INTERRUPTED and job.metadata.data_row_index == BATCH_ROWS
    assert job.progress.done == job.metadata.data_row_index == engine.record_count("products")
    engine.resume(uid)
    assert engine.run_job(uid).progress.done == rows


def test_a_killed_child_leaves_its_job_interrupted_and_says_so(tmp_path, engine):
    rows = 3 * BATCH_ROWS
    uid = queue(engine, write_products(tmp_path / "big.csv", rows))
    runner, _, finished = runner_for(engine)
    with pytest.raises(ChildWorkerFailed, match="ended with code -9"):
        run_held(runner, threading.Event(), lambda: os.kill(runner.process.pid, signal.SIGKILL))

    job = engine.get_job(uid)
    assert job.status is JobStatus.INTERRUPTED, job.status
    assert [j.uid for j in finished] == [uid] and "the import process failed" in finished[0].error_message
    assert job.progress.total == job.progress.done + job.progress.error + job.progress.pending
    assert job.progress.done == job.metadata.data_row_index == BATCH_ROWS
    engine.resume(uid)
    done = engine.run_job(uid)
    assert (done.progress.done, engine.record_count("products")) == (rows, rows)


@pytest.mark.sqlite_only("the pipe to the parent: the store's part is the interrupt the test before checks on both")
def test_the_child_stops_when_its_parent_is_gone(tmp_path, engine):
    """The parent's end of the pipe closing (the app killed) stops the child at a batch boundary."""
    rows = 3 * BATCH_ROWS
    uid = queue(engine, write_products(tmp_path / "big.csv", rows))
    runner, _, _ = runner_for(engine)
    run_held(runner, threading.Event(), lambda: runner.process.stdin.close())

    job = engine.get_job(uid)
    assert job.status is JobStatus.INTERRUPTED and job.metadata.data_row_index == BATCH_ROWS
    assert runner.process.returncode == 0


@pytest.mark.sqlite_only("the move is JobLoop's: test_job_loop's drain moves a claimed file on both")
def test_the_child_moves_a_finished_inbox_file_on_itself(tmp_path, engine):
    """The child runs jobs through the same JobLoop as every face: a claimed file whose job ended
    moves to archive/ even when nobody on the parent's side settles it."""
    from importdesk.engine import inbox_jobs

    uid = inbox_jobs.new_claim_uid(engine)
    (engine.workspace.processing / uid).mkdir(parents=True)
    kept = write_products(engine.workspace.processing / uid / "products.csv", 200)
    inbox_jobs.create_claimed_job(engine, kept, "products.csv", ImportOptions(resource_type="products"), uid=uid)
    ChildQueueRunner(engine, on_progress=lambda event: None, on_finished=lambda job: None).run(threading.Event())

    job = engine.get_job(uid)
    assert job.status is JobStatus.DONE and job.provider_data.kept_path == f"archive/{uid}/products.csv"
    assert (engine.workspace.root / job.provider_data.kept_path).is_file()
    assert not (engine.workspace.processing / uid).exists()
