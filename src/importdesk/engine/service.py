"""The engine facade: what the command line, the app and the inbox call. No SQL above this line."""

from __future__ import annotations

import getpass
import logging
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importdesk.engine.clock import Clock, UidFactory, new_uid, utc_now
from importdesk.engine.context import EngineContext
from importdesk.engine.events import ProgressCallback, Throttle
from importdesk.engine.exporter import EP_FORMAT, EXPORT_FORMATS
from importdesk.engine.pipeline import JobRunner
from importdesk.engine.recognise import Shape, by_headers, not_recognised_message, recognise
from importdesk.engine.row_mapper import MIXED
from importdesk.engine.sources import changed_file_message, kept_file_change
from importdesk.engine.worker_identity import is_gone, this_worker
from importdesk.models import (
    ImportJob,
    ItemLevel,
    JobFilter,
    JobItem,
    JobStatus,
    JobType,
    Metadata,
    ProviderData,
    ProviderType,
)
from importdesk.readers import Limits, ReaderError
from importdesk.readers.detect import check_encoding_name
from importdesk.schemas import SchemaError
from importdesk.store import inbox_claims
from importdesk.store.files import safe_name, sha256_of
from importdesk.store.items import ItemKind
from importdesk.workspace import Workspace

FORMATS = ("csv", "xlsx", "json", "jsonl")
log = logging.getLogger(__name__)


class UsageError(ValueError):
    """The request cannot be carried out as asked (unknown type, wrong state…): a message for the user."""


class DuplicateContent(UsageError):
    """The file's bytes are those of a job that is queued, running, resumable or done: not imported twice."""

    def __init__(self, message: str, earlier_uid: str):
        super().__init__(message)
        self.earlier_uid = earlier_uid


@dataclass
class ImportOptions:
    resource_type: str | None = None  # None: suggest from the file
    job_type: JobType = JobType.EXECUTE
    locale: str = "en"
    skip_errors: bool = False
    error_threshold: float = 0.10
    parent_resource_id: str | None = None
    shared_entity_data: dict[str, Any] = field(default_factory=dict)
    reference: str | None = None
    reference_origin: str | None = None
    external_ref: str | None = None
    format: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    created_by: str | None = None


def file_job(uid: str, now, options: ImportOptions, *, resource_type: str, original_name: str, size: int | None,
             sha256: str | None, kept_path: str | None, created_by: str | None) -> ImportJob:
    """A pending job for a file kept inside the workspace, with the user's options."""
    return ImportJob(
        uid=uid,
        provider_type=ProviderType.FILE,
        provider_data=ProviderData(resource_type=resource_type, original_file_name=original_name,
                                   format=options.format, size=size, sha256=sha256, kept_path=kept_path,
                                   encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet),
        job_type=options.job_type,
        metadata=Metadata(locale=options.locale, shared_entity_data=options.shared_entity_data),
        created_at=now,
        updated_at=now,
        resource_type=resource_type,
        format=options.format,
        parent_resource_id=options.parent_resource_id,
        skip_errors=options.skip_errors,
        error_threshold=options.error_threshold,
        reference=options.reference,
        reference_origin=options.reference_origin,
        external_ref=options.external_ref,
        created_by=created_by,
    )


class Engine:
    def __init__(self, workspace: Workspace, *, clock: Clock | None = None, uid_factory: UidFactory | None = None,
                 limits: Limits | None = None, in_memory: bool = False):
        self.ctx = EngineContext(workspace, clock=clock or utc_now, new_uid=uid_factory or new_uid,
                                 limits=limits or Limits(), in_memory=in_memory)
        self.workspace = workspace
        self.worker = this_worker()

    @classmethod
    def for_reading(cls, workspace: Workspace) -> Engine:
        """The workspace's engine or, where no workspace was made yet, one over an empty store in
        memory: reading it (no jobs; the built-in types) creates nothing on disk."""
        return cls(workspace, in_memory=not workspace.exists)

    @property
    def registry(self):
        return self.ctx.registry

    @property
    def records(self):
        """Query imported records by a type's fields: filters, sorts, pages, one by key (records_query.py)."""
        from importdesk.engine.records_query import RecordBrowser

        return RecordBrowser(self)

    # ---- creating jobs -----------------------------------------------------------------------
    def suggest_type(self, path: Path, *, fmt: str | None = None, sheet: str | None = None,
                     encoding: str | None = None, delimiter: str | None = None) -> str | None:
        """The resource type the file's shape clearly shows (engine/recognise.py), else None."""
        return recognise(self, path, fmt=fmt, sheet=sheet, encoding=encoding, delimiter=delimiter).type

    def best_type(self, headers: list[str]) -> str | None:
        """The type these columns clearly are of (declared shapes, else header scores), else None."""
        return by_headers(self.registry.types(), headers).type

    def create_job(self, path: Path, options: ImportOptions, *, keep_in: Path | None = None,
                   sha256: str | None = None, refuse_duplicate: bool = False) -> ImportJob:
        """Keep a copy of the file inside the workspace and queue a pending job for it.

        ``refuse_duplicate``: an execute job for bytes that a queued, running, resumable or done
        execute job already has raises DuplicateContent (as the inbox does unless `force = true`)."""
        path = Path(path)
        if not path.is_file():
            raise UsageError(f"{path.name}: no such file")
        if options.format and options.format not in FORMATS:
            raise UsageError(f"unknown format {options.format!r}; use one of {', '.join(FORMATS)}")
        if options.encoding:
            try:
                check_encoding_name(path.name, options.encoding)
            except ReaderError as exc:
                raise UsageError(str(exc)) from None
        self._check_threshold(options.error_threshold)
        rt_name = options.resource_type
        if rt_name is None:
            try:
                shape = recognise(self, path, fmt=options.format, sheet=options.sheet,
                                  encoding=options.encoding, delimiter=options.delimiter)
            except ReaderError:
                shape = Shape(None)
            rt_name = shape.type
            if rt_name is None:
                raise UsageError(not_recognised_message(path.name, shape, self.registry.names()))
        elif rt_name != MIXED:
            self._resource(rt_name)
        if rt_name != MIXED:
            self._check_locale(rt_name, options.locale)
        if refuse_duplicate and options.job_type is JobType.EXECUTE:
            sha256 = sha256 or sha256_of(path)
            self._refuse_duplicate(path, sha256)
        now = self.ctx.clock()
        kept = self.ctx.files.keep_copy(path, keep_in or self.workspace.archive, now, sha256=sha256)
        job = file_job(self.ctx.new_uid(), now, options, resource_type=rt_name, original_name=path.name,
                       size=kept.size, sha256=kept.sha256, kept_path=kept.kept_path,
                       created_by=options.created_by or _user())
        self.ctx.jobs.insert(job)
        return job

    def resource_type(self, name: str):
        """The resource type of this name (built-in or the workspace's); UsageError if there is none."""
        return self._resource(name)

    def _refuse_duplicate(self, path: Path, sha256: str) -> None:
        earlier = inbox_claims.active_job_with_content(self.ctx.db.conn(), sha256, JobType.EXECUTE.value)
        if earlier is not None:
            uid, name = earlier
            job = self.get_job(uid)
            raise DuplicateContent(f"{path.name}: the same content is already in job {uid} ({safe_name(name or '')}, "
                                   f"{job.status.value}); not imported again", uid)

    def _resource(self, name: str):
        try:
            return self.registry.get(name)
        except (KeyError, SchemaError) as exc:
            raise UsageError(str(exc).strip('"')) from None

    def _check_locale(self, rt_name: str, locale: str) -> None:
        try:
            self._resource(rt_name).validator(locale)
        except (ValueError, SchemaError) as exc:
            raise UsageError(f"locale {locale!r}: {exc}") from None

    @staticmethod
    def _check_threshold(value: float) -> None:
        if not 0 <= value <= 1:
            raise UsageError(f"error threshold must be between 0% and 100% (got {value:.0%})")

    # ---- running -----------------------------------------------------------------------------
    def run_job(self, uid: str, *, cancel: threading.Event | None = None,
                on_progress: ProgressCallback | None = None, interval: float = 0.2) -> ImportJob:
        """Claim this pending job and run it here, in the calling thread."""
        job = self.ctx.jobs.claim_next(self.worker, self.ctx.clock(), uid=uid)
        if job is None:
            current = self.get_job(uid)
            raise UsageError(f"job {current.short_uid} is {current.status.value}, not pending: it cannot start")
        return self._runner(job, cancel, Throttle(on_progress, interval)).run()

    def _runner(self, job: ImportJob, cancel: threading.Event | None, throttle: Throttle):
        if job.job_type is JobType.EXPORT:
            from importdesk.engine.exporter import ExportRunner

            return ExportRunner(self.ctx, job, cancel, throttle)
        return JobRunner(self.ctx, job, cancel, throttle)

    def run_next(self, *, cancel: threading.Event | None = None,
                 on_progress: ProgressCallback | None = None, interval: float = 0.2) -> ImportJob | None:
        """Claim the oldest pending job, if any, and run it. Safe to call from several processes."""
        job = self.ctx.jobs.claim_next(self.worker, self.ctx.clock())
        if job is None:
            return None
        return self._runner(job, cancel, Throttle(on_progress, interval)).run()

    def recover_stale(self) -> list[ImportJob]:
        """Jobs left `processing` by a process that is gone become `interrupted` (resumable)."""
        now = self.ctx.clock()
        recovered: list[ImportJob] = []
        if self.ctx.db.read_only:  # nothing can be recorded; listing shows them as they are
            return recovered
        for job in self.ctx.jobs.processing():
            if not is_gone(job.worker, job.heartbeat_at, now):
                continue
            try:
                recovered.extend(self._recover(job, now))
            except sqlite3.OperationalError as exc:  # a full disk, a lock: it is recovered next time
                log.warning("job %s: could not be marked interrupted (%s)", job.uid, exc)
        return recovered

    def _recover(self, job: ImportJob, now) -> list[ImportJob]:
        with self.ctx.db.write() as conn:
            current = self.ctx.jobs.get_for_update(conn, job.uid)
            if current.status is not JobStatus.PROCESSING or current.worker != job.worker:
                return []
            current.status = JobStatus.INTERRUPTED
            current.end_run(current.heartbeat_at or current.updated_at)  # it ran until it last spoke
            current.interrupted_at = current.updated_at = now
            current.error_message = (f"the process running it stopped after {current.metadata.data_row_index} "
                                     f"rows; resume to continue")
            current.request = None
            self.ctx.jobs.save(current, conn, include_request=True)
        return [current]

    # ---- lifecycle actions -------------------------------------------------------------------
    def _transition(self, uid: str, allowed: tuple[JobStatus, ...], verb: str, change) -> ImportJob:
        with self.ctx.db.write() as conn:
            job = self.ctx.jobs.get_for_update(conn, self._uid(uid))
            if job.status not in allowed:
                raise UsageError(f"job {job.short_uid} is {job.status.value}: it can be {verb} only when "
                                 f"{' or '.join(s.value for s in allowed)}")
            change(job, self.ctx.clock())
            self.ctx.jobs.save(job, conn, include_request=True)
        return job

    def interrupt(self, uid: str) -> ImportJob:
        def change(job: ImportJob, now) -> None:
            if job.status is JobStatus.PROCESSING:
                job.request = "interrupt"  # the runner stops at its next batch boundary
            else:
                job.status = JobStatus.INTERRUPTED
                job.interrupted_at = job.updated_at = now
                job.error_message = "interrupted by the user before it started"
        return self._transition(uid, (JobStatus.PENDING, JobStatus.PROCESSING), "interrupted", change)

    def cancel(self, uid: str) -> ImportJob:
        def change(job: ImportJob, now) -> None:
            if job.status is JobStatus.PROCESSING:
                job.request = "cancel"
            else:
                job.status = JobStatus.CANCELED
                job.canceled_at = job.updated_at = now
                job.error_message = "canceled by the user"
        return self._transition(uid, (JobStatus.PENDING, JobStatus.PROCESSING, JobStatus.INTERRUPTED),
                                "canceled", change)

    def resume(self, uid: str, *, skip_errors: bool | None = None) -> ImportJob:
        """An interrupted job continues after its last committed row (of the same file)."""
        self._check_kept_file(self.get_job(uid))
        return self._requeue(uid, JobStatus.INTERRUPTED, "resumed", skip_errors)

    def _check_kept_file(self, job: ImportJob) -> None:
        """UsageError when the job's kept file is not the one it was created for (size, sha256)."""
        change = kept_file_change(self.ctx, job)
        if change is not None:
            raise UsageError(changed_file_message(job, change))

    def _requeue(self, uid: str, allowed: JobStatus, verb: str, skip_errors: bool | None) -> ImportJob:
        def change(job: ImportJob, now) -> None:
            job.status = JobStatus.PENDING
            job.error_message = None
            job.request = None
            job.failed_at = None
            job.updated_at = now
            if skip_errors is not None:
                job.skip_errors = skip_errors
        return self._transition(uid, (allowed,), verb, change)

    def retry(self, uid: str, *, skip_errors: bool | None = None) -> ImportJob:
        """An errored job runs again from its last committed row (the file or options may be fixed);
        a finished job with rejected rows gets a new job of just those rows (see retry_failed)."""
        job = self.get_job(uid)
        if job.status is JobStatus.DONE and job.progress.error:
            return self.retry_failed(job.uid, skip_errors=skip_errors)
        return self._rerun(job.uid, skip_errors=skip_errors)

    def retry_failed(self, uid: str, *, skip_errors: bool | None = None) -> ImportJob:
        """A new job whose provider is this job and whose rows are its failed rows, raw values kept
        and corrections (edit_failed_value) applied. The source job's report stays as it was."""
        source = self.get_job(uid)
        if source.status is not JobStatus.DONE or not source.progress.error:
            raise UsageError(f"job {source.short_uid} has no failed rows to retry")
        now = self.ctx.clock()
        provider = source.provider_data.model_copy(update={"source_job_uid": source.uid})
        job = ImportJob(
            uid=self.ctx.new_uid(), provider_type=ProviderType.IMPORT_JOB, provider_data=provider,
            job_type=source.job_type,
            metadata=Metadata(locale=source.metadata.locale,
                              shared_entity_data=dict(source.metadata.shared_entity_data)),
            created_at=now, updated_at=now, resource_type=source.resource_type, format=source.format,
            parent_resource_id=source.parent_resource_id,
            skip_errors=source.skip_errors if skip_errors is None else skip_errors,
            error_threshold=source.error_threshold, reference=source.reference,
            reference_origin=source.reference_origin, external_ref=source.external_ref,
            created_by=_user(), retry_of_uid=source.uid,
        )
        self.ctx.jobs.insert(job)
        return job

    def create_export(self, resource_type: str, fmt: str = "csv", *, job_uid: str | None = None,
                      file_name: str | None = None, target: Path | None = None) -> ImportJob:
        """Queue an export of a type's records (optionally only those a given job wrote); it
        re-imports into an empty workspace as the same records. The file goes to ``target`` (the
        job records that path: workspace-relative inside the workspace, absolute outside), or else
        into the workspace's exports/ folder."""
        if fmt not in EXPORT_FORMATS:
            raise UsageError(f"cannot export to {fmt!r}: use csv, xlsx, jsonl or ep (Elastic Path's JSONL envelopes)")
        self._resource(resource_type)
        source = self.get_job(job_uid).uid if job_uid else None
        now = self.ctx.clock()
        uid = self.ctx.new_uid()
        if target is not None:
            target = Path(target).expanduser().resolve()
            if not target.parent.is_dir():
                raise UsageError(f"{target.parent.name or target.parent}: no such folder")
            name = target.name
        else:
            name = safe_name(file_name or f"{resource_type}-{now:%Y%m%d-%H%M%S}.{'jsonl' if fmt == EP_FORMAT else fmt}")
            target = self.workspace.exports / f"{uid[-8:]}-{name}"
        job = ImportJob(
            uid=uid, provider_data=ProviderData(resource_type=resource_type, original_file_name=name, format=fmt,
                                                kept_path=self._recorded_path(target), source_job_uid=source),
            job_type=JobType.EXPORT, created_at=now, updated_at=now, resource_type=resource_type, format=fmt,
            created_by=_user(),
        )
        self.ctx.jobs.insert(job)
        return job

    def _recorded_path(self, path: Path) -> str:
        """How a job records a file's place: relative inside the workspace (the workspace can move),
        absolute outside it (Workspace.absolute passes an absolute path through)."""
        try:
            return self.workspace.relative(path)
        except ValueError:
            return str(path)

    def export_failed_rows(self, uid: str, path: Path) -> int:
        """The failed rows, original columns in original order plus `_source_row` and `_errors`,
        to CSV or XLSX (by the file's extension); fixed, the file re-imports as it is."""
        from importdesk.exports.failed_rows import write_failed_rows

        job = self.get_job(uid)
        fmt = Path(path).suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise UsageError(f"{Path(path).name}: export failed rows to a .csv or .xlsx file")
        resource = self._resource(job.resource_type) if job.resource_type not in (MIXED, "") else None
        return write_failed_rows(self.ctx.items.iter_all(job.uid, ItemLevel.ERROR), Path(path), fmt,
                                 resource=resource)

    def edit_failed_value(self, uid: str, row_number: int, field_name: str, value: str | None) -> None:
        """Correct a rejected value in place; the next retry of this job's failed rows uses it."""
        job = self.get_job(uid)
        if not self.ctx.items.count(job.uid, level=ItemLevel.ERROR, row_number=row_number):
            raise UsageError(f"row {row_number} of job {job.short_uid} did not fail: nothing to correct")
        self.ctx.row_edits.put(job.uid, row_number, field_name, value, self.ctx.clock())

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

    def _rerun(self, uid: str, *, skip_errors: bool | None = None) -> ImportJob:
        self._check_kept_file(self.get_job(uid))
        return self._requeue(uid, JobStatus.ERROR, "retried", skip_errors)

    def confirm(self, uid: str) -> ImportJob:
        """A finished validate job becomes a new execute job for the same file and options."""
        source = self.get_job(uid)
        if source.job_type is not JobType.VALIDATE or source.status is not JobStatus.DONE:
            raise UsageError(f"job {source.short_uid} is a {source.status.value} {source.job_type.value} job: "
                             "only a done validate job can be confirmed")
        self._check_kept_file(source)
        now = self.ctx.clock()
        job = source.model_copy(deep=True, update={
            "uid": self.ctx.new_uid(), "job_type": JobType.EXECUTE, "status": JobStatus.PENDING,
            "error_message": None, "created_at": now, "updated_at": now, "started_at": None,
            "completed_at": None, "interrupted_at": None, "canceled_at": None, "failed_at": None,
            "worker": None, "heartbeat_at": None, "request": None, "errors_count": 0, "warnings_count": 0,
            "processed_count": 0, "validated_job_uid": source.uid, "created_by": _user(),
            "run_seconds": 0.0, "run_started_at": None,
        })
        job.progress = type(job.progress)()
        job.metadata.data_row_index = 0
        job.summary = type(job.summary)()
        job.type_counts = type(job.type_counts)()
        self.ctx.jobs.insert(job)
        return job

    def delete(self, uid: str) -> ImportJob:
        job = self.get_job(uid)
        if job.status is JobStatus.PROCESSING:
            raise UsageError(f"job {job.short_uid} is processing: interrupt or cancel it first")
        self.ctx.jobs.delete(job.uid)
        return job

    # ---- reading -----------------------------------------------------------------------------
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

    def close(self) -> None:
        self.ctx.db.close()


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:
        return None
