"""Jobs on PostgreSQL: claims that hold across machines (``FOR UPDATE SKIP LOCKED``), leases
kept alive by heartbeats, and saves fenced by the worker that holds the job.

A claimed job carries ``lease_until`` (the database's clock, so machines' clocks may differ): its
worker's heartbeat thread moves it on every third of the lease, and every batch commit does too.
A worker that dies stops moving it; once it has passed, the next ``claim_next`` anywhere takes the
job over and goes on from its checkpoint, with a warning on the job saying so. The row lock makes
that exactly one taker. Every save of a job names the worker that holds it: a worker that was
only paused past its lease (not dead) finds the job taken and its batch refused (``LeaseLost``),
so no row is written twice.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from importdesk.models import ImportJob, JobStatus
from importdesk.store.converters import iso, job_to_row, row_to_job
from importdesk.store.items import ItemStore
from importdesk.store.jobs import JobNotFound, JobStore

log = logging.getLogger(__name__)

LEASE_EXPIRED = "lease_expired"  # the code of the warning a taken-over job gets

_CLAIMABLE = ("(status = 'pending' OR (status = 'processing' AND (lease_until IS NULL OR lease_until < now())))")


class LeaseLost(RuntimeError):
    """This worker's lease on a job ran out and another worker holds it now: nothing was saved."""


class PgJobStore(JobStore):
    def __init__(self, db: Any):
        super().__init__(db)
        self._beats: dict[str, Heartbeat] = {}

    def get_for_update(self, conn: Any, uid: str) -> ImportJob:
        row = conn.execute("SELECT * FROM jobs WHERE uid = ? FOR UPDATE", (uid,)).fetchone()
        if row is None:
            raise JobNotFound(uid)
        return row_to_job(row)

    def save(self, job: ImportJob, conn: Any, *, include_request: bool = False) -> None:
        row = job_to_row(job)
        uid = row.pop("uid")
        if not include_request:
            del row["request"]
        assignments = ", ".join(f"{name} = ?" for name in row)
        params: list[Any] = list(row.values())
        if job.status is JobStatus.PROCESSING:
            lease = "now() + make_interval(secs => ?)"
            params.append(self.db.lease_seconds)
        else:
            lease = "NULL"
            if (beat := self._beats.pop(uid, None)) is not None:
                beat.stopped.set()
        changed = conn.execute(
            f"UPDATE jobs SET {assignments}, lease_until = {lease} WHERE uid = ? AND worker IS ?",
            (*params, uid, job.worker)).rowcount
        if not changed:
            holder = conn.execute("SELECT worker FROM jobs WHERE uid = ?", (uid,)).fetchone()
            if holder is not None:  # (a deleted job: nothing to save, as on SQLite)
                raise LeaseLost(f"job {job.short_uid}: {job.worker or 'this worker'} no longer holds it "
                                f"({holder[0] or 'nobody'} does: its lease ran out); nothing of this write was kept")

    def claim_next(self, worker: str, now: datetime, uid: str | None = None) -> ImportJob | None:
        """Take the oldest pending job (or the given one), or one whose worker's lease ran out.
        Concurrent claimers skip each other's locked rows: each job goes to exactly one."""
        with self.db.write() as conn:
            only = " AND uid = ?" if uid is not None else ""
            row = conn.execute(
                f"SELECT uid, status, worker, data_row_index FROM jobs WHERE {_CLAIMABLE}{only}"
                " ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED", (uid,) if uid is not None else ()).fetchone()
            if row is None:
                return None
            uid = row["uid"]
            taken_over = row["status"] == JobStatus.PROCESSING.value
            if taken_over:
                ItemStore(self.db).add_rows(conn, [(
                    uid, None, None, "warning", None, row["worker"], LEASE_EXPIRED,
                    f"the worker {row['worker']} stopped answering after row {row['data_row_index']:,} (its "
                    f"lease ran out); {worker} took the job over and went on from there", None, None)])
            conn.execute(
                "UPDATE jobs SET status = 'processing', worker = ?, heartbeat_at = ?, updated_at = ?,"
                " started_at = coalesce(started_at, ?), run_started_at = ?, request = NULL,"
                " warnings_count = warnings_count + ?, lease_until = now() + make_interval(secs => ?)"
                " WHERE uid = ?",
                (worker, iso(now), iso(now), iso(now), iso(now), int(taken_over), self.db.lease_seconds, uid))
            job = self.get_for_update(conn, uid)
        if taken_over:
            log.warning("job %s: taken over from %s, whose lease ran out", uid, row["worker"])
        beat = self._beats[uid] = Heartbeat(self.db, uid, worker)
        beat.start()
        return job

    def leases(self) -> list[tuple[str, str | None, float | None]]:
        """(uid, worker, seconds left on its lease; negative: ran out) of every processing job."""
        return [(r[0], r[1], None if r[2] is None else float(r[2])) for r in self.db.conn().execute(
            "SELECT uid, worker, extract(epoch FROM lease_until - now()) FROM jobs"
            " WHERE status = 'processing' ORDER BY seq")]


class Heartbeat(threading.Thread):
    """Moves a claimed job's lease on while this process lives; ends when the job is no longer
    this worker's and processing (done, stopped, or taken over)."""

    def __init__(self, db: Any, uid: str, worker: str):
        super().__init__(name=f"lease {uid}", daemon=True)
        self.db, self.uid, self.worker = db, uid, worker
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.db.lease_seconds / 3):
                try:
                    held = self.db.conn().execute(
                        "UPDATE jobs SET lease_until = now() + make_interval(secs => ?)"
                        " WHERE uid = ? AND worker = ? AND status = 'processing'",
                        (self.db.lease_seconds, self.uid, self.worker)).rowcount
                except Exception as exc:  # the next beat tries again; the lease may run out meanwhile
                    log.warning("job %s: heartbeat failed: %s", self.uid, exc)
                    continue
                if not held:
                    return
        finally:
            self.db.close()
