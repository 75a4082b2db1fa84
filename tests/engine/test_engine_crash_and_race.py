"""Crash safety and claims across processes: a SIGKILL mid-file, and two workers racing for jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from support import write_products
from importdesk.engine import Engine, ImportOptions
from importdesk.models import ItemLevel, JobStatus

CLI = [sys.executable, "-c", "from importdesk.cli import main; raise SystemExit(main())"]


def _wait_for(predicate, timeout=60.0, interval=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def test_sigkill_mid_file_then_resume_gives_exact_totals(tmp_path, workspace):
    rows, bad_every = 200_000, 50
    path = write_products(tmp_path / "big.csv", rows, bad_every=bad_every)
    proc = subprocess.Popen([*CLI, "--workspace", str(workspace.root), "run", str(path), "--type", "products",
                             "--skip-errors"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = Engine(workspace)
    try:
        job = _wait_for(lambda: next((j for j in engine.list_jobs() if j.metadata.data_row_index >= 20_000), None))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        killed = engine.get_job(job.uid)
        assert killed.status is JobStatus.PROCESSING and killed.progress.pending > 0, "killed too late"
        committed = killed.progress.processed
        assert killed.progress.total == killed.progress.done + killed.progress.error + killed.progress.pending

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
        if proc.poll() is None:
            proc.kill()
        engine.close()


def test_two_processes_never_run_the_same_job(tmp_path, workspace):
    engine = Engine(workspace)
    uids = []
    for n in range(12):
        path = write_products(tmp_path / f"p{n}.csv", 300, start=n * 1000)
        uids.append(engine.create_job(path, ImportOptions(resource_type="products")).uid)
    workers = [subprocess.Popen([*CLI, "--workspace", str(workspace.root), "work"], stdout=subprocess.DEVNULL,
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


def test_interrupt_requested_by_another_process_is_honoured(tmp_path, workspace):
    path = write_products(tmp_path / "big.csv", 150_000)
    proc = subprocess.Popen([*CLI, "--workspace", str(workspace.root), "run", str(path), "--type", "products"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = Engine(workspace)
    try:
        job = _wait_for(lambda: next((j for j in engine.list_jobs() if j.metadata.data_row_index > 0), None))
        engine.interrupt(job.uid)
        assert proc.wait(timeout=30) == 4  # documented exit code: interrupted
        stopped = engine.get_job(job.uid)
        assert stopped.status is JobStatus.INTERRUPTED and stopped.progress.pending > 0
        engine.resume(job.uid)
        assert engine.run_job(job.uid).progress.done == 150_000
    finally:
        if proc.poll() is None:
            proc.kill()
        engine.close()
