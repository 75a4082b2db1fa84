"""Run an export job: a resource type's records written to a file, with progress, interruptible.

The file is written under a temporary name and renamed when complete: a stopped export never
leaves a half file under the final name."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from importdesk.engine.events import Throttle
from importdesk.exports.elastic_path import EP_FORMAT, write_envelopes
from importdesk.models import ImportJob, JobStatus
from importdesk.schemas import EXTRA
from importdesk.store.files import sha256_of

if TYPE_CHECKING:
    from importdesk.engine.context import EngineContext

log = logging.getLogger(__name__)
EXPORT_FORMATS = ("csv", "xlsx", "jsonl", EP_FORMAT)
COMMIT_EVERY_SECONDS = 0.5


class _Stopped(Exception):
    def __init__(self, request: str):
        self.request = request


class ExportRunner:
    def __init__(self, ctx: EngineContext, job: ImportJob, cancel: threading.Event | None = None,
                 throttle: Throttle | None = None):
        self.ctx = ctx
        self.job = job
        self.cancel = cancel or threading.Event()
        self.throttle = throttle or Throttle(None)
        self._last_commit = time.monotonic()

    def run(self) -> ImportJob:
        job = self.job
        target = self.ctx.workspace.absolute(job.provider_data.kept_path or "")
        partial = target.with_name(target.name + ".part")
        try:
            rt = self.ctx.registry.get(job.resource_type)
            source = job.provider_data.source_job_uid
            total = self.ctx.records.count(rt, source)
            job.progress.total = job.progress.pending = total
            job.progress.done = job.progress.error = 0
            self._save()
            self.throttle.report(job, force=True)
            written = self._write(rt, source, partial, job.format or "csv")
            partial.replace(target)
            job.progress.done, job.progress.pending = written, 0
            job.processed_count = written
            job.provider_data.size = target.stat().st_size
            job.provider_data.sha256 = sha256_of(target)
            self._finish(JobStatus.DONE, None)
        except _Stopped as stop:
            partial.unlink(missing_ok=True)
            if stop.request == "cancel":
                self._finish(JobStatus.CANCELED, "canceled by the user; no file was written")
            else:
                self._finish(JobStatus.INTERRUPTED, "interrupted; the export starts again from the first record")
        except OSError as exc:
            partial.unlink(missing_ok=True)
            self._finish(JobStatus.ERROR, f"{target.name}: cannot write the export: {exc.strerror or exc}")
        except Exception as exc:
            partial.unlink(missing_ok=True)
            log.exception("export %s failed unexpectedly", job.uid)
            self._finish(JobStatus.ERROR, f"internal error: {type(exc).__name__}: {exc} (details in the log)")
        self.throttle.report(self.job, force=True)
        return self.job

    def _write(self, rt, source: str | None, partial, fmt: str) -> int:
        from importdesk.exports.records import write_records

        rows = (rt.from_db(values) for values in self.ctx.records.iter_rows(rt, source))
        if fmt == EP_FORMAT:  # Elastic Path's envelopes: a file to upload there
            return write_envelopes(rows, rt, partial, progress=self._progress, every=1000)
        columns = list(rt.columns)
        if fmt == "jsonl" or self.ctx.records.has_extra(rt, source):
            columns.append(EXTRA)  # undeclared attributes, given back (exports.records)
        types = {name: rt.stored_fields[name].type for name in columns}
        if fmt == "csv":  # the marker that lets a re-import undo the formula neutralisation
            columns.append("_export_job")
            rows = ({**row, "_export_job": self.job.uid} for row in rows)
        return write_records(rows, columns, partial, fmt, types=types, progress=self._progress, every=1000)

    def _progress(self, written: int) -> None:
        job = self.job
        job.progress.done = written
        job.progress.pending = max(job.progress.total - written, 0)
        now = time.monotonic()
        if now - self._last_commit >= COMMIT_EVERY_SECONDS:
            self._last_commit = now
            request = self.ctx.jobs.request_of(job.uid) or ("interrupt" if self.cancel.is_set() else None)
            if request:
                raise _Stopped(request)
            self._save()
        self.throttle.report(job)

    def _save(self) -> None:
        self.job.updated_at = self.job.heartbeat_at = self.ctx.clock()
        with self.ctx.db.write() as conn:
            self.ctx.jobs.save(self.job, conn)

    def _finish(self, status: JobStatus, message: str | None) -> None:
        job = self.job
        now = self.ctx.clock()
        job.status, job.error_message, job.updated_at, job.request = status, message, now, None
        job.end_run(now)
        stamp = {JobStatus.DONE: "completed_at", JobStatus.ERROR: "failed_at",
                 JobStatus.INTERRUPTED: "interrupted_at", JobStatus.CANCELED: "canceled_at"}[status]
        setattr(job, stamp, now)
        if status is not JobStatus.DONE:
            job.progress.pending = job.progress.total - job.progress.done - job.progress.error
        with self.ctx.db.write() as conn:
            self.ctx.jobs.save(job, conn, include_request=True)
