"""Commands that create jobs from files and exports: the type a file is, the checks of the user's
options, the kept copy, a duplicate refused; an export job; failed rows written out for fixing.
Engine (service.py) has these methods.

Recognising a file and exporting need the schemas (pydantic-core and every type definition's
module): they are imported by the methods that use them, so that a command that only reads jobs
(``importdesk jobs``, one process each) starts without them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from importdesk.engine import writer_prestart
from importdesk.engine.errors import DuplicateContent, UsageError
from importdesk.engine.import_options import FORMATS, MIXED, ImportOptions, current_user, file_job
from importdesk.models import ImportJob, ItemLevel, JobType, ProviderData
from importdesk.readers import ReaderError
from importdesk.readers.detect import check_encoding_name
from importdesk.schemas import SchemaError
from importdesk.store import inbox_claims
from importdesk.store.files import SourceFile, safe_name, stage_copy
from importdesk.workspace import Workspace


class JobCreation:
    workspace: Workspace

    def suggest_type(self, path: Path, *, fmt: str | None = None, sheet: str | None = None,
                     encoding: str | None = None, delimiter: str | None = None) -> str | None:
        """The resource type the file's shape clearly shows (engine/recognise.py), else None."""
        from importdesk.engine.recognise import recognise

        return recognise(self, path, fmt=fmt, sheet=sheet, encoding=encoding, delimiter=delimiter).type

    def best_type(self, headers: list[str]) -> str | None:
        """The type these columns clearly are of (declared shapes, else header scores), else None."""
        from importdesk.engine.recognise import by_headers

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
            from importdesk.engine.recognise import Shape, not_recognised_message, recognise

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
        now = self.ctx.clock()

        def job_for(kept: SourceFile) -> ImportJob:
            return file_job(self.ctx.new_uid(), now, options, resource_type=rt_name, original_name=path.name,
                            size=kept.size, sha256=kept.sha256, kept_path=kept.kept_path,
                            created_by=options.created_by or current_user())

        folder = keep_in or self.workspace.archive
        if sha256 is None:  # the file is read to be kept: a writer started ahead counts it meanwhile
            writer_prestart.count_ahead(path, options.format, options.sheet, options.encoding, options.delimiter,
                                        dataclasses.asdict(self.ctx.limits))
        if refuse_duplicate and options.job_type is JobType.EXECUTE:
            return self._create_unless_duplicate(path, folder, now, job_for)
        job = job_for(self.ctx.files.keep_copy(path, folder, now, sha256=sha256))
        self.ctx.jobs.insert(job)
        return job

    def _create_unless_duplicate(self, path: Path, folder: Path, now: datetime,
                                 job_for: Callable[[SourceFile], ImportJob]) -> ImportJob:
        """The file read once (copied and hashed together), then the duplicate check, the kept copy's
        row and the job's insert in one write transaction serialised per content (SQLite's write
        lock, PostgreSQL's advisory lock, as the inbox does): of two runs of the same bytes at once,
        one makes the job and the other is refused naming it. A refused copy is not kept."""
        db = self.ctx.db
        db.check_writable()
        staged = stage_copy(path, folder)
        try:
            with db.write() as conn:
                db.serialise_content(conn, staged.sha256)
                self._refuse_duplicate(conn, path, staged.sha256)
                job = job_for(self.ctx.files.keep_staged(staged, path.name, now, conn))
                self.ctx.jobs.insert(job, conn)
            return job
        finally:
            staged.discard()

    def _refuse_duplicate(self, conn, path: Path, sha256: str) -> None:
        earlier = inbox_claims.active_job_with_content(conn, sha256, JobType.EXECUTE.value)
        if earlier is not None:
            uid, name = earlier
            job = self.get_job(uid)
            raise DuplicateContent(f"{path.name}: the same content is already in job {uid} ({safe_name(name or '')}, "
                                   f"{job.status.value}); not imported again", uid)

    def _check_locale(self, rt_name: str, locale: str) -> None:
        try:
            self._resource(rt_name).validator(locale)
        except (ValueError, SchemaError) as exc:
            raise UsageError(f"locale {locale!r}: {exc}") from None

    @staticmethod
    def _check_threshold(value: float) -> None:
        if not 0 <= value <= 1:
            raise UsageError(f"error threshold must be between 0% and 100% (got {value:.0%})")

    def create_export(self, resource_type: str, fmt: str = "csv", *, job_uid: str | None = None,
                      file_name: str | None = None, target: Path | None = None) -> ImportJob:
        """Queue an export of a type's records (optionally only those a given job wrote); it
        re-imports into an empty workspace as the same records. The file goes to ``target`` (the
        job records that path: workspace-relative inside the workspace, absolute outside), or else
        into the workspace's exports/ folder."""
        from importdesk.engine.exporter import EP_FORMAT, EXPORT_FORMATS

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
            created_by=current_user(),
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
