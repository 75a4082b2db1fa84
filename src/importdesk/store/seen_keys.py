"""Keys a running job has already seen, so duplicate detection spans batches: the rows a job did
not write (a validate job's, unchanged rows) are found here, the ones it wrote through the records
table (`_job_uid`).

They live in TEMP tables of the runner's connection: SQLite keeps them in its page cache and
spills to a temporary file, so memory stays bounded whatever the file's size, and none of it goes
to the WAL or the workspace's file — a dry run pays for no write it never keeps. Their rows still
go in and out with the batch's transaction (a batch rolled back leaves no key behind). The tables
end with the connection: a job that goes on after a checkpoint finds its earlier keys again by
reading the rows before it (engine/pipeline.py). Earlier versions kept them in ``job_keys``;
``forget`` clears what those left.

On SQLite each job and type has a table of its own, (key, row number): an unchanged re-import
remembers every key, and a b-tree entry without the job's id and the type's name in front of
each key is inserted 1.8x faster (1.5 s -> 0.85 s for 1M keys). PostgreSQL keeps one table.

A dry run on the batch writer keeps its keys in the writer instead (store/batch_writer.py, "keys"
steps: a print per key in memory while every batch is new), and in this table of the writer's
connection once one is not (engine/dry_run_overlap.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any


@dataclass(frozen=True)
class _Dialect:
    """One table of every job's keys: PostgreSQL's (found first by name, its lookup takes an array
    parameter), and the batch writer's SQLite one (``temp.``-qualified, WITHOUT ROWID, its batch
    lookup reads a JSON array). The runner's SQLite connection has a table per job and type."""
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


def prepare(conn: sqlite3.Connection, job_uid: str) -> None:
    """An empty set of keys for this job on this connection (a run starts here)."""
    if isinstance(conn, sqlite3.Connection):
        _drop_scopes(conn, job_uid)
        return
    conn.execute(_POSTGRES.create)
    conn.execute(f"DELETE FROM {_POSTGRES.table} WHERE job_uid = ?", (job_uid,))


def seen(conn: sqlite3.Connection, job_uid: str, resource_type: str, keys: Sequence[str]) -> dict[str, int]:
    """Row numbers of the keys this job has already seen."""
    conn.row_factory = None
    if isinstance(conn, sqlite3.Connection):
        table = _quoted(_scope_name(job_uid, resource_type))
        try:
            return dict(conn.execute(f"SELECT key, row_number FROM {table} WHERE {_SQLITE.lookup}",
                                     (_SQLITE.keys(keys),)))
        except sqlite3.OperationalError as exc:
            if str(exc).startswith("no such table"):  # no key of this type remembered yet
                return {}
            raise
    return dict(conn.execute(f"SELECT key, row_number FROM {_POSTGRES.table} WHERE job_uid = ? AND resource_type = ?"
                             f" AND {_POSTGRES.lookup}", (job_uid, resource_type, _POSTGRES.keys(keys))))


def remember(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str, int]]) -> None:
    """rows: (job_uid, resource_type, key, row_number); a later row replaces an earlier one."""
    if not isinstance(conn, sqlite3.Connection):
        conn.executemany(_POSTGRES.remember, rows)
        return
    with _transaction(conn):
        for (job_uid, resource_type), scope_rows in groupby(rows, itemgetter(0, 1)):
            _insert(conn, job_uid, resource_type, map(itemgetter(2, 3), scope_rows))


def remember_keys(conn: sqlite3.Connection, job_uid: str, resource_type: str,
                  pairs: Iterable[tuple[str, int]]) -> None:
    """As remember, for keys of one job and type: (key, row_number) pairs (no tuple per key
    carries the job and the type: a fifth less time a key)."""
    if not isinstance(conn, sqlite3.Connection):
        conn.executemany(_POSTGRES.remember, ((job_uid, resource_type, key, row) for key, row in pairs))
        return
    with _transaction(conn):
        _insert(conn, job_uid, resource_type, pairs)


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """The caller's transaction, or one of its own (after the writer committed a batch): one, not
    one per key."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _insert(conn: sqlite3.Connection, job_uid: str, resource_type: str, pairs: Iterable[tuple[str, int]]) -> None:
    conn.executemany(f"INSERT OR REPLACE INTO {_scope_table(conn, job_uid, resource_type)} (key, row_number)"
                     f" VALUES (?, ?)", pairs)


def forget(conn: sqlite3.Connection, job_uid: str, *, final: bool) -> None:
    """The run is over: its keys go; ``final`` (the job will not run again): also what an
    earlier version kept in ``job_keys``."""
    if isinstance(conn, sqlite3.Connection):
        _drop_scopes(conn, job_uid)
    else:
        conn.execute(_POSTGRES.create)
        conn.execute(f"DELETE FROM {_POSTGRES.table} WHERE job_uid = ?", (job_uid,))
    if final:
        conn.execute("DELETE FROM job_keys WHERE job_uid = ?", (job_uid,))


def _scope_name(job_uid: str, resource_type: str) -> str:
    return f"seen_keys:{job_uid}:{resource_type}"


def _quoted(name: str) -> str:
    return 'temp."' + name.replace('"', '""') + '"'


def _scope_table(conn: sqlite3.Connection, job_uid: str, resource_type: str) -> str:
    """The job's TEMP table of keys of this type (made if it is not there), quoted."""
    table = _quoted(_scope_name(job_uid, resource_type))
    conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT NOT NULL PRIMARY KEY,"
                 f" row_number INTEGER NOT NULL) WITHOUT ROWID")
    return table


def _drop_scopes(conn: sqlite3.Connection, job_uid: str) -> None:
    prefix = _scope_name(job_uid, "")
    names = [name for (name,) in conn.execute(
        "SELECT name FROM temp.sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?",
        (len(prefix), prefix))]
    for name in names:
        conn.execute(f"DROP TABLE {_quoted(name)}")


# ---- in the batch writer's connection (a dry run's keys: engine/dry_run_overlap.py) -------------

CREATE_SQLITE = _SQLITE.create
REMEMBER_SQLITE = _SQLITE.remember
REMEMBER_NEW_SQLITE = _SQLITE.remember.replace("INSERT OR REPLACE", "INSERT OR IGNORE")
ASK_SQLITE = (f"SELECT key, row_number FROM {_SQLITE.table} WHERE job_uid = ? AND resource_type = ?"
              f" AND {_SQLITE.lookup}")


def ask_params(job_uid: str, resource_type: str, keys: Sequence[str]) -> tuple[str, str, str]:
    return job_uid, resource_type, _SQLITE.keys(keys)
