"""A write lock held by another process past the busy timeout: the job stops interrupted with a
message that says so, its counts are what is committed, and resume finishes it exactly (issue:
the job ended with "internal error: OperationalError: database is locked")."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from importdesk.engine import ImportOptions
from importdesk.models import JobStatus

from support import write_products


@pytest.fixture
def short_busy_timeout(monkeypatch):
    from importdesk.engine import job_failures, writer_start
    from importdesk.store import database

    pragmas = tuple(f"PRAGMA busy_timeout = {200}" if p.startswith("PRAGMA busy_timeout") else p
                    for p in database.PRAGMAS)
    for module in (database, job_failures):  # the wait, and the message saying how long it was
        monkeypatch.setattr(module, "BUSY_TIMEOUT_MS", 200)
    for module in (database, writer_start):  # the app's connections, and the batch writer's
        monkeypatch.setattr(module, "PRAGMAS", pragmas)


class ReleaseOnRefusal(logging.Handler):
    """Lets the lock go once the runner has said the store refused its write (no timing)."""

    def __init__(self, holder: sqlite3.Connection) -> None:
        super().__init__(logging.WARNING)
        self.holder = holder
        self.refusals = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "refused a write" in record.getMessage() and self.holder.in_transaction:
            self.refusals += 1
            self.holder.execute("ROLLBACK")


@pytest.mark.parametrize("writer", [False, True], ids=["in_process", "batch_writer"])
def test_a_lock_held_past_the_busy_timeout_interrupts_the_job_resumably(short_busy_timeout, engine, tmp_path,
                                                                         monkeypatch, writer):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 100)
    monkeypatch.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 0 if writer else 10**9)
    path = write_products(tmp_path / "p.csv", 1000, bad_every=20)
    holder = sqlite3.connect(engine.workspace.db_path, isolation_level=None)
    release = ReleaseOnRefusal(holder)
    logger = logging.getLogger("importdesk.engine.pipeline")
    logger.addHandler(release)

    def take_the_lock_after_three_batches(event):
        if event.job.metadata.data_row_index >= 300 and not release.refusals and not holder.in_transaction:
            holder.execute("BEGIN IMMEDIATE")  # another process starts a long write

    try:
        job = engine.create_job(path, ImportOptions(resource_type="products", skip_errors=True))
        ran = engine.run_job(job.uid, on_progress=take_the_lock_after_three_batches, interval=0)
    finally:
        logger.removeHandler(release)
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    stored = engine.get_job(job.uid)
    assert release.refusals == 1
    assert stored.status is JobStatus.INTERRUPTED
    assert "another process held the store's write lock too long (waited 0.2 s)" in stored.error_message
    assert f"importdesk resume {job.short_uid}" in stored.error_message
    assert "internal error" not in stored.error_message
    p = stored.progress
    assert p.done + p.error == stored.metadata.data_row_index and p.pending > 0
    assert engine.record_count("products") == stored.summary.create == p.done
    assert (ran.progress, ran.metadata.data_row_index) == (p, stored.metadata.data_row_index)

    engine.resume(job.uid)
    done = engine.run_job(job.uid)
    assert done.status is JobStatus.DONE
    assert (done.progress.done, done.progress.error) == (950, 50)
    assert engine.record_count("products") == 950


def test_a_command_that_cannot_get_the_lock_says_so(short_busy_timeout, engine, tmp_path):
    from importdesk.store.database import StoreBusy

    holder = sqlite3.connect(engine.workspace.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy, match=r"another process held its write lock for more than 0\.2 s"):
            engine.create_job(write_products(tmp_path / "p.csv", 5), ImportOptions(resource_type="products"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
