"""Keys a running job has already seen, kept in SQLite so duplicate detection spans batches,
survives a crash and resume, and costs no memory that grows with the file."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

LOOKUP_CHUNK = 900


def seen(conn: sqlite3.Connection, job_uid: str, resource_type: str, keys: Sequence[str]) -> dict[str, int]:
    """Row numbers of the keys this job has already seen."""
    found: dict[str, int] = {}
    conn.row_factory = None
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        marks = ", ".join("?" for _ in chunk)
        found.update(conn.execute(
            f"SELECT key, row_number FROM job_keys WHERE job_uid = ? AND resource_type = ? AND key IN ({marks})",
            (job_uid, resource_type, *chunk),
        ))
    return found


def remember(conn: sqlite3.Connection, rows: Sequence[tuple[str, str, str, int]]) -> None:
    """rows: (job_uid, resource_type, key, row_number); a later row replaces an earlier one."""
    conn.executemany(
        "INSERT INTO job_keys (job_uid, resource_type, key, row_number) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (job_uid, resource_type, key) DO UPDATE SET row_number = excluded.row_number", rows
    )  # (SQLite and PostgreSQL alike)


def forget(conn: sqlite3.Connection, job_uid: str) -> None:
    conn.execute("DELETE FROM job_keys WHERE job_uid = ?", (job_uid,))
