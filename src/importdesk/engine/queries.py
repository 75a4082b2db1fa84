"""The engine's reads: jobs, their items and row edits, records and the types, each one short read of
the store (the app polls these; none of them changes a job). Engine (service.py) has these methods."""

from __future__ import annotations

from typing import Any

from importdesk.engine.context import EngineContext
from importdesk.engine.errors import UsageError
from importdesk.models import ImportJob, ItemLevel, JobFilter, JobItem, JobStatus
from importdesk.schemas import SchemaError
from importdesk.store.items import ItemKind


class JobQueries:
    ctx: EngineContext

    @property
    def registry(self):
        return self.ctx.registry

    @property
    def records(self):
        """Query imported records by a type's fields: filters, sorts, pages, one by key (records_query.py)."""
        from importdesk.engine.records_query import RecordBrowser

        return RecordBrowser(self)

    def resource_type(self, name: str):
        """The resource type of this name (built-in or the workspace's); UsageError if there is none."""
        return self._resource(name)

    def _resource(self, name: str):
        try:
            return self.registry.get(name)
        except (KeyError, SchemaError) as exc:
            raise UsageError(str(exc).strip('"')) from None

    def _uid(self, uid_or_prefix: str) -> str:
        return self.get_job(uid_or_prefix).uid

    def get_job(self, uid_or_prefix: str) -> ImportJob:
        try:
            return self.ctx.jobs.find(uid_or_prefix)
        except LookupError as exc:
            raise UsageError(str(exc).strip('"')) from None

    def list_jobs(self, flt: JobFilter | None = None) -> list[ImportJob]:
        return self.ctx.jobs.list(flt)

    def job_revisions(self, flt: JobFilter | None = None) -> list[tuple[str, int]]:
        """(uid, revision) of the jobs `list_jobs` would return: which changed, without reading them."""
        return self.ctx.jobs.revisions(flt)

    def get_jobs(self, uids: list[str]) -> dict[str, ImportJob]:
        """The jobs of these uids that exist, by uid."""
        return self.ctx.jobs.get_many(uids)

    def count_jobs(self, flt: JobFilter | None = None) -> int:
        return self.ctx.jobs.count(flt)

    def list_items(self, uid: str, *, level: ItemLevel | None = None, field: str | None = None,
                   code: str | None = None, offset: int = 0, limit: int = 100, whole_row: bool = False,
                   text: str | None = None) -> list[JobItem]:
        """A page of a job's items; `whole_row` keeps the items about a whole row, `text` those whose
        message or value contains it."""
        return self.ctx.items.page(uid, level=level, field=field, code=code, offset=offset, limit=limit,
                                   whole_row=whole_row, text=text)

    def count_items(self, uid: str, *, level: ItemLevel | None = None, field: str | None = None,
                    code: str | None = None, whole_row: bool = False, text: str | None = None) -> int:
        return self.ctx.items.count(uid, level=level, field=field, code=code, whole_row=whole_row, text=text)

    def item_kinds(self, uid: str) -> list[ItemKind]:
        return self.ctx.items.kinds(uid)

    def item_fields(self, uid: str) -> list[str]:
        return self.ctx.items.fields(uid)

    def iter_items(self, uid: str, level: ItemLevel | None = None):
        return self.ctx.items.iter_all(uid, level)

    def row_edits(self, uid: str) -> dict[int, dict[str, str | None]]:
        return self.ctx.row_edits.for_job(self._uid(uid))

    def report(self, uid: str) -> dict[str, Any]:
        """The job in the ImportJob shape, with Commerce Layer's errors_log / warnings_log:
        {record key (or "row N"): {field: [messages]}}."""
        job = self.get_job(uid)
        data = job.to_seed_json()
        logs: dict[str, dict[str, dict[str, list[str]]]] = {"errors_log": {}, "warnings_log": {}}
        for item in self.ctx.items.iter_all(job.uid):
            log = logs["errors_log" if item.level is ItemLevel.ERROR else "warnings_log"]
            record = item.record_key or (f"row {item.row_number}" if item.row_number else "file")
            log.setdefault(record, {}).setdefault(item.field or "row", []).append(item.message)
        data.update(logs)
        return data

    def status_counts(self) -> dict[JobStatus, int]:
        return self.ctx.jobs.status_counts()

    def job_resource_types(self) -> list[str]:
        return self.ctx.jobs.resource_types()

    def record_count(self, resource_type: str, job_uid: str | None = None) -> int:
        return self.ctx.records.count(self._resource(resource_type), job_uid)

    def iter_records(self, resource_type: str, job_uid: str | None = None):
        rt = self._resource(resource_type)
        for row in self.ctx.records.iter_rows(rt, job_uid):
            yield rt.from_db(row)

    def data_version(self) -> int:
        return self.ctx.db.data_version()
