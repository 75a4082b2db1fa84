"""One records table per resource type, keyed by the natural key, with the last writing job.

Layout, so that people can query the table with plain SQL:

- integer and boolean fields are INTEGER columns, floats REAL, dates ISO text (sorts by date),
  json fields and ``_extra`` compact JSON text (``json_extract(attributes, '$.colour')``).
- A decimal field ``price`` is two columns: ``_exact_price`` TEXT holds the exact value as
  written ("12345678901234567.89", what importdesk reads back), and ``price`` is a VIRTUAL
  generated REAL column, ``CAST(_exact_price AS REAL)``. So ``max(price)``, ``ORDER BY price`` and
  ``sum(price)`` work on numbers (with TEXT, ``max(price)`` answered '99.97' over 4972.74, a text
  comparison), while no digit is lost. Why not the alternatives: a REAL column alone loses
  digits past 15 (12345678901234567.89 -> ...568); NUMERIC affinity keeps longer values as TEXT,
  which SQLite sorts after every number, so ``max()`` would pick them whatever their value; a
  stored second column doubles the bytes written per decimal, while a virtual one costs nothing
  on write (computed when read; it can be indexed).
- ``_key`` is the primary key; the parent field has an index (a price list's prices).

Tables written by earlier versions (decimals in one TEXT column, no ``_extra``) are brought to
this layout by ``ensure_table`` the first time their type is written (the column is renamed to
``_exact_<name>`` and the REAL one added, in one transaction); until then reads take the old
columns.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

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
    @staticmethod
    def _exists(conn: sqlite3.Connection, name: str) -> bool:
        return _table_exists(conn, name)

    def __init__(self, db: Database):
        self.db = db
        self._ready: set[tuple[str, tuple[str, ...]]] = set()

    def ensure_table(self, rt: ResourceType) -> str:
        """Create the type's table, or bring it to the type's layout: columns a changed schema
        gained, an earlier version's decimal columns (see the module docstring). Never drops data."""
        name = table_name(rt.name)
        marker = (rt.name, rt.stored_columns)
        if marker in self._ready:
            return name
        sql_types = rt.sql_types()
        decimals = _decimal_fields(rt)
        table = quote(name)
        with self.db.write() as conn:
            if not self._exists(conn, name):
                # no index on _job_uid: it cost ~35% of write time; filtering records by job is rare
                columns = ["_key TEXT NOT NULL PRIMARY KEY"]
                columns += [f"{quote(column_name(rt, c))} {sql_types[c]}" for c in rt.stored_columns]
                columns += ["_job_uid TEXT", "_row INTEGER", "_created_at TEXT", "_updated_at TEXT"]
                columns += [_number_column(f) for f in decimals]
                conn.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
            else:
                present = _columns(conn, name)
                for field in rt.stored_columns:
                    sql_name = column_name(rt, field)
                    if sql_name in present:
                        continue
                    if field in decimals and present.get(field) == 0:  # an earlier version's TEXT column
                        conn.execute(f"ALTER TABLE {table} RENAME COLUMN {quote(field)} TO {quote(sql_name)}")
                        del present[field]
                    else:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {quote(sql_name)} {sql_types[field]}")
                    if field in decimals and field not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {_number_column(field)}")
            if rt.parent_field:
                conn.execute(f"CREATE INDEX IF NOT EXISTS {quote(name + '_by_' + rt.parent_field)}"
                             f" ON {table} ({quote(column_name(rt, rt.parent_field))})")
        self._ready.add(marker)
        return name

    def existing(self, conn: sqlite3.Connection, rt: ResourceType,
                 keys: Sequence[str]) -> dict[str, tuple[tuple[Any, ...], str, int]]:
        """(stored values in rt.stored_columns order, last writing job, its source row) by key."""
        found: dict[str, tuple[tuple[Any, ...], str, int]] = {}
        conn.row_factory = None
        if not self._exists(conn, table_name(rt.name)):
            return found
        for row in conn.execute(_of_keys_sql(conn, rt, "_row"), (json.dumps(list(keys)),)):
            found[row[0]] = (row[3:], row[1], row[2])
        return found

    def any_exists(self, conn: sqlite3.Connection, rt: ResourceType, keys: Sequence[str]) -> bool:
        """Is any of these keys stored? (An index probe per key, no values read.)"""
        sql = self.any_exists_sql(rt, conn)
        return sql is not None and conn.execute(sql, (json.dumps(list(keys)),)).fetchone() is not None

    def any_exists_sql(self, rt: ResourceType, conn: sqlite3.Connection | None = None) -> str | None:
        """The query of any_exists (its one parameter: the keys as a JSON array); None: the type
        has no table yet, so no key is stored."""
        name = table_name(rt.name)
        if not self._exists(conn or self.db.conn(), name):
            return None
        return f"SELECT 1 FROM {quote(name)} WHERE _key IN (SELECT value FROM json_each(?)) LIMIT 1"

    def upsert(self, conn: sqlite3.Connection, rt: ResourceType,
               rows: Sequence[tuple[Any, ...]]) -> None:
        """rows: (_key, *values in rt.stored_columns order, _job_uid, _row, _created_at, _updated_at)."""
        if not rows:
            return
        name = quote(table_name(rt.name))
        all_cols = ("_key", *column_names(rt), *META_COLUMNS)
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in (*column_names(rt), *_UPDATED_META))
        conn.executemany(
            f"INSERT INTO {name} ({', '.join(quote(c) for c in all_cols)})"
            f" VALUES ({', '.join('?' for _ in all_cols)})"
            f" ON CONFLICT(_key) DO UPDATE SET {updates}",
            rows,
        )

    def stored_sql(self, rt: ResourceType) -> str:
        """A query of the stored records of some keys (its one parameter: the keys as a JSON
        array): each one's key, last writing job, rowid (for update_sql) and values in
        rt.stored_columns order. The type's table must exist."""
        return _of_keys_sql(self.db.conn(), rt, "rowid")

    @staticmethod
    def update_sql(rt: ResourceType) -> str:
        """An update of a stored record found by stored_sql, in the same transaction (its rowid
        is the row's): (*values in rt.stored_columns order, _job_uid, _row, _updated_at, rowid).
        As upsert's update, without looking for the key again."""
        sets = ", ".join(f"{quote(c)} = ?" for c in (*column_names(rt), *_UPDATED_META))
        return f"UPDATE {quote(table_name(rt.name))} SET {sets} WHERE rowid = ?"

    def insert_all_new(self, conn: sqlite3.Connection, rt: ResourceType,
                       rows: Sequence[tuple[Any, ...]]) -> bool:
        """Insert rows whose keys are all new, in one go; if any key already exists, insert none
        of them and return False (the caller then classifies row by row). Rows as for upsert."""
        name = quote(table_name(rt.name))
        all_cols = ("_key", *column_names(rt), *META_COLUMNS)
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
        all_cols = ("_key", *column_names(rt), *META_COLUMNS)
        at = _parameter_at(positions)
        values = [stored_key_sql(pv, positions),
                  *(at(p) if isinstance(p, int) else _literal(p.value) for p in pv.layout),
                  _literal(job_uid), at(pv.tail), _literal(stamp), _literal(stamp)]
        return (f"INSERT OR IGNORE INTO {name} ({', '.join(quote(c) for c in all_cols)})"
                f" VALUES ({', '.join(values)})")

    def count(self, rt: ResourceType, job_uid: str | None = None) -> int:
        name = table_name(rt.name)
        conn = self.db.conn()
        if not self._exists(conn, name):
            return 0
        if job_uid:
            return conn.execute(f"SELECT count(*) FROM {quote(name)} WHERE _job_uid = ?", (job_uid,)).fetchone()[0]
        return conn.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]

    def has_table(self, resource_type: str) -> bool:
        """Has anything of this type been written (its table made)?"""
        return self._exists(self.db.conn(), table_name(resource_type))

    def indexed_columns(self, rt: ResourceType) -> set[str]:
        """The columns that lead an index of the type's table (a sort on one of them walks that
        index; on any other it reads every record)."""
        conn = self.db.conn()
        name = table_name(rt.name)
        if not self._exists(conn, name):
            return set()
        if not isinstance(conn, sqlite3.Connection):  # PostgreSQL (store/backends/postgres/connection.py)
            return conn.index_leading_columns(name)
        conn.row_factory = None
        names = [row[1] for row in conn.execute(f"PRAGMA index_list({quote(name)})").fetchall()]
        return {info[2] for index in names
                for info in conn.execute(f"PRAGMA index_info({quote(index)})").fetchall()[:1]}

    def has_records(self, resource_type: str) -> bool:
        name = table_name(resource_type)
        conn = self.db.conn()
        return self._exists(conn, name) and conn.execute(f"SELECT 1 FROM {quote(name)} LIMIT 1").fetchone() is not None

    def stored_record(self, rt: ResourceType, key: str) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
        """One record by key: its stored values in rt.stored_columns order (from the table as it is),
        and who wrote it last (META_COLUMNS by name); None when there is no such record."""
        name = table_name(rt.name)
        conn = self.db.conn()
        conn.row_factory = None
        if not self._exists(conn, name):
            return None
        row = conn.execute(f"SELECT {_select_list(conn, rt)}, {', '.join(META_COLUMNS)} FROM {quote(name)}"
                           f" WHERE _key = ?", (key,)).fetchone()
        if row is None:
            return None
        width = len(rt.stored_columns)
        return row[:width], dict(zip(META_COLUMNS, row[width:], strict=True))

    def has_extra(self, rt: ResourceType, job_uid: str | None = None) -> bool:
        """Does any record (of ``job_uid``) keep attributes its type does not declare?"""
        name = table_name(rt.name)
        conn = self.db.conn()
        if not self._exists(conn, name):
            return False
        job_clause = " AND _job_uid = ?" if job_uid else ""
        return conn.execute(f"SELECT 1 FROM {quote(name)} WHERE _extra IS NOT NULL{job_clause} LIMIT 1",
                            (job_uid,) if job_uid else ()).fetchone() is not None

    def iter_rows(self, rt: ResourceType, job_uid: str | None = None,
                  chunk: int = 5000) -> Iterator[tuple[Any, ...]]:
        """Stored values in rt.stored_columns order, ordered by key, read in chunks (constant memory)."""
        name = table_name(rt.name)
        conn = self.db.conn()
        conn.row_factory = None
        if not self._exists(conn, name):
            return
        cols = _select_list(conn, rt)
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


def _parameter_at(positions: dict[int, int] | None):
    """The numbered parameter of a stored row's cell ``i`` (``positions``: new position by old)."""
    return lambda i: f"?{(positions[i] if positions is not None else i) + 1}"


def stored_key_sql(pv: PositionalValidator, positions: dict[int, int] | None = None) -> str:
    """The SQL expression of a stored row's natural key (as ``pv.key_of`` makes it), from its
    numbered parameters."""
    at = _parameter_at(positions)
    return " || char(31) || ".join(at(i) if text else f"CAST({at(i)} AS TEXT)" for i, text in pv.key)


def column_name(rt: ResourceType, field: str) -> str:
    """The SQL column holding a field's stored value (a decimal's exact text: ``_exact_<name>``)."""
    return f"_exact_{field}" if field in _decimal_fields(rt) else field


def column_names(rt: ResourceType) -> tuple[str, ...]:
    return tuple(column_name(rt, c) for c in rt.stored_columns)


def read_columns(conn: sqlite3.Connection, rt: ResourceType, fields: Sequence[str]) -> list[str]:
    """The columns holding ``fields``' stored values in the table as it is (an earlier version's
    table keeps a decimal under its own name until it is written again)."""
    present = _columns(conn, table_name(rt.name))
    return [f if (sql := column_name(rt, f)) not in present and present.get(f) == 0 else sql for f in fields]


def _decimal_fields(rt: ResourceType) -> frozenset[str]:
    return frozenset(f.name for f in rt.fields.values() if f.type == "decimal")


def _number_column(field: str) -> str:
    return f"{quote(field)} REAL GENERATED ALWAYS AS (CAST({quote('_exact_' + field)} AS REAL)) VIRTUAL"


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, int]:
    """column -> hidden (0: a stored column, 2/3: generated), generated columns included."""
    if not isinstance(conn, sqlite3.Connection):  # PostgreSQL (store/backends/postgres/connection.py)
        return conn.table_columns(table)
    return {r[1]: r[6] for r in conn.execute(f"PRAGMA table_xinfo({quote(table)})")}


# what an update of a record sets besides its values
_UPDATED_META = ("_job_uid", "_row", "_updated_at")


def _of_keys_sql(conn: sqlite3.Connection, rt: ResourceType, third: str) -> str:
    """The records of some keys, in one statement for a whole batch (the keys travel as one JSON
    array parameter): key, last writing job, ``third`` (a column), values in rt.stored_columns order."""
    return (f"SELECT _key, _job_uid, {third}, {_select_list(conn, rt)} FROM {quote(table_name(rt.name))}"
            f" WHERE _key IN (SELECT value FROM json_each(?))")


def _select_list(conn: sqlite3.Connection, rt: ResourceType) -> str:
    """The stored values in rt.stored_columns order, from the table as it is (an earlier
    version's table, not yet written by this one, has decimals under their own name and may
    lack a column: NULL)."""
    present = _columns(conn, table_name(rt.name))
    out = []
    for field in rt.stored_columns:
        sql_name = column_name(rt, field)
        if sql_name in present:
            out.append(quote(sql_name))
        elif present.get(field) == 0:
            out.append(quote(field))
        else:
            out.append("NULL")
    return ", ".join(out)


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


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    if not isinstance(conn, sqlite3.Connection):  # PostgreSQL (store/backends/postgres/connection.py)
        return conn.table_exists(name)
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None
