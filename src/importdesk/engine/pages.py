"""What the app's main screen shows, read in one go per pane: the job list's page (with the counts
its title and filter need) and a job's errors page (with its kinds, columns and corrections).

UI-free reads for the app's page reader (a worker thread): short read transactions, plain domain
objects back. `JobsReader` keeps the jobs it parsed by revision, so a re-read while imports run
parses only the jobs that changed (parsing 500 jobs took ~140 ms)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from importdesk.models import ImportJob, ItemLevel, JobFilter, JobItem, JobStatus

if TYPE_CHECKING:
    from importdesk.engine.service import Engine, ItemKind


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
class ItemsQuery:
    """A page of one job's items: level, column (None: any; `whole_row`: about a whole row), text."""

    job_uid: str
    level: ItemLevel | None = None
    field: str | None = None
    whole_row: bool = False
    text: str | None = None
    offset: int = 0
    limit: int = 20
    with_edits: bool = False  # the job's failed rows can be corrected: read the corrections too


@dataclass
class ItemsPage:
    query: ItemsQuery
    items: list[JobItem]
    total: int  # matching the query
    offset: int  # where the page starts (the query's, moved back when it was past the end)
    fields: list[str] = field(default_factory=list)  # the columns the job's items name
    kinds: list[ItemKind] = field(default_factory=list)  # counts by level, column and code
    edits: dict[int, dict[str, str | None]] = field(default_factory=dict)  # corrections by row


def read_items(engine: Engine, query: ItemsQuery) -> ItemsPage:
    """One page of a job's errors and warnings with what the pane shows around it."""
    args = {"level": query.level, "field": query.field, "whole_row": query.whole_row, "text": query.text}
    total = engine.count_items(query.job_uid, **args)
    offset = query.offset
    if offset >= total:
        offset = max(0, (total - 1) // query.limit * query.limit)
    items = engine.list_items(query.job_uid, **args, offset=offset, limit=query.limit)
    return ItemsPage(query, items, total, offset, engine.item_fields(query.job_uid),
                     engine.item_kinds(query.job_uid),
                     engine.row_edits(query.job_uid) if query.with_edits else {})
