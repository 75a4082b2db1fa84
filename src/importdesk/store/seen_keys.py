"""Keys a running job has already seen, so duplicate detection spans batches: the rows a job did
not write (a validate job's, unchanged rows) are found here, the ones it wrote through the records
table (`_job_uid`).

They live in a TEMP table of the runner's connection: SQLite keeps it in its page cache and spills
to a temporary file, so memory stays bounded whatever the file's size, and none of it goes to the
WAL or the workspace's file — a dry run pays for no write it never keeps. Its rows still go in and
out with the batch's transaction (a batch rolled back leaves no key behind). The table ends with
the connection: a job that goes on after a checkpoint finds its earlier keys again by reading the
rows before it (engine/pipeline.py). Earlier versions kept them in ``job_keys``; ``forget`` clears
what those left.

A dry run on the batch writer keeps its keys in the writer instead (store/batch_writer.py, "keys"
steps: a print per key in memory while every batch is new), and in this table of the writer's
connection once one is not (engine/dry_run_overlap.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class _Dialect:
    """The few statements that differ: SQLite's TEMP table is ``temp.``-qualified and WITHOUT
    ROWID, its batch lookup reads a JSON array; PostgreSQL's temp table is found first by name,
    its lookup takes an array parameter."""
    table: str
    create: str
    lookup: str
    keys: Callable[[Sequence[str]], Any]
    remember: str


_COLUMNS = ("(job_uid TEXT NOT NULL, resource_type TEXT NOT NULL, key TEXT NOT NULL,"
            " row_number INTEGER NOT NULL, PRIMARY KEY (job_uid, resource_type, key))")
_SQLITE = _Dialect(
    table="temp.seen_keys",
    create=f"CREATE TABLE IF NOT EXISTS temp.seen_keys {_COLUMNS} WITHOUT ROWID",
    # one statement for the whole batch: the keys travel as one JSON array parameter
    lookup="key IN (SELECT value FROM json_each(?))", keys=lambda keys: json.dumps(list(keys)),
    remember="INSERT OR REPLACE INTO temp.seen_keys (job_uid, resource_type, key, row_number) VALUES (?, ?, ?, ?)",
)
_POSTGRES = _Dialect(
    table="seen_keys",
    create=f"CREATE TEMP TABLE IF NOT EXISTS seen_keys {_COLUMNS}",
    lookup="key = ANY(?)", keys=list,
    remember="INSERT INTO seen_keys (job_uid, resource_type, key, row_number) VALUES (?, ?, ?, ?)"
             " ON CONFLICT (job_uid, resource_type, key) DO UPDATE SET row_number = excluded.row_number",
)


def _dialect(conn: Any) -> _Dialect:
    return _SQLITE if isinstance(conn, sqlite3.Connection) else _POSTGRES  # (store/backends/postgres)


def prepare(conn: sqlite3.Connection, job_uid: str) -> None:
    """An empty set of keys for this job on this connection (a run starts here)."""
    sql = _dialect(conn)
    conn.execute(sql.create)
    conn.execute(f"DELETE FROM {sql.table} WHERE job_uid = ?", (job_uid,))


def seen(conn: sqlite3.Connection, job_uid: str, resource_type: str, keys: Sequence[str]) -> dict[str, int]:
    """Row numbers of the keys this job has already seen."""
    conn.row_factory = None
    sql = _dialect(conn)
    return dict(conn.execute(f"SELECT key, row_number FROM {sql.table} WHERE job_uid = ? AND resource_type = ?"
                             f" AND {sql.lookup}", (job_uid, resource_type, sql.keys(keys))))


def remember(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str, int]]) -> None:
    """rows: (job_uid, resource_type, key, row_number); a later row replaces an earlier one."""
    conn.executemany(_dialect(conn).remember, rows)


def forget(conn: sqlite3.Connection, job_uid: str, *, final: bool) -> None:
    """The run is over: its keys go; ``final`` (the job will not run again): also what an
    earlier version kept in ``job_keys``."""
    sql = _dialect(conn)
    conn.execute(sql.create)
    conn.execute(f"DELETE FROM {sql.table} WHERE job_uid = ?", (job_uid,))
    if final:
        conn.execute("DELETE FROM job_keys WHERE job_uid = ?", (job_uid,))


# ---- in the batch writer's connection (a dry run's keys: engine/dry_run_overlap.py) -------------

CREATE_SQLITE = _SQLITE.create
REMEMBER_SQLITE = _SQLITE.remember
REMEMBER_NEW_SQLITE = _SQLITE.remember.replace("INSERT OR REPLACE", "INSERT OR IGNORE")
ASK_SQLITE = (f"SELECT key, row_number FROM {_SQLITE.table} WHERE job_uid = ? AND resource_type = ?"
              f" AND {_SQLITE.lookup}")


def ask_params(job_uid: str, resource_type: str, keys: Sequence[str]) -> tuple[str, str, str]:
    return job_uid, resource_type, _SQLITE.keys(keys)
