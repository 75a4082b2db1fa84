"""Jobs that closing the app interrupted: tagged as such, so the next app to open offers to resume them
(once), and the others (a user's interrupt, a crossed threshold) stay as they are."""

from __future__ import annotations

from importdesk.engine import inbox_jobs
from importdesk.engine.service import Engine
from importdesk.models import ImportJob, JobFilter, JobStatus
from importdesk.store import inbox_claims

QUIT_PREFIX = "interrupted: the app was closed"
QUIT_MESSAGE = QUIT_PREFIX + " after {rows:,} rows; the app offers to resume it when it opens again"
DECLINED_MESSAGE = "interrupted when the app was closed, after {rows:,} rows; resume to continue"
SCAN_LIMIT = 1000  # interrupted jobs looked at when the app opens


def mark_quit_interrupt(engine: Engine, job: ImportJob) -> bool:
    """Tag a job the closing app interrupted (False when it moved on meanwhile)."""
    if job.status is not JobStatus.INTERRUPTED:
        return False
    with engine.ctx.db.write() as conn:
        return inbox_claims.set_message(conn, job.uid, JobStatus.INTERRUPTED.value,
                                        QUIT_MESSAGE.format(rows=job.metadata.data_row_index))


def quit_interrupted(engine: Engine) -> list[ImportJob]:
    """Jobs still interrupted since an app was closed, oldest first."""
    jobs = engine.list_jobs(JobFilter(status=[JobStatus.INTERRUPTED], limit=SCAN_LIMIT))
    return [j for j in reversed(jobs) if (j.error_message or "").startswith(QUIT_PREFIX)]


def decline_resume(engine: Engine, jobs: list[ImportJob]) -> None:
    """The user chose not to resume them now: they stay interrupted and are not offered again."""
    with engine.ctx.db.write() as conn:
        for job in jobs:
            inbox_claims.set_message(conn, job.uid, JobStatus.INTERRUPTED.value,
                                     DECLINED_MESSAGE.format(rows=job.metadata.data_row_index))


def tag_quit_interrupt(engine: Engine, job: ImportJob) -> bool:
    """A `JobLoop`'s ``on_stopped`` in the app: a job its closing interrupted resumes by itself if the
    inbox claimed its file (the next watcher, the app's or `importdesk watch`, resumes it); any other
    is offered for resuming when the next app opens."""
    if inbox_jobs.is_claimed(job):
        return inbox_jobs.mark_shutdown_interrupt(engine, job)
    return mark_quit_interrupt(engine, job)
