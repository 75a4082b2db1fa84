"""Commands that change jobs once they exist: interrupt, cancel, resume, retry (in place, or a new job of
the failed rows), confirm a validate job, delete, correct a failed value, and recover jobs whose
process is gone. Each is one short write transaction. Engine (service.py) has these methods."""

from __future__ import annotations

import logging
import sqlite3

from importdesk.engine.errors import UsageError
from importdesk.engine.import_options import current_user
from importdesk.engine.sources import changed_file_message, kept_file_change
from importdesk.engine.worker_identity import is_gone
from importdesk.models import ImportJob, ItemLevel, JobStatus, JobType, Metadata, ProviderType

log = logging.getLogger(__name__)


class JobCommands:
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

    def recover_ended(self, uid: str, worker: str) -> ImportJob | None:
        """The process ``worker`` is known to have ended (its parent saw it die): the job, if that
        process still holds it, becomes interrupted now, on any store. (recover_stale can only tell
        by the pid on this machine's SQLite; on PostgreSQL it leaves a silent worker's job to the
        takeover when its lease runs out.)"""
        job = self.get_job(uid)
        if job.status is not JobStatus.PROCESSING or job.worker != worker:
            return None
        recovered = self._recover(job, self.ctx.clock())
        return recovered[0] if recovered else None

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

    def _rerun(self, uid: str, *, skip_errors: bool | None = None) -> ImportJob:
        self._check_kept_file(self.get_job(uid))
        return self._requeue(uid, JobStatus.ERROR, "retried", skip_errors)

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
            created_by=current_user(), retry_of_uid=source.uid,
        )
        self.ctx.jobs.insert(job)
        return job

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
            "processed_count": 0, "validated_job_uid": source.uid, "created_by": current_user(),
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

    def edit_failed_value(self, uid: str, row_number: int, field_name: str, value: str | None) -> None:
        """Correct a rejected value in place; the next retry of this job's failed rows uses it."""
        job = self.get_job(uid)
        if not self.ctx.items.count(job.uid, level=ItemLevel.ERROR, row_number=row_number):
            raise UsageError(f"row {row_number} of job {job.short_uid} did not fail: nothing to correct")
        self.ctx.row_edits.put(job.uid, row_number, field_name, value, self.ctx.clock())
