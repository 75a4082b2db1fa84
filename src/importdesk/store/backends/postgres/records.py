"""Records tables on PostgreSQL: the same tables and columns as on SQLite, written in batches.

Layout differences, each for the same reading as SQLite's:

- ``_key`` is ``TEXT COLLATE "C"``: keys sort by code point, as SQLite's BINARY does, whatever
  the database's locale, so records come out in the same order on both.
- a decimal ``price`` is ``_exact_price`` TEXT (the exact value, what importdesk reads back) and
  ``price`` NUMERIC, generated from it and STORED (PostgreSQL 15 has no virtual generated
  columns); NUMERIC compares as numbers and loses no digit.
- integers and booleans are BIGINT, floats DOUBLE PRECISION, the rest TEXT (JSON as text, so
  values read back exactly as on SQLite).

Writers of one type take a transaction-level advisory lock on it before they classify or write:
SQLite has one writer at a time; here two machines importing the same type at once take turns
per batch, so create/update/unchanged are decided against committed rows only. New rows go in
with ``COPY`` inside the batch's transaction (a savepoint: a key that exists undoes the COPY and
the batch is classified row by row, as on SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import psycopg

from importdesk.store.records import (
    META_COLUMNS,
    RecordStore,
    _decimal_fields,
    column_name,
    column_names,
    quote,
    table_name,
)

if TYPE_CHECKING:
    from importdesk.schemas import ResourceType
    from importdesk.schemas.positional import PositionalValidator

PG_TYPES = {"TEXT": "TEXT", "INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION"}
RECORDS_LOCK_SPACE = 1  # pg_advisory_xact_lock(space, hashtext(table)): one lock per records table


def _exists(conn: Any, name: str) -> bool:
    return conn.execute("SELECT to_regclass(?)", (quote(name),)).fetchone()[0] is not None


def _present(conn: Any, name: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped",
        (quote(name),))}


def _lock(conn: Any, name: str) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", (RECORDS_LOCK_SPACE, name))


def _number_column(field: str) -> str:
    return f"{quote(field)} NUMERIC GENERATED ALWAYS AS (CAST({quote('_exact_' + field)} AS NUMERIC)) STORED"


class PgRecordStore(RecordStore):
    _exists = staticmethod(_exists)

    def ensure_table(self, rt: ResourceType) -> str:
        name = table_name(rt.name)
        marker = (rt.name, rt.stored_columns)
        if marker in self._ready:
            return name
        sql_types = rt.sql_types()
        decimals = _decimal_fields(rt)
        table = quote(name)
        with self.db.write() as conn:
            _lock(conn, name)  # two machines creating the same table take turns
            if not _exists(conn, name):
                columns = ['_key TEXT COLLATE "C" NOT NULL PRIMARY KEY']
                columns += [f"{quote(column_name(rt, c))} {PG_TYPES[sql_types[c]]}" for c in rt.stored_columns]
                columns += ["_job_uid TEXT", "_row BIGINT", "_created_at TEXT", "_updated_at TEXT"]
                columns += [_number_column(f) for f in sorted(decimals) if f in rt.stored_columns]
                conn.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
            else:
                present = _present(conn, name)
                for field in rt.stored_columns:
                    if (sql_name := column_name(rt, field)) not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {quote(sql_name)} {PG_TYPES[sql_types[field]]}")
                    if field in decimals and field not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {_number_column(field)}")
            if rt.parent_field:
                conn.execute(f"CREATE INDEX IF NOT EXISTS {quote(name + '_by_' + rt.parent_field)}"
                             f" ON {table} ({quote(column_name(rt, rt.parent_field))})")
        self._ready.add(marker)
        return name

    def existing(self, conn: Any, rt: ResourceType,
                 keys: Sequence[str]) -> dict[str, tuple[tuple[Any, ...], str, int]]:
        name = table_name(rt.name)
        if not _exists(conn, name):
            return {}
        _lock(conn, name)
        cols = ", ".join(quote(c) for c in column_names(rt))
        return {row[0]: (tuple(row[3:]), row[1], row[2]) for row in conn.execute(
            f"SELECT _key, _job_uid, _row, {cols} FROM {quote(name)} WHERE _key = ANY(?)", (list(keys),))}

    def upsert(self, conn: Any, rt: ResourceType, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        name = table_name(rt.name)
        _lock(conn, name)
        all_cols = ("_key", *column_names(rt), *META_COLUMNS)
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}"
                            for c in (*column_names(rt), "_job_uid", "_row", "_updated_at"))
        conn.executemany(
            f"INSERT INTO {quote(name)} ({', '.join(quote(c) for c in all_cols)})"
            f" VALUES ({', '.join('?' for _ in all_cols)}) ON CONFLICT (_key) DO UPDATE SET {updates}", rows)

    def insert_all_new(self, conn: Any, rt: ResourceType, rows: Sequence[tuple[Any, ...]]) -> bool:
        """COPY the rows in; if any key exists already, none of them stay and False."""
        if not rows:
            return True
        name = table_name(rt.name)
        _lock(conn, name)
        all_cols = ", ".join(quote(c) for c in ("_key", *column_names(rt), *META_COLUMNS))
        conn.execute("SAVEPOINT insert_all_new")
        try:
            with conn.raw.cursor().copy(f"COPY {quote(name)} ({all_cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation:
            conn.execute("ROLLBACK TO SAVEPOINT insert_all_new")
            return False
        except psycopg.OperationalError as exc:
            raise conn.lost(exc) from exc
        finally:
            if conn.raw.info.transaction_status not in (psycopg.pq.TransactionStatus.INERROR,
                                                        psycopg.pq.TransactionStatus.UNKNOWN):
                conn.execute("RELEASE SAVEPOINT insert_all_new")
        return True

    def insert_all_new_stored(self, conn: Any, rt: ResourceType, pv: PositionalValidator,
                              rows: Sequence[tuple[Any, ...]], job_uid: str, stamp: str) -> bool:
        split = pv.split
        return self.insert_all_new(conn, rt, [(key, *values, job_uid, row, stamp, stamp)
                                              for key, values, row in map(split, rows)])

    @staticmethod
    def insert_stored_sql(rt: ResourceType, pv: PositionalValidator, job_uid: str, stamp: str,
                          positions: dict[int, int] | None = None) -> str:
        raise NotImplementedError("the SQLite batch writer does not write to PostgreSQL (batch_writer_ok is False)")

    def iter_rows(self, rt: ResourceType, job_uid: str | None = None,
                  chunk: int = 5000) -> Iterator[tuple[Any, ...]]:
        name = table_name(rt.name)
        conn = self.db.conn()
        if not _exists(conn, name):
            return
        cols = ", ".join(quote(c) for c in column_names(rt))
        last = ""
        job_clause = "AND _job_uid = ?" if job_uid else ""
        while True:
            params: tuple[Any, ...] = (last, job_uid, chunk) if job_uid else (last, chunk)
            rows = conn.execute(
                f"SELECT _key, {cols} FROM {quote(name)} WHERE _key > ? {job_clause} ORDER BY _key LIMIT ?",
                params).fetchall()
            if not rows:
                return
            for row in rows:
                yield tuple(row[1:])
            last = rows[-1][0]
