"""One records table per resource type, keyed by the natural key, with the last writing job."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import sqlite_utils

from importdesk.store.database import Database

if TYPE_CHECKING:
    from importdesk.schemas import ResourceType
    from importdesk.schemas.positional import PositionalValidator

META_COLUMNS = ("_job_uid", "_row", "_created_at", "_updated_at")
LOOKUP_CHUNK = 900  # stays under SQLite's bound-variable limit on old builds too


def table_name(resource_type: str) -> str:
    return f"records_{resource_type}"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class RecordStore:
    def __init__(self, db: Database):
        self.db = db
        self._ready: set[tuple[str, tuple[str, ...]]] = set()

    def ensure_table(self, rt: ResourceType) -> str:
        """Create the type's table, or add the columns a changed schema gained (never drops data)."""
        name = table_name(rt.name)
        marker = (rt.name, rt.columns)
        if marker in self._ready:
            return name
        types = {"TEXT": str, "INTEGER": int, "REAL": float}
        sql_types = rt.sql_types()
        with self.db.write() as conn:
            db = sqlite_utils.Database(conn)
            table = db.table(name)
            if not table.exists():
                columns: dict[str, Any] = {"_key": str}
                columns.update({field: types[sql_types[field]] for field in rt.columns})
                columns.update({"_job_uid": str, "_row": int, "_created_at": str, "_updated_at": str})
                # no index on _job_uid: it cost ~35% of write time; filtering records by job is rare
                table.create(columns, pk="_key", not_null={"_key"})
            else:
                present = set(table.columns_dict)
                for field in rt.columns:
                    if field not in present:
                        conn.execute(
                            f"ALTER TABLE {quote(name)} ADD COLUMN {quote(field)} {sql_types[field]}"
                        )
        self._ready.add(marker)
        return name

    def existing(self, conn: sqlite3.Connection, rt: ResourceType,
                 keys: Sequence[str]) -> dict[str, tuple[tuple[Any, ...], str, int]]:
        """(stored values in rt.columns order, last writing job, its source row) by key."""
        found: dict[str, tuple[tuple[Any, ...], str, int]] = {}
        conn.row_factory = None
        if not _exists(conn, table_name(rt.name)):
            return found
        name = quote(table_name(rt.name))
        cols = ", ".join(quote(c) for c in rt.columns)
        # one statement for the whole batch: the keys travel as one JSON array parameter
        for row in conn.execute(
                f"SELECT _key, _job_uid, _row, {cols} FROM {name}"
                f" WHERE _key IN (SELECT value FROM json_each(?))", (json.dumps(list(keys)),)):
            found[row[0]] = (row[3:], row[1], row[2])
        return found

    def upsert(self, conn: sqlite3.Connection, rt: ResourceType,
               rows: Sequence[tuple[Any, ...]]) -> None:
        """rows: (_key, *values in rt.columns order, _job_uid, _row, _created_at, _updated_at)."""
        if not rows:
            return
        name = quote(table_name(rt.name))
        all_cols = ("_key", *rt.columns, *META_COLUMNS)
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}"
                            for c in (*rt.columns, "_job_uid", "_row", "_updated_at"))
        conn.executemany(
            f"INSERT INTO {name} ({', '.join(quote(c) for c in all_cols)})"
            f" VALUES ({', '.join('?' for _ in all_cols)})"
            f" ON CONFLICT(_key) DO UPDATE SET {updates}",
            rows,
        )

    def insert_all_new(self, conn: sqlite3.Connection, rt: ResourceType,
                       rows: Sequence[tuple[Any, ...]]) -> bool:
        """Insert rows whose keys are all new, in one go; if any key already exists, insert none
        of them and return False (the caller then classifies row by row). Rows as for upsert."""
        name = quote(table_name(rt.name))
        all_cols = ("_key", *rt.columns, *META_COLUMNS)
        return _all_or_none(conn, f"INSERT OR IGNORE INTO {name} ({', '.join(quote(c) for c in all_cols)})"
                                  f" VALUES ({', '.join('?' for _ in all_cols)})", rows)

    def insert_all_new_stored(self, conn: sqlite3.Connection, rt: ResourceType, pv: PositionalValidator,
                              rows: Sequence[tuple[Any, ...]], job_uid: str, stamp: str) -> bool:
        """As insert_all_new, for rows of ``pv`` (stored values by file column, source row last):
        the statement picks each column's value from its position, so rows are bound as they are."""
        return _all_or_none(conn, self.insert_stored_sql(rt, pv, job_uid, stamp), rows)

    @staticmethod
    def insert_stored_sql(rt: ResourceType, pv: PositionalValidator, job_uid: str, stamp: str,
                          positions: dict[int, int] | None = None) -> str:
        """INSERT OR IGNORE of rows of ``pv``; a row whose key exists changes nothing. With
        ``positions`` (new position by ``pv``'s), for rows that keep only those cells."""
        name = quote(table_name(rt.name))
        all_cols = ("_key", *rt.columns, *META_COLUMNS)

        def at(i: int) -> str:
            return f"?{(positions[i] if positions is not None else i) + 1}"

        key = " || char(31) || ".join(at(i) if text else f"CAST({at(i)} AS TEXT)" for i, text in pv.key)
        values = [key, *(at(p) if isinstance(p, int) else _literal(p.value) for p in pv.layout),
                  _literal(job_uid), at(pv.tail), _literal(stamp), _literal(stamp)]
        return (f"INSERT OR IGNORE INTO {name} ({', '.join(quote(c) for c in all_cols)})"
                f" VALUES ({', '.join(values)})")

    def count(self, rt: ResourceType, job_uid: str | None = None) -> int:
        name = table_name(rt.name)
        conn = self.db.conn()
        if not _exists(conn, name):
            return 0
        if job_uid:
            return conn.execute(f"SELECT count(*) FROM {quote(name)} WHERE _job_uid = ?", (job_uid,)).fetchone()[0]
        return conn.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]

    def iter_rows(self, rt: ResourceType, job_uid: str | None = None,
                  chunk: int = 5000) -> Iterator[tuple[Any, ...]]:
        """Stored values in rt.columns order, ordered by key, read in chunks (constant memory)."""
        name = table_name(rt.name)
        conn = self.db.conn()
        conn.row_factory = None
        if not _exists(conn, name):
            return
        cols = ", ".join(quote(c) for c in rt.columns)
        last = ""
        job_clause = "AND _job_uid = ?" if job_uid else ""
        while True:
            params: tuple[Any, ...] = (last, job_uid, chunk) if job_uid else (last, chunk)
            rows = conn.execute(
                f"SELECT _key, {cols} FROM {quote(name)} WHERE _key > ? {job_clause} ORDER BY _key LIMIT ?",
                params,
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield row[1:]
            last = rows[-1][0]


def _all_or_none(conn: sqlite3.Connection, insert_or_ignore: str, rows: Sequence[tuple[Any, ...]]) -> bool:
    """Run the INSERT OR IGNORE for every row in a savepoint; if any row was ignored (its key
    exists), undo them all and return False."""
    conn.execute("SAVEPOINT insert_all_new")
    try:
        if conn.executemany(insert_or_ignore, rows).rowcount != len(rows):
            conn.execute("ROLLBACK TO insert_all_new")
            return False
        return True
    finally:
        conn.execute("RELEASE insert_all_new")


def _literal(value: Any) -> str:
    """SQL text of a None, int or str (NUL-free) constant."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(int(value))
    return "'" + value.replace("'", "''") + "'"


def _exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None
