"""SELECTs over a records table from checked parts: a fixed set of operators, quoted column names,
every value a bound parameter. The engine's records_query checks field names and converts values;
nothing here pastes text a user typed into SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from importdesk.store.records import _table_exists, quote, table_name

#: operator -> SQL with {col} for the column expression and ? for the value
OPERATORS: dict[str, str] = {
    "=": "{col} = ?",
    "!=": "{col} IS NOT ?",  # records without a value are "not equal" too
    "<": "{col} < ?",
    "<=": "{col} <= ?",
    ">": "{col} > ?",
    ">=": "{col} >= ?",
    "contains": "instr(lower(CAST({col} AS TEXT)), lower(?)) > 0",
    "empty": "({col} IS NULL OR {col} = '')",
    "not_empty": "({col} IS NOT NULL AND {col} <> '')",
}
# PostgreSQL (store/backends/postgres) spells some of them its own way; the rest is shared
PG_OPERATORS: dict[str, str] = {
    **OPERATORS,
    "!=": "{col} IS DISTINCT FROM ?",
    "contains": "strpos(lower(CAST({col} AS TEXT)), lower(?)) > 0",
    "empty": "({col} IS NULL OR CAST({col} AS TEXT) = '')",  # '' is no number: compare the text
    "not_empty": "({col} IS NOT NULL AND CAST({col} AS TEXT) <> '')",
}
# empty values first ascending, last descending: SQLite's order of NULLs, which PostgreSQL reverses
_DIRECTION = {(True, False): "ASC", (True, True): "DESC",
              (False, False): "ASC NULLS FIRST", (False, True): "DESC NULLS LAST"}
_NUMBER = {True: "REAL", False: "DOUBLE PRECISION"}  # by "is it SQLite": PostgreSQL's REAL has 6 digits
NO_VALUE = frozenset({"empty", "not_empty"})


@dataclass(frozen=True)
class Term:
    column: str
    op: str
    value: Any = None
    numeric: bool = False  # compare as a number (decimals are stored as exact text)


@dataclass(frozen=True)
class OrderBy:
    column: str
    descending: bool = False
    numeric: bool = False


def _is_sqlite(conn: Any) -> bool:
    return isinstance(conn, sqlite3.Connection)


def _column(conn: Any, column: str, numeric: bool) -> str:
    return f"CAST({quote(column)} AS {_NUMBER[_is_sqlite(conn)]})" if numeric else quote(column)


def _where(conn: Any, terms: Sequence[Term], job_uid: str | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    operators = OPERATORS if _is_sqlite(conn) else PG_OPERATORS
    for term in terms:
        clauses.append(operators[term.op].format(col=_column(conn, term.column, term.numeric)))
        if term.op not in NO_VALUE:
            params.append(term.value)
    if job_uid:
        clauses.append("_job_uid = ?")
        params.append(job_uid)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


NO_LIMIT = 2**63 - 1  # LIMIT -1 is SQLite's "all"; PostgreSQL refuses it, and both take the largest bigint


def _exists(conn: sqlite3.Connection, resource_type: str) -> bool:
    return _table_exists(conn, table_name(resource_type))


def count(conn: sqlite3.Connection, resource_type: str, terms: Sequence[Term], job_uid: str | None = None) -> int:
    if not _exists(conn, resource_type):
        return 0
    where, params = _where(conn, terms, job_uid)
    return conn.execute(f"SELECT count(*) FROM {quote(table_name(resource_type))}{where}", params).fetchone()[0]


def select(conn: sqlite3.Connection, resource_type: str, columns: Sequence[str], terms: Sequence[Term],
           order: Sequence[OrderBy], *, job_uid: str | None = None, offset: int = 0, limit: int | None = None,
           chunk: int = 1000) -> Iterator[tuple[Any, ...]]:
    """Stored values in ``columns`` order, read ``chunk`` rows at a time from one statement
    (one scan and one sort whatever the size; ties broken by the key, so pages are stable)."""
    if not _exists(conn, resource_type):
        return
    conn.row_factory = None
    where, params = _where(conn, terms, job_uid)
    keys = [f"{_column(conn, o.column, o.numeric)} {_DIRECTION[_is_sqlite(conn), o.descending]}" for o in order]
    sql = (f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table_name(resource_type))}{where}"
           f" ORDER BY {', '.join([*keys, '_key ASC'])} LIMIT ? OFFSET ?")
    cursor = conn.execute(sql, [*params, NO_LIMIT if limit is None else limit, offset])
    try:
        while rows := cursor.fetchmany(chunk):
            yield from rows
    finally:
        cursor.close()


def by_key(conn: sqlite3.Connection, resource_type: str, columns: Sequence[str], key: str) -> tuple[Any, ...] | None:
    if not _exists(conn, resource_type):
        return None
    conn.row_factory = None
    return conn.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table_name(resource_type))}"
                        f" WHERE _key = ?", (key,)).fetchone()
