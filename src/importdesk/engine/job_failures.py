"""Failure classification and the messages a job ends with: each says what happened, what was kept
and the one way on (resume or retry, with its command)."""

from __future__ import annotations

from importdesk.engine.context import EngineContext
from importdesk.engine.errors import StoreWriteFailed, store_fault
from importdesk.engine.sources import changed_file_message, kept_file_change
from importdesk.models import ImportJob, JobStatus
from importdesk.store.database import BUSY_TIMEOUT_MS


def internal_error(exc: BaseException) -> str:
    return f"internal error: {type(exc).__name__}: {exc} (details in the log)"


def refused_write(exc: Exception) -> tuple[str, str] | None:
    """(kind, words) when the store refused a write (disk full, I/O error, read-only, lock past the
    busy timeout); None for any other failure (a bug)."""
    return store_fault(exc.detail if isinstance(exc, StoreWriteFailed) else exc)


def store_failure(job: ImportJob, exc: Exception, fault: tuple[str, str] | None) -> tuple[JobStatus, str]:
    """The status and message of a job whose batch the store refused to write (``fault``:
    ``refused_write(exc)``): a lock interrupts it (resume), anything else is an error (retry)."""
    if fault is None:
        return JobStatus.ERROR, internal_error(exc)
    kind, words = fault
    kept = f"the first {job.metadata.data_row_index:,} rows are in, nothing of the batch being written was kept"
    if kind == "locked":
        return JobStatus.INTERRUPTED, (
            f"{job.file_name}: {words} (waited {BUSY_TIMEOUT_MS / 1000:g} s); {kept}. Resume when the other "
            f"process is done: importdesk resume {job.short_uid}")
    fix = {"full": "free some disk space", "readonly": "make the workspace writable"}.get(kind, "check the disk")
    return JobStatus.ERROR, (f"{job.file_name}: {words} ({exc}); {kept}. {fix.capitalize()}, then continue: "
                             f"importdesk retry {job.short_uid}")


def ended_early(ctx: EngineContext, job: ImportJob) -> str:
    """The rows ran out before the count made when the job started: the file is not the one
    that was counted (cut, replaced) — never "done" with rows pending."""
    change = kept_file_change(ctx, job)
    if change is not None:
        return changed_file_message(job, change)
    return (f"{job.file_name}: the file ended after {job.metadata.data_row_index:,} rows, but "
            f"{job.progress.total:,} were counted when the job started; "
            f"{job.progress.pending:,} rows were not imported")


def unreadable(ctx: EngineContext, job: ImportJob, exc: Exception, is_reader_error: bool) -> str:
    """A file, schema or job failure: its own words, or, for a kept file cut while it was read,
    that (not "unbalanced quote")."""
    if is_reader_error and (change := kept_file_change(ctx, job, content=False)):
        return changed_file_message(job, change)
    return str(exc)


def over_threshold(job: ImportJob) -> str:
    p = job.progress
    return (f"interrupted: {p.error} of {p.total} rows failed, over the "
            f"{job.error_threshold:.0%} error threshold. Fix the file, or resume skipping errors "
            f"(importdesk resume {job.short_uid} --skip-errors; r in the app).")


def interrupted_by_user(job: ImportJob) -> str:
    return f"interrupted by the user after {job.metadata.data_row_index} rows; resume to continue"


def last_rows_lost(job: ImportJob, exc: Exception) -> str:
    return (f"the last rows could not be committed ({exc}); "
            f"retry to continue after row {job.metadata.data_row_index}")


def end_not_recorded(job: ImportJob, message: str | None, exc: Exception, afterwards: str) -> str:
    """The job's end could not be written: the store keeps it processing; ``afterwards`` (the
    store's ``unrecorded_end``, naming ``{uid}``) says what becomes of it."""
    fault = store_fault(exc)
    # what happened (our messages say it before the first ". "), then the one way on
    cause = f"{message.split('. ')[0]}. " if message else ""
    return (f"{cause}The end of the job could not be recorded ({fault[1] if fault else exc}): "
            f"{afterwards.format(uid=job.short_uid)}")


_CONNECTION_LOST = "nothing of the batch being written was kept. Resume once the store is back"


def connection_lost(job: ImportJob, exc: Exception) -> str:
    """The store's connection broke, or the store could not be reached, in the middle of the job."""
    return (f"{job.file_name}: {exc}; the first {job.metadata.data_row_index:,} rows are in, "
            f"{_CONNECTION_LOST}: importdesk resume {job.short_uid}")


def ended_by_lost_connection(job: ImportJob) -> bool:
    """The job is interrupted because its store connection broke (``connection_lost``): nothing is
    wrong with it, and a worker that serves the queue puts it back there."""
    return job.status is JobStatus.INTERRUPTED and _CONNECTION_LOST in (job.error_message or "")
