"""The few queries the watched inbox needs: jobs by uid in bulk, same-content lookups, relocating kept files.

Everything here runs inside the caller's transaction when a connection is given, so the inbox can make
"is this content already imported? then insert" and "move the file, then point the job at it" atomic.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from importdesk.models import ImportJob
from importdesk.store.converters import row_to_job
from importdesk.store.database import Database

CHUNK = 500  # bound variables per IN (...) query

# a job counts as "this content is already imported or queued" in these states
ACTIVE_STATUSES = ("pending", "processing", "interrupted", "done")


def jobs_by_uid(db: Database, uids: Iterable[str]) -> dict[str, ImportJob]:
    """The jobs among ``uids`` that exist, by uid (one query per 500 uids)."""
    wanted = list(dict.fromkeys(uids))
    found: dict[str, ImportJob] = {}
    conn = db.conn()
    conn.row_factory = sqlite3.Row
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start:start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(f"SELECT * FROM jobs WHERE uid IN ({marks})", chunk):
            found[row["uid"]] = row_to_job(row)
    return found


def job_for_update(conn: sqlite3.Connection, uid: str) -> ImportJob | None:
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM jobs WHERE uid = ?", (uid,)).fetchone()
    return row_to_job(row) if row else None


def active_job_with_content(conn: sqlite3.Connection, sha256: str, job_type: str) -> tuple[str, str | None] | None:
    """(uid, file name) of the oldest job of this type for the same bytes that is queued, running,
    resumable or done, else None. Errored and canceled jobs do not count: dropping the file again is
    how a user imports it after all."""
    conn.row_factory = sqlite3.Row
    if conn.execute("SELECT 1 FROM source_files WHERE sha256 = ?", (sha256,)).fetchone() is None:
        return None  # every job that kept a file registered it: no row, no earlier job (fast path)
    marks = ", ".join("?" for _ in ACTIVE_STATUSES)
    row = conn.execute(
        f"SELECT uid, file_name FROM jobs WHERE json_extract(provider_data, '$.sha256') = ?"
        f" AND job_type = ? AND status IN ({marks}) ORDER BY seq LIMIT 1",
        (sha256, job_type, *ACTIVE_STATUSES),
    ).fetchone()
    return (row["uid"], row["file_name"]) if row else None


def register_source(conn: sqlite3.Connection, sha256: str, size: int, name: str, kept_rel: str, created: str) -> None:
    """Same row as FileStore.register, inside the caller's transaction."""
    conn.execute(
        "INSERT INTO source_files (sha256, size, name, kept_path, created_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(sha256) DO UPDATE SET kept_path = excluded.kept_path",
        (sha256, size, name, kept_rel, created),
    )


def relocate(conn: sqlite3.Connection, old_rel: str, new_rel: str) -> int:
    """Point every job and source-file row that kept ``old_rel`` at ``new_rel``; returns jobs changed."""
    changed = conn.execute(
        "UPDATE jobs SET provider_data = json_set(provider_data, '$.kept_path', ?)"
        " WHERE json_extract(provider_data, '$.kept_path') = ?",
        (new_rel, old_rel),
    ).rowcount
    conn.execute("UPDATE source_files SET kept_path = ? WHERE kept_path = ?", (new_rel, old_rel))
    return changed


def set_message(conn: sqlite3.Connection, uid: str, status: str, message: str) -> bool:
    """Replace the message of a job that is still in ``status`` (False when it moved on meanwhile)."""
    return conn.execute("UPDATE jobs SET error_message = ? WHERE uid = ? AND status = ?",
                        (message, uid, status)).rowcount == 1


def jobs_kept_under(db: Database, prefix: str, status: str | None = None) -> list[ImportJob]:
    """Jobs (optionally in ``status``) whose kept file lies under ``prefix`` (a workspace-relative folder)."""
    conn = db.conn()
    conn.row_factory = sqlite3.Row
    like = prefix.rstrip("/").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"
    sql = "SELECT * FROM jobs WHERE json_extract(provider_data, '$.kept_path') LIKE ? ESCAPE '\\'"
    params: tuple = (like,)
    if status is not None:
        sql += " AND status = ?"
        params += (status,)
    return [row_to_job(r) for r in conn.execute(sql + " ORDER BY seq", params).fetchall()]
