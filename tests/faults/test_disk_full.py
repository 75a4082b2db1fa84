"""A disk that fills during an import: the batch in flight is not counted, the job ends in error
with what is committed, and retry after freeing space ends exactly like a clean import (issue:
4,741 records missing and 78 stale after retry, the counters having moved before a COMMIT that
failed)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

from support import FixedClock, counting_uids, write_products


def _engine(root: Path) -> Engine:
    return Engine(Workspace.open(root), clock=FixedClock(), uid_factory=counting_uids())


def test_disk_full_at_a_batch_commit_keeps_the_committed_counts_and_retry_is_exact(tmp_path, monkeypatch, fault_plan):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 100)
    monkeypatch.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 10**9)
    path = write_products(tmp_path / "p.csv", 1000, bad_every=10)
    engine = _engine(tmp_path / "ws")
    try:
        job = engine.create_job(path, ImportOptions(resource_type="products", skip_errors=True))
        # writes: the claim, the header warnings, the records table, then one per batch
        fault_plan.arm(fail_at=3 + 4, kind="full")  # the 4th batch's COMMIT
        returned = engine.run_job(job.uid)
        fault_plan.disarm()
        stored = engine.get_job(job.uid)
        assert stored.status is JobStatus.ERROR
        assert "the disk is full" in stored.error_message
        assert f"importdesk retry {job.short_uid}" in stored.error_message
        assert (stored.progress.done, stored.progress.error, stored.metadata.data_row_index) == (270, 30, 300)
        assert engine.record_count("products") == 270
        assert (returned.progress, returned.metadata.data_row_index) == (stored.progress, 300)  # in memory too

        engine.retry(job.uid)
        done = engine.run_job(job.uid)
        assert done.status is JobStatus.DONE
        assert (done.progress.done, done.progress.error, done.summary.create) == (900, 100, 900)
        assert engine.record_count("products") == 900
        assert engine.count_items(job.uid) == 100  # each bad row once
    finally:
        engine.close()


def _mount_small_tmpfs(target: Path, size: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", f"importdesk-test-{uuid.uuid4().hex[:8]}",
                             str(target)], capture_output=True)
    return result.returncode == 0


def _records(engine: Engine) -> list[tuple]:
    conn = engine.ctx.db.conn()
    conn.row_factory = None
    return conn.execute("SELECT _key, sku, name, price, _row FROM records_products ORDER BY _key").fetchall()


def test_a_real_full_disk_then_retry_after_freeing_space(tmp_path, monkeypatch):
    """On a size-limited filesystem (a small tmpfs; skipped where mounting is not allowed). The
    batch writer is in use (50,000 rows), as in the issue."""
    rows = 50_000
    source = write_products(tmp_path / "big.csv", rows, bad_every=41)
    small = tmp_path / "small"
    # the kept copy (~4.6 MB) fits; the records (~9 MB of database and WAL) do not
    if not _mount_small_tmpfs(small, "9m"):
        pytest.skip("cannot mount a size-limited filesystem here (needs root and mount)")
    try:
        engine = _engine(small / "ws")
        try:
            job = engine.create_job(source, ImportOptions(resource_type="products", skip_errors=True))
            ran = engine.run_job(job.uid)
            stored = engine.get_job(job.uid)
            if stored.status is JobStatus.PROCESSING:  # even the end could not be written
                assert ran.status is JobStatus.INTERRUPTED and "could not be recorded" in ran.error_message
            else:
                assert stored.status is JobStatus.ERROR, stored.error_message
                assert "the disk is full" in stored.error_message
            p = stored.progress
            assert p.pending > 0 and p.total == p.done + p.error + p.pending
            assert engine.record_count("products") == stored.summary.create == p.done
            assert (ran.progress, ran.metadata.data_row_index) == (p, stored.metadata.data_row_index)

            subprocess.run(["mount", "-o", "remount,size=64m", str(small)], check=True)  # space freed
            if stored.status is JobStatus.PROCESSING:
                engine.worker = "gone:1"
                monkeypatch.setattr("importdesk.engine.job_commands.is_gone", lambda *a: True)
                engine.recover_stale()
                engine.resume(job.uid)
            else:
                engine.retry(job.uid)
            done = engine.run_job(job.uid)
            assert done.status is JobStatus.DONE, done.error_message
            assert (done.progress.done, done.progress.error) == (rows - rows // 41, rows // 41)
            assert done.summary.create == rows - rows // 41
            got = _records(engine)
        finally:
            engine.close()
        clean = _engine(tmp_path / "clean")
        try:
            clean.run_job(clean.create_job(source, ImportOptions(resource_type="products", skip_errors=True)).uid)
            assert got == _records(clean)
        finally:
            clean.close()
    finally:
        subprocess.run(["umount", "-l", str(small)], capture_output=True)


def test_recovering_a_dead_runners_job_on_a_full_disk_does_not_stop_the_command(tmp_path, fault_plan):
    """Every command recovers jobs of runners that are gone first; on a full disk that write fails,
    and `importdesk jobs` failed with it ("unexpected error: database or disk is full")."""
    engine = _engine(tmp_path / "ws")
    try:
        engine.worker = "gone-host:1"  # another host, heartbeat long ago: gone
        job = engine.create_job(write_products(tmp_path / "p.csv", 10), ImportOptions(resource_type="products"))
        engine.ctx.jobs.claim_next(engine.worker, engine.ctx.clock().replace(year=2000), uid=job.uid)
        fault_plan.arm(fail_at=1, kind="full", sticky=True)
        assert engine.recover_stale() == []
        assert fault_plan.fired == 1
        assert engine.get_job(job.uid).status is JobStatus.PROCESSING  # listed as it is
        fault_plan.disarm()
        assert [j.uid for j in engine.recover_stale()] == [job.uid]
    finally:
        engine.close()
