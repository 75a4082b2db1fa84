"""Browsing stored records: one page at a time, filtered and sorted by any field, and one record with
the job that last wrote it and the job items about its key.

The smallest query the app's records view needs; a fuller records query API (and a CLI command on
it) can replace it. Reads only, short transactions (the app runs these in a worker thread)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace
from typing import Any

from importdesk.engine.service import Engine
from importdesk.models import JobItem
from importdesk.store.converters import row_to_item
from importdesk.store.records import quote, table_name

META = ("_job_uid", "_row", "_created_at", "_updated_at")
KEY = "_key"
ITEMS_LIMIT = 200  # job items shown for one record


@dataclass(frozen=True)
class RecordQuery:
    """What the view asks for. `where` is ``field=value`` (equal), ``field~text`` (contains) or plain
    text (the key contains it); `sort` is a field name (None: by key)."""

    resource_type: str
    where: str = ""
    sort: str | None = None
    descending: bool = False
    job_uid: str | None = None  # only records this job wrote last
    offset: int = 0
    limit: int = 50


@dataclass
class RecordPage:
    query: RecordQuery
    columns: list[str]  # the type's fields, then the meta columns
    rows: list[dict[str, Any]]
    total: int
    problem: str | None = None  # a filter that names no field, say


@dataclass
class RecordDetail:
    resource_type: str
    key: str
    values: dict[str, Any]  # every field, typed as the resource type declares (maps and lists as such)
    job_uid: str | None
    row: int | None
    created_at: str | None
    updated_at: str | None
    items: list[JobItem] = field(default_factory=list)  # errors and warnings about this key, newest job first


class QueryProblem(ValueError):
    """A filter or sort the user typed that cannot run (an unknown field)."""


def _fields(engine: Engine, resource_type: str) -> list[str]:
    return list(engine.registry.get(resource_type).columns)


def _exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _where(query: RecordQuery, fields: list[str]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.job_uid:
        clauses.append("_job_uid = ?")
        params.append(query.job_uid)
    text = query.where.strip()
    if text:
        for op in ("=", "~"):
            name, sep, value = text.partition(op)
            if sep and name.strip():
                name = name.strip()
                if name not in fields and name not in META and name != KEY:
                    raise QueryProblem(f"no field {name!r}; fields: {', '.join(fields)}")
                if op == "=":
                    clauses.append(f"CAST({quote(name)} AS TEXT) = ?")
                    params.append(value.strip())
                else:
                    clauses.append(f"{quote(name)} LIKE ? ESCAPE '\\'")
                    params.append(_contains(value.strip()))
                break
        else:
            clauses.append("_key LIKE ? ESCAPE '\\'")
            params.append(_contains(text))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _contains(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def first_type_with_records(engine: Engine) -> str | None:
    """The first resource type (by name) that has a stored record."""
    conn = engine.ctx.db.conn()
    for name in engine.registry.names():
        table = table_name(name)
        if _exists(conn, table) and conn.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1").fetchone():
            return name
    return None


def page(engine: Engine, query: RecordQuery) -> RecordPage:
    """One page of records; a query without a type reads the first type that has records.

    Sorting by the key is an index walk; by another field SQLite sorts the matching rows for the page
    (a scan of the table: see bench/tui_records.py)."""
    if not query.resource_type:
        chosen = first_type_with_records(engine) or (engine.registry.names() or [""])[0]
        query = replace(query, resource_type=chosen)
    fields = _fields(engine, query.resource_type)
    columns = fields + list(META)
    name = table_name(query.resource_type)
    conn = engine.ctx.db.conn()
    conn.row_factory = sqlite3.Row
    if not _exists(conn, name):
        return RecordPage(query, columns, [], 0)
    try:
        where, params = _where(query, fields)
        if query.sort and query.sort not in columns:
            raise QueryProblem(f"no field {query.sort!r} to sort by")
    except QueryProblem as exc:
        return RecordPage(query, columns, [], 0, problem=str(exc))
    direction = "DESC" if query.descending else "ASC"
    order = f"{quote(query.sort)} {direction}, _key" if query.sort else f"_key {direction}"
    select = ", ".join([KEY, *(quote(c) for c in columns)])
    rows = conn.execute(f"SELECT {select} FROM {quote(name)}{where} ORDER BY {order} LIMIT ? OFFSET ?",
                        (*params, query.limit, query.offset)).fetchall()
    total = conn.execute(f"SELECT count(*) FROM {quote(name)}{where}", params).fetchone()[0]
    return RecordPage(query, columns, [dict(r) for r in rows], total)


def record(engine: Engine, resource_type: str, key: str) -> RecordDetail | None:
    """Every stored field of one record, who wrote it last, and the job items about its key."""
    fields = _fields(engine, resource_type)
    name = table_name(resource_type)
    conn = engine.ctx.db.conn()
    conn.row_factory = sqlite3.Row
    if not _exists(conn, name):
        return None
    row = conn.execute(f"SELECT * FROM {quote(name)} WHERE _key = ?", (key,)).fetchone()
    if row is None:
        return None
    # job_items has no index on record_key: a scan of the items, fine in a worker thread
    items = [row_to_item(r) for r in conn.execute(
        "SELECT * FROM job_items WHERE record_key = ? AND (resource_type = ? OR (resource_type IS NULL"
        " AND job_uid IN (SELECT uid FROM jobs WHERE resource_type = ?))) ORDER BY id DESC LIMIT ?",
        (key, resource_type, resource_type, ITEMS_LIMIT)).fetchall()]
    rt = engine.registry.get(resource_type)
    stored = set(row.keys())  # a field the schema gained since the table was made may be missing
    values = rt.from_db(tuple(row[f] if f in stored else None for f in fields))  # typed, as validated
    return RecordDetail(resource_type, key, values,
                        row["_job_uid"], row["_row"], row["_created_at"], row["_updated_at"], items)
