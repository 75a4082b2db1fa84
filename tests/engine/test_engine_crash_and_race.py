"""Crash safety and claims across processes: a SIGKILL mid-file, and two workers racing for jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.engine.pipeline import BATCH_ROWS
from importdesk.models import ItemLevel, JobStatus

from support import write_products
from waiting import held_after_batch

CLI = [sys.executable, "-c", "from importdesk.cli import main; raise SystemExit(main())"]


@pytest.mark.sqlite_only("recover_stale finds the killed worker by its pid; PostgreSQL hands its job to the next "
                         "claim once the lease runs out instead (test_pg_queue, test_pg_leases)")
def test_sigkill_mid_file_then_resume_gives_exact_totals(tmp_path, workspace):
    rows, bad_every, held_after = 40_000, 50, 4  # 8 batches of 5,000; the batch writer runs (20,000+ rows)
    path = write_products(tmp_path / "big.csv", rows, bad_every=bad_every)
    engine = Engine(workspace)
    proc = None
    try:
        with held_after_batch(held_after) as held:
            proc = subprocess.Popen([*CLI, "--workspace", str(workspace.root), "run", str(path), "--type",
                                     "products", "--skip-errors"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            uid, checkpoint = held.reached()
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        job = killed = engine.get_job(uid)
        committed = held_after * BATCH_ROWS
        assert checkpoint == committed
        assert killed.status is JobStatus.PROCESSING and killed.progress.processed == committed
        assert killed.progress.total == killed.progress.done + killed.progress.error + killed.progress.pending
        assert killed.progress.error == committed // bad_every

        recovered = engine.recover_stale()
        assert [j.uid for j in recovered] == [job.uid]
        interrupted = engine.get_job(job.uid)
        assert interrupted.status is JobStatus.INTERRUPTED
        assert interrupted.metadata.data_row_index == committed  # the checkpoint matches the counters

        engine.resume(job.uid)
        done = engine.run_job(job.uid)
        p = done.progress
        assert done.status is JobStatus.DONE
        assert (p.total, p.done, p.error, p.pending) == (rows, rows - rows // bad_every, rows // bad_every, 0)
        assert done.summary.create == rows - rows // bad_every
        assert engine.record_count("products") == rows - rows // bad_every
        assert engine.count_items(job.uid, level=ItemLevel.ERROR) == rows // bad_every  # no item twice
        conn = engine.ctx.db.conn()
        assert conn.execute("SELECT count(DISTINCT row_number) FROM job_items WHERE job_uid = ?",
                            (job.uid,)).fetchone()[0] == rows // bad_every
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        engine.close()


@pytest.mark.sqlite_only("on PostgreSQL the claims across processes are test_pg_queue's (four workers, SKIP LOCKED)")
def test_two_processes_never_run_the_same_job(tmp_path, workspace):
    engine = Engine(workspace)
    uids = []
    for n in range(12):
        path = write_products(tmp_path / f"p{n}.csv", 300, start=n * 1000)
        uids.append(engine.create_job(path, ImportOptions(resource_type="products")).uid)
    workers = [subprocess.Popen([*CLI, "--workspace", str(workspace.root), "work", "--once"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=120)[1] for w in workers]
    ran = [{uid for uid in uids if f"job {uid} " in out} for out in outputs]
    try:
        assert ran[0].isdisjoint(ran[1]), "a job was run by both processes"
        assert ran[0] | ran[1] == set(uids)
        jobs = [engine.get_job(uid) for uid in uids]
        assert all(j.status is JobStatus.DONE and j.summary.create == 300 for j in jobs)
        assert engine.record_count("products") == 12 * 300
    finally:
        engine.close()


@pytest.mark.sqlite_only("a PostgreSQL store hears every request on another connection: test_job_loop asks from "
                         "another thread, on both")
def test_interrupt_requested_by_another_process_is_honoured(tmp_path, workspace):
    rows = 3 * BATCH_ROWS
    path = write_products(tmp_path / "big.csv", rows)
    engine = Engine(workspace)
    proc = None
    try:
        with held_after_batch(1) as held:
            proc = subprocess.Popen([*CLI, "--workspace", str(workspace.root), "run", str(path), "--type",
                                     "products"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            uid, _ = held.reached()
            engine.interrupt(uid)
            held.release()
            assert proc.wait(timeout=30) == 4  # documented exit code: interrupted
        stopped = engine.get_job(uid)
        assert stopped.status is JobStatus.INTERRUPTED
        assert (stopped.metadata.data_row_index, stopped.progress.pending) == (BATCH_ROWS, rows - BATCH_ROWS)
        engine.resume(uid)
        assert engine.run_job(uid).progress.done == rows
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        engine.close()
