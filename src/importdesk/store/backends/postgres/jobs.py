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
import time
from datetime import datetime
from typing import Any

from importdesk.models import ImportJob, JobStatus
from importdesk.store.backends import LeaseLost
from importdesk.store.converters import iso, job_to_row, row_to_job
from importdesk.store.items import ItemStore
from importdesk.store.jobs import JobNotFound, JobStore

log = logging.getLogger(__name__)

LEASE_EXPIRED = "lease_expired"  # the code of the warning a taken-over job gets

_CLAIMABLE = ("(status = 'pending' OR (status = 'processing' AND (lease_until IS NULL OR lease_until < now())))")


class PgJobStore(JobStore):
    def __init__(self, db: Any):
        super().__init__(db)
        self._beat: Heartbeat | None = None
        self._beat_lock = threading.Lock()
        self._claimed_since_beat = False
        self._running: set[str] = set()  # the jobs this process claimed and has not ended: the heartbeat's

    def get_for_update(self, conn: Any, uid: str) -> ImportJob:
        row = conn.execute("SELECT * FROM jobs WHERE uid = ? FOR UPDATE", (uid,)).fetchone()
        if row is None:
            raise JobNotFound(uid)
        return row_to_job(row)

    def save(self, job: ImportJob, conn: Any, *, include_request: bool = False) -> None:
        row = job_to_row(job)
        uid = row.pop("uid")
        if job.status is not JobStatus.PROCESSING:
            self._stop_renewing(uid)  # ended here: if this write fails, its lease runs out (let_go)
        if not include_request:
            del row["request"]
        assignments = ", ".join(f"{name} = ?" for name in row)
        params: list[Any] = list(row.values())
        if job.status is JobStatus.PROCESSING:
            lease = "now() + make_interval(secs => ?)"
            params.append(self.db.lease_seconds)
        else:
            lease = "NULL"
        changed = conn.execute(
            f"UPDATE jobs SET {assignments}, lease_until = {lease} WHERE uid = ? AND worker IS ?",
            (*params, uid, job.worker)).rowcount
        if not changed:
            holder = conn.execute("SELECT worker FROM jobs WHERE uid = ?", (uid,)).fetchone()
            if holder is not None:  # (a deleted job: nothing to save, as on SQLite)
                self._stop_renewing(uid)
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
        self._keep_alive(worker, uid)
        return job

    def _stop_renewing(self, uid: str) -> None:
        with self._beat_lock:
            self._running.discard(uid)

    def let_go(self, uid: str) -> None:
        """Its end could not be written: its lease is no longer renewed, runs out, and the next
        claim anywhere takes the job over from its checkpoint."""
        self._stop_renewing(uid)

    def running(self) -> list[str]:
        """The jobs whose leases this process's heartbeat renews."""
        with self._beat_lock:
            return sorted(self._running)

    def _keep_alive(self, worker: str, uid: str) -> None:
        with self._beat_lock:
            self._running.add(uid)
            self._claimed_since_beat = True
            if self._beat is None:
                self._beat = Heartbeat(self, worker)
                self._beat.start()

    def _beat_ends(self, renewed: int) -> bool:
        """After a beat: True (and the thread ends) when this worker holds no job and claimed none since."""
        with self._beat_lock:
            if not renewed and not self._claimed_since_beat:
                self._beat = None
                return True
            self._claimed_since_beat = False
            return False

    def processing(self) -> list[ImportJob]:
        """None for recover_stale to mark interrupted: here a job whose worker died is taken over by
        the next claim anywhere once its lease has run out, and goes on from its checkpoint."""
        return []

    def leases(self) -> list[tuple[str, str | None, float | None]]:
        """(uid, worker, seconds left on its lease; negative: ran out) of every processing job."""
        return [(r[0], r[1], None if r[2] is None else float(r[2])) for r in self.db.conn().execute(
            "SELECT uid, worker, extract(epoch FROM lease_until - now()) FROM jobs"
            " WHERE status = 'processing' ORDER BY seq")]


class Heartbeat(threading.Thread):
    """Moves the leases of the jobs this worker runs on, every third of a lease, while this
    process lives (one thread and one connection per store, whatever the number of jobs); ends
    once the worker runs none. A job whose end could not be written is not renewed: its lease
    runs out, and another worker takes it over."""

    def __init__(self, store: PgJobStore, worker: str):
        super().__init__(name=f"importdesk lease {worker}", daemon=True)
        self.store, self.worker = store, worker

    def run(self) -> None:
        db = self.store.db
        failing_since: float | None = None
        try:
            while not db.closed.wait(db.lease_seconds / 3):
                try:
                    running = self.store.running()
                    renewed = 0 if not running else db.conn().execute(
                        "UPDATE jobs SET lease_until = now() + make_interval(secs => ?)"
                        " WHERE worker = ? AND status = 'processing' AND uid = ANY(?)",
                        (db.lease_seconds, self.worker, running)).rowcount
                    failing_since = None
                except Exception as exc:  # the next beat tries again while a lease may still run
                    log.warning("worker %s: heartbeat failed: %s", self.worker, exc)
                    failing_since = failing_since or time.monotonic()
                    if time.monotonic() - failing_since <= db.lease_seconds:
                        continue
                    renewed = 0  # every lease has run out by now: nothing left to keep alive
                    with self.store._beat_lock:
                        self.store._claimed_since_beat = False
                if self.store._beat_ends(renewed):
                    return
        finally:
            with self.store._beat_lock:
                if self.store._beat is self:
                    self.store._beat = None
            db.close()
