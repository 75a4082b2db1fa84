"""Exit codes of `importdesk`, documented in the README and, per command, in each command's help.
(Standard library only at import time: every command line, `--version` too, imports this.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importdesk.models import ImportJob

OK = 0  # the job finished and every row was imported (or validated) without error
ROW_ERRORS = 1  # the job finished, but some rows were rejected (see `importdesk errors UID`)
USAGE = 2  # bad arguments, unknown file, type, job or locale; nothing was imported
FAILED = 3  # the job stopped with a fatal error (unreadable file, missing required columns …)
INTERRUPTED = 4  # the job was interrupted (error threshold crossed, or asked to): resume it later
CANCELED = 5  # the job was canceled
SIGINT = 130  # stopped with Ctrl-C at a batch boundary; the job is interrupted and resumable

MEANING = {
    OK: "done: every row imported (or valid, for a dry run)",
    ROW_ERRORS: "done, but some rows were rejected (importdesk errors UID)",
    USAGE: "usage error: bad arguments, unknown file, type, job or locale; nothing changed",
    FAILED: "the job failed: unreadable file, missing required columns… (the message names them)",
    INTERRUPTED: "interrupted: error threshold crossed or asked to stop; resumable",
    CANCELED: "canceled",
    SIGINT: "stopped with Ctrl-C at a batch boundary; resumable",
}

#: what OK and USAGE mean for a command that runs no import
QUERY_MEANING = {
    OK: "done",
    USAGE: "usage error: bad arguments, or an unknown job, type or field; nothing changed",
}

#: what a command that reads or changes jobs without running one can return
QUERY = (OK, USAGE)
#: what a command that runs one job can return
RUNS_A_JOB = (OK, ROW_ERRORS, USAGE, FAILED, INTERRUPTED, CANCELED, SIGINT)


def epilog(codes: tuple[int, ...], example: str, meanings: dict[int, str] | None = None) -> str:
    """The end of a command's help: one example, then the exit codes this command can return."""
    base = MEANING if ROW_ERRORS in codes else {**MEANING, **QUERY_MEANING}
    meanings = {**base, **(meanings or {})}
    lines = ["\b", "Example:", f"  {example}", "", "\b", "Exit codes:"]
    lines += [f"  {code:<4} {meanings[code]}" for code in codes]
    return "\n".join(lines)


def for_job(job: ImportJob) -> int:
    from importdesk.models import JobStatus

    if job.status is JobStatus.DONE:
        return ROW_ERRORS if job.progress.error else OK
    return {JobStatus.ERROR: FAILED, JobStatus.INTERRUPTED: INTERRUPTED,
            JobStatus.CANCELED: CANCELED}.get(job.status, OK)
