"""A psycopg connection with the surface of ``sqlite3.Connection`` that the store classes use.

The store's shared SQL is written once, with SQLite's ``?`` placeholders; here it becomes
psycopg's: ``?`` -> ``%s``, a literal ``%`` -> ``%%``, and SQLite's null-safe ``IS ?`` ->
``IS NOT DISTINCT FROM %s``. Text inside quotes is left alone. Everything else that differs
(upserts, JSON, catalogue queries, locking) is written for PostgreSQL in this package's modules.

Rows read by name and by position, as ``sqlite3.Row`` does; ``row_factory`` may be set (the
shared code sets it for SQLite) and changes nothing. A statement whose connection breaks raises
``StoreConnectionLost`` (a message for the user), not psycopg's error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format, TransactionStatus

from importdesk.store.backends import StoreConnectionLost

_IS_PARAM = re.compile(r"\bIS \?")


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """SQLite-placeholder SQL as psycopg wants it (quoted text untouched)."""
    pieces = sql.split("'")
    for i in range(0, len(pieces), 2):  # the even pieces are outside quotes
        code = pieces[i].replace("%", "%%")
        code = _IS_PARAM.sub("IS NOT DISTINCT FROM ?", code)
        pieces[i] = code.replace("?", "%s")
    for i in range(1, len(pieces), 2):
        pieces[i] = pieces[i].replace("%", "%%")
    return "'".join(pieces)


class Row(Sequence[Any]):
    """One result row: ``row[0]`` and ``row["uid"]`` both work."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]):
        self._values = values
        self._index = index

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __eq__(self, other: object) -> bool:  # equal to the tuple of its values, as a plain row is
        if isinstance(other, (Row, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(tuple(self._values))


def _row_factory(cursor: Any) -> Any:
    description = cursor.description or ()
    index = {column.name: i for i, column in enumerate(description)}

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


class _BoolAsInt(Dumper):
    """Booleans go in as 0/1, as on SQLite (the columns are integers on both stores)."""

    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _BoolAsIntBinary(_BoolAsInt):
    format = Format.BINARY

    def dump(self, obj: Any) -> bytes:
        return (1 if obj else 0).to_bytes(8, "big")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PgConnection:
    def __init__(self, raw: psycopg.Connection, shown: str = "PostgreSQL"):
        self.raw = raw
        self.shown = shown  # the store's URL without its password, for messages
        raw.adapters.register_dumper(bool, _BoolAsInt)
        raw.adapters.register_dumper(bool, _BoolAsIntBinary)
        self.row_factory: Any = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        cursor = self.raw.cursor(row_factory=_row_factory)
        try:
            cursor.execute(translate(sql), tuple(params))
        except psycopg.OperationalError as exc:
            raise self.lost(exc) from exc
        return cursor

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> psycopg.Cursor:
        """rowcount afterwards is the sum over the rows (psycopg >= 3.1)."""
        cursor = self.raw.cursor(row_factory=_row_factory)
        rows = rows if isinstance(rows, list) else list(rows)
        if rows:
            try:
                cursor.executemany(translate(sql), rows)
            except psycopg.OperationalError as exc:
                raise self.lost(exc) from exc
        return cursor

    def lost(self, exc: psycopg.OperationalError) -> Exception:
        """What to raise for ``exc``: StoreConnectionLost when the connection broke with it (the next
        ``PgDatabase.conn()`` of this thread connects again), else ``exc`` itself."""
        if not (self.raw.broken or self.raw.closed):
            return exc
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreConnectionLost(f"the connection to the store {self.shown} was lost ({reason})")

    # the catalogue questions the shared store code asks (store/records.py), answered from
    # PostgreSQL's catalogue instead of sqlite_master / PRAGMA table_xinfo
    def table_exists(self, name: str) -> bool:
        return self.execute("SELECT to_regclass(?)", (_quoted(name),)).fetchone()[0] is not None

    def table_columns(self, name: str) -> dict[str, int]:
        """column -> 0 for a stored column, 2 for a generated one (as table_xinfo's ``hidden``)."""
        return {r[0]: 2 if r[1] else 0 for r in self.execute(
            "SELECT attname, attgenerated <> '' FROM pg_attribute"
            " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped", (_quoted(name),))}

    def index_leading_columns(self, name: str) -> set[str]:
        """The first column of each index of the table."""
        return {r[0] for r in self.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            " AND a.attnum = i.indkey[0] WHERE i.indrelid = to_regclass(?)", (_quoted(name),))}

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()
