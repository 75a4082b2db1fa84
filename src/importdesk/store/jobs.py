"""Jobs table: create, read, list with filters, claim, and status transitions."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from importdesk.models import ImportJob, JobFilter, JobStatus, JobType
from importdesk.store.converters import iso, job_to_row, row_to_job
from importdesk.store.database import Database


class JobNotFound(LookupError):
    def __init__(self, uid: str):
        super().__init__(f"no job {uid!r} in this workspace")
        self.uid = uid


class JobStore:
    def __init__(self, db: Database):
        self.db = db

    def _select(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        conn = self.db.conn()
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()

    def insert(self, job: ImportJob, conn: sqlite3.Connection | None = None) -> None:
        row = job_to_row(job)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        sql = f"INSERT INTO jobs ({columns}) VALUES ({marks})"
        if conn is not None:
            conn.execute(sql, tuple(row.values()))
        else:
            with self.db.write() as c:
                c.execute(sql, tuple(row.values()))

    def save(self, job: ImportJob, conn: sqlite3.Connection, *, include_request: bool = False) -> None:
        """Write the job's fields (inside the caller's write transaction).

        `request` (interrupt/cancel, asked by any process) is left alone unless `include_request`:
        a runner's progress commit must not wipe a request written since it last looked."""
        row = job_to_row(job)
        uid = row.pop("uid")
        if not include_request:
            del row["request"]
        assignments = ", ".join(f"{name} = ?" for name in row)
        conn.execute(f"UPDATE jobs SET {assignments} WHERE uid = ?", (*row.values(), uid))

    def last_full_import(self, resource_type: str, sha256: str) -> ImportJob | None:
        """The latest execute job of ``resource_type`` that read a file with these bytes and ended
        done with no row in error or unchanged (engine/unchanged_basis.py judges whether it wrote
        every row); None: there is none."""
        like = f'%"sha256":"{_escape_like(sha256)}"%'
        rows = self._select("SELECT * FROM jobs WHERE resource_type = ? AND job_type = ? AND status = ?"
                            " AND error = 0 AND summary_unchanged = 0 AND provider_data LIKE ? ESCAPE '\\'"
                            " ORDER BY seq DESC LIMIT 1",
                            (resource_type, JobType.EXECUTE.value, JobStatus.DONE.value, like))
        return row_to_job(rows[0]) if rows else None

    # The execute jobs other than ?1 that have written rows of type ?2 (their type, or one their
    # file names: ?3 matches their type counts, a "_" in it any character): how many, and the sum
    # of their revisions. A write by one of them (it saves its row) or a first write by another
    # changes the pair.
    WRITERS_OF_TYPE_SQL = ("SELECT count(*) AS n, coalesce(sum(rev), 0) AS r FROM jobs WHERE uid <> ?"
                           " AND job_type = 'execute' AND processed_count > 0"
                           " AND (resource_type = ? OR type_counts LIKE ?)")
    # A row when that pair is no longer (?4, ?5).
    WRITERS_CHANGED_SQL = f"SELECT 1 FROM ({WRITERS_OF_TYPE_SQL}) AS writers WHERE n <> ? OR r <> ?"

    # A batch the writer classified (store/batch_writer.py, "stored"): saved counting every row
    # unchanged, then corrected by its updates (?1) for the job (?2).
    TALLY_UPDATES_SQL = ("UPDATE jobs SET summary_update = summary_update + ?1,"
                         " summary_unchanged = summary_unchanged - ?1, processed_count = processed_count + ?1"
                         " WHERE uid = ?2")

    # Raw rows the batch writer validated and worded (engine/writer_wording.py): saved counting
    # every row created, then corrected by its bad rows (?1) and their error items (?2), the
    # type's count at the JSON path ?3, for the job (?4).
    TALLY_BAD_ROWS_SQL = ("UPDATE jobs SET done = done - ?1, error = error + ?1, summary_create = summary_create - ?1,"
                          " processed_count = processed_count - ?1, errors_count = errors_count + ?2,"
                          " type_counts = json_set(type_counts, ?3, json_extract(type_counts, ?3) - ?1)"
                          " WHERE uid = ?4")

    @staticmethod
    def check_still_running(steps: Any, job: ImportJob) -> None:
        """A batch writer's first step: the job must still be processing by this worker, else the
        writer commits nothing (a late commit must never overwrite a recovered job)."""
        steps.check("SELECT 1 FROM jobs WHERE uid = ? AND status = ? AND worker IS ?",
                    (job.uid, JobStatus.PROCESSING.value, job.worker))

    def get(self, uid: str) -> ImportJob:
        rows = self._select("SELECT * FROM jobs WHERE uid = ?", (uid,))
        if not rows:
            raise JobNotFound(uid)
        return row_to_job(rows[0])

    def find(self, prefix: str) -> ImportJob:
        """A job by its uid or an unambiguous end/start of it (people type the short uid)."""
        rows = self._select(
            "SELECT * FROM jobs WHERE uid = ? OR uid LIKE ? ESCAPE '\\' OR uid LIKE ? ESCAPE '\\' LIMIT 3",
            (prefix, f"%{_escape_like(prefix)}", f"{_escape_like(prefix)}%"),
        )
        exact = [r for r in rows if r["uid"] == prefix]
        if exact:
            return row_to_job(exact[0])
        if len(rows) != 1:
            if rows:
                raise LookupError(f"{prefix!r} matches several jobs: give more of the uid")
            raise JobNotFound(prefix)
        return row_to_job(rows[0])

    def get_for_update(self, conn: sqlite3.Connection, uid: str) -> ImportJob:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM jobs WHERE uid = ?", (uid,)).fetchone()
        if row is None:
            raise JobNotFound(uid)
        return row_to_job(row)

    def list(self, flt: JobFilter | None = None) -> list[ImportJob]:
        where, params = _where(flt or JobFilter())
        flt = flt or JobFilter()
        rows = self._select(
            f"SELECT * FROM jobs {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
            (*params, flt.limit, flt.offset),
        )
        return [row_to_job(r) for r in rows]

    def revisions(self, flt: JobFilter | None = None) -> list[tuple[str, int]]:
        """(uid, revision) of the jobs `list` would return, in its order; a revision moves with every update."""
        flt = flt or JobFilter()
        where, params = _where(flt)
        return [(r["uid"], r["rev"]) for r in self._select(
            f"SELECT uid, rev FROM jobs {where} ORDER BY seq DESC LIMIT ? OFFSET ?", (*params, flt.limit, flt.offset))]

    def get_many(self, uids: list[str]) -> dict[str, ImportJob]:
        found: dict[str, ImportJob] = {}
        for start in range(0, len(uids), 500):  # under SQLite's variable limit
            chunk = uids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self._select(f"SELECT * FROM jobs WHERE uid IN ({marks})", tuple(chunk)):
                found[row["uid"]] = row_to_job(row)
        return found

    def count(self, flt: JobFilter | None = None) -> int:
        where, params = _where(flt or JobFilter())
        return self._select(f"SELECT count(*) AS n FROM jobs {where}", params)[0]["n"]

    def claim_next(self, worker: str, now: datetime, uid: str | None = None) -> ImportJob | None:
        """Atomically take the oldest pending job (or the given one): two processes never get the same."""
        with self.db.write() as conn:
            conn.row_factory = sqlite3.Row
            if uid is None:
                row = conn.execute(
                    "SELECT uid FROM jobs WHERE status = 'pending' ORDER BY seq LIMIT 1"
                ).fetchone()
                if row is None:
                    return None
                uid = row["uid"]
            changed = conn.execute(
                "UPDATE jobs SET status = 'processing', worker = ?, heartbeat_at = ?, updated_at = ?,"
                " started_at = coalesce(started_at, ?), run_started_at = ?, request = NULL"
                " WHERE uid = ? AND status = 'pending'",
                (worker, iso(now), iso(now), iso(now), iso(now), uid),
            ).rowcount
            if not changed:
                return None
            return self.get_for_update(conn, uid)

    def processing(self) -> list[ImportJob]:
        return [row_to_job(r) for r in self._select("SELECT * FROM jobs WHERE status = 'processing'")]

    def let_go(self, uid: str) -> None:
        """This process stops running the job without having written its end (the store refused
        it). Nothing to do here: once this process has ended, recover_stale settles the job
        (PostgreSQL: the heartbeat stops renewing its lease, so another worker takes it over)."""

    def request_of(self, uid: str) -> str | None:
        rows = self._select("SELECT request FROM jobs WHERE uid = ?", (uid,))
        return rows[0]["request"] if rows else None

    def delete(self, uid: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM job_keys WHERE job_uid = ?", (uid,))
            conn.execute("DELETE FROM jobs WHERE uid = ?", (uid,))

    def status_counts(self) -> dict[JobStatus, int]:
        rows = self._select("SELECT status, count(*) AS n FROM jobs GROUP BY status")
        return {JobStatus(r["status"]): r["n"] for r in rows}

    def resource_types(self) -> list[str]:
        return [r["resource_type"] for r in self._select(
            "SELECT DISTINCT resource_type FROM jobs ORDER BY resource_type")]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(flt: JobFilter) -> tuple[str, tuple[Any, ...]]:
    clauses: list[str] = []
    params: list[Any] = []
    if flt.status:
        clauses.append(f"status IN ({', '.join('?' for _ in flt.status)})")
        params.extend(s.value for s in flt.status)
    if flt.job_type:
        clauses.append("job_type = ?")
        params.append(flt.job_type.value)
    if flt.resource_type:
        clauses.append("resource_type = ?")
        params.append(flt.resource_type)
    if flt.with_row_errors:
        clauses.append("error > 0")
    if flt.text:
        like = f"%{_escape_like(flt.text)}%"
        clauses.append(
            "(uid LIKE ? ESCAPE '\\' OR file_name LIKE ? ESCAPE '\\' OR reference LIKE ? ESCAPE '\\'"
            " OR external_ref LIKE ? ESCAPE '\\' OR error_message LIKE ? ESCAPE '\\')"
        )
        params.extend([like] * 5)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", tuple(params)
