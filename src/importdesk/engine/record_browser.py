"""What the app's records view reads: a page of a type's records through the engine's records query
API (records_query.py: typed filters and sorts on any field), and one record with the job that last
wrote it and the job items about its key (which that API does not carry). Reads only, short
transactions; the app runs these in a worker thread."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from importdesk.engine.records_query import without_empty_extra
from importdesk.engine.service import Engine, UsageError
from importdesk.models import JobItem

ITEMS_LIMIT = 200  # job items shown for one record
# a condition starts FIELD OP (records_query's operators); anything else is text the key contains
CONDITION_START = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*(!=|<=|>=|=|<|>|~)")


@dataclass(frozen=True)
class RecordQuery:
    """What the view asks for. `where` is a condition as records_query reads it (``price>=10``,
    ``name~shirt``, ``city=Berlin``) or plain text (the key contains it); `sort` is a field name
    (None: by key)."""

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
    columns: list[str]  # the type's fields
    rows: list[dict[str, Any]]  # clean values by field, and "_key": the record's key
    total: int
    problem: str | None = None  # why a filter or sort cannot run, for the user
    unindexed_sort: str | None = None  # the sort's field when no index serves it: each page reads every record


@dataclass
class RecordDetail:
    resource_type: str
    key: str
    values: dict[str, Any]  # every field, typed as the resource type declares (maps and lists as such)
    job_uid: str | None
    row: int | None
    created_at: str | None
    updated_at: str | None
    items: list[JobItem] = field(default_factory=list)  # errors and warnings about this key, newest first


def first_type_with_records(engine: Engine) -> str | None:
    """The first resource type (by name) that has a stored record."""
    records = engine.ctx.records
    return next((name for name in engine.registry.names() if records.has_records(name)), None)


def _condition(rt, text: str) -> list[str]:
    """The typed condition, or plain text as "the key contains it" (its first key field)."""
    text = text.strip()
    if not text:
        return []
    if CONDITION_START.match(text):
        return [text]
    return [f"{rt.key[0]}~{text}"]


def page(engine: Engine, query: RecordQuery) -> RecordPage:
    """One page of records; a query without a type reads the first type that has records.

    Sorting by the key is an index walk; by another field SQLite sorts the matching rows for the page
    (a scan of the table: see bench/tui_records.py)."""
    if not query.resource_type:
        chosen = first_type_with_records(engine) or (engine.registry.names() or [""])[0]
        query = replace(query, resource_type=chosen)
    rt = engine.resource_type(query.resource_type)
    columns = list(rt.columns)
    if not engine.ctx.records.has_table(rt.name):
        return RecordPage(query, columns, [], 0)
    # no sort: the store orders by the stored key (its primary key, an index walk); the key turned round
    # is a sort on its fields (a scan, like any other field)
    sort = query.sort or (",".join(rt.key) if query.descending else None)
    order = [",".join(f"-{f}" if query.descending else f for f in sort.split(","))] if sort else []
    try:
        browser = engine.records
        checked = browser.query(rt.name, where=_condition(rt, query.where), order=order,
                                job_uid=query.job_uid)
        result = browser.page(checked, offset=query.offset, limit=query.limit)
    except UsageError as exc:
        return RecordPage(query, columns, [], 0, problem=str(exc))
    rows = [{**r, "_key": rt.key_of(r)} for r in result.records]
    unindexed = None
    if sort and sort.split(",")[0] not in engine.ctx.records.indexed_columns(rt):
        unindexed = sort.split(",")[0]
    return RecordPage(query, columns, rows, result.total, unindexed_sort=unindexed)


def record(engine: Engine, resource_type: str, key: str) -> RecordDetail | None:
    """Every stored field of one record, who wrote it last, and the job items about its key."""
    rt = engine.registry.get(resource_type)
    found = engine.ctx.records.stored_record(rt, key)
    if found is None:
        return None
    stored, written = found
    items = engine.ctx.items.about_record(key, resource_type, ITEMS_LIMIT)
    values = without_empty_extra(rt.from_db(stored))  # typed, as validated
    return RecordDetail(resource_type, key, values, written["_job_uid"], written["_row"],
                        written["_created_at"], written["_updated_at"], items)
