"""What the app's panes show, each read in one go: the job list's page with the counts its title and
filter need, and the errors pane's page of a job's items with its kinds, columns and corrections.

UI-free reads: short read transactions, plain domain objects back. `JobsReader` keeps the jobs it
parsed by revision, so a re-read while imports run parses only the jobs that changed (parsing 500
jobs took ~140 ms)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from importdesk.models import ImportJob, ItemLevel, JobFilter, JobItem, JobStatus
from importdesk.store.items import ItemKind

if TYPE_CHECKING:
    from importdesk.engine.service import Engine


@dataclass
class JobsPage:
    """The newest jobs matching a filter (store order), how many match, and the store's counts."""

    filter: JobFilter
    jobs: list[ImportJob]
    total: int  # matching the filter (the page holds at most filter.limit)
    status_counts: dict[JobStatus, int]  # over every job
    resource_types: list[str]  # of every job, for the filter's choice


class JobsReader:
    """Reads job pages; parses only jobs whose revision moved since it last read them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known: dict[str, tuple[int, ImportJob]] = {}

    def read(self, flt: JobFilter) -> JobsPage:
        engine = self.engine
        revisions = engine.job_revisions(flt)
        fresh = engine.get_jobs([uid for uid, rev in revisions
                                 if uid not in self._known or self._known[uid][0] != rev])
        known = {}
        for uid, rev in revisions:
            job = fresh.get(uid) or (self._known[uid][1] if uid in self._known else None)
            if job is not None:
                known[uid] = (rev, job)
        self._known = known
        jobs = [job for _, job in known.values()]
        total = engine.count_jobs(flt) if len(jobs) >= (flt.limit or len(jobs) + 1) else len(jobs)
        return JobsPage(flt, jobs, total, engine.status_counts(), engine.job_resource_types())


@dataclass(frozen=True)
class ErrorsQuery:
    """Which page of a job's items: filters, where the page starts and how long it is."""

    uid: str
    level: ItemLevel | None = None
    field: str | None = None
    whole_row: bool = False  # only the items about a whole row (then `field` is None)
    text: str | None = None  # in the message or the value
    offset: int = 0
    limit: int = 20
    with_kinds: bool = True  # the kinds summary too (a GROUP BY over all of the job's items)
    with_edits: bool = False  # the corrections of the job's failed rows (a finished job with failed rows)


@dataclass
class ErrorsPage:
    """One page of a job's items; `offset` is where it starts (moved back when past the last page)."""

    query: ErrorsQuery
    items: list[JobItem]
    total: int  # matching the filters
    offset: int
    fields: list[str]  # every column the job's items name, for the column filter
    kinds: list[ItemKind] | None  # None: not read (the query did not ask)
    edits: dict[int, dict[str, str | None]]


def read_errors(engine: Engine, q: ErrorsQuery) -> ErrorsPage:
    filters = {"level": q.level, "field": q.field, "whole_row": q.whole_row, "text": q.text}
    total = engine.count_items(q.uid, **filters)
    offset = q.offset
    if offset >= total:
        offset = max(0, (total - 1) // q.limit * q.limit)
    items = engine.list_items(q.uid, **filters, offset=offset, limit=q.limit) if total else []
    return ErrorsPage(q, items, total, offset, engine.item_fields(q.uid),
                      engine.item_kinds(q.uid) if q.with_kinds else None,
                      engine.row_edits(q.uid) if q.with_edits else {})
