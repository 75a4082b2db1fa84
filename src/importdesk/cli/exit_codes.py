"""Exit codes of `importdesk`, documented in the README and in `importdesk --help`."""

from importdesk.models import ImportJob, JobStatus

OK = 0  # the job finished and every row was imported (or validated) without error
ROW_ERRORS = 1  # the job finished, but some rows were rejected (see `importdesk errors UID`)
USAGE = 2  # bad arguments, unknown file, type, job or locale; nothing was imported
FAILED = 3  # the job stopped with a fatal error (unreadable file, missing required columns …)
INTERRUPTED = 4  # the job was interrupted (error threshold crossed, or asked to): resume it later
CANCELED = 5  # the job was canceled
SIGINT = 130  # stopped with Ctrl-C at a batch boundary; the job is interrupted and resumable

EPILOG = """exit codes:
  0  done, every row imported or valid       3  job failed (fatal error)
  1  done, some rows rejected                4  interrupted (threshold or request): resumable
  2  usage error, nothing imported           5  canceled          130  Ctrl-C (resumable)"""


def for_job(job: ImportJob) -> int:
    if job.status is JobStatus.DONE:
        return ROW_ERRORS if job.progress.error else OK
    return {JobStatus.ERROR: FAILED, JobStatus.INTERRUPTED: INTERRUPTED,
            JobStatus.CANCELED: CANCELED}.get(job.status, OK)
