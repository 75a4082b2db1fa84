"""The one way every face runs jobs: claim, run in the calling thread, settle what the run left.

`importdesk run`/`work`, the app's child worker and queue threads, and the inbox's workers all run
jobs through a `JobLoop`, so what happens after a run ends is written once:

- a final job whose file the inbox claimed: its claim folder moves to `archive/` or `failed/` (the
  file moves on only after the job's final commit);
- a job that our own stop request interrupted goes to ``on_stopped``, where a service that shuts
  down tags it: `inbox_resumes_it` (the watch service: the next one resumes its inbox jobs), the
  app's own rule (inbox jobs so, any other so that the next app offers to resume it). Without
  ``on_stopped`` (Ctrl-C on `importdesk run` or `work`) it stays a user's interrupt: `resume` it.

A failed settle never changes the job: the next watcher's reconcile moves the file; ``on_problem``
hears why. `thread_store` closes a thread's store connection (one per thread) when its work ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from importdesk.engine import inbox_jobs
from importdesk.engine.events import ProgressCallback
from importdesk.engine.service import Engine
from importdesk.models import ImportJob, JobStatus

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.2  # seconds between throttled progress reports


@contextmanager
def thread_store(engine: Engine) -> Iterator[Engine]:
    """``with thread_store(engine):`` around a worker thread's use of the engine: the thread's own
    store connection is closed when the block ends, however it ends (it would stay open, holding a
    file handle and the WAL's read mark, until the thread object is collected)."""
    try:
        yield engine
    finally:
        engine.close()


def inbox_resumes_it(engine: Engine, job: ImportJob) -> bool:
    """``on_stopped`` of a service shutting down: a job of a claimed inbox file is tagged so that the
    next watch service resumes it (False for any other job, or one that moved on meanwhile)."""
    return inbox_jobs.is_claimed(job) and inbox_jobs.mark_shutdown_interrupt(engine, job)


class JobLoop:
    """Runs jobs here, in the calling thread, each settled as soon as its run returns.

    ``stop`` is the cancel event of every run (set: the job in flight stops at its next batch
    boundary, `interrupted` and resumable, and `drain` starts no other).
    """

    def __init__(self, engine: Engine, stop: threading.Event | None = None, *,
                 on_progress: ProgressCallback | None = None, interval: float = PROGRESS_INTERVAL,
                 on_stopped: Callable[[Engine, ImportJob], object] | None = None,
                 on_problem: Callable[[ImportJob, str], None] | None = None) -> None:
        self.engine = engine
        self.stop = stop if stop is not None else threading.Event()
        self.on_progress = on_progress
        self.interval = interval
        self.on_stopped = on_stopped
        self.on_problem = on_problem

    def run(self, uid: str) -> ImportJob:
        """Run this pending job (UsageError when it is not pending) and settle it."""
        job = self.engine.run_job(uid, cancel=self.stop, on_progress=self.on_progress, interval=self.interval)
        return self.settle(job)

    def run_next(self) -> ImportJob | None:
        """Claim the oldest pending job and run and settle it; None when nothing is pending."""
        job = self.engine.run_next(cancel=self.stop, on_progress=self.on_progress, interval=self.interval)
        return None if job is None else self.settle(job)

    def drain(self) -> Iterator[ImportJob]:
        """Each job as it ends, until none is pending or ``stop`` is set."""
        while not self.stop.is_set():
            job = self.run_next()
            if job is None:
                return
            yield job

    def stopped_by_us(self, job: ImportJob) -> bool:
        """The job ended `interrupted` because our stop was set (not a user's interrupt elsewhere)."""
        return job.status is JobStatus.INTERRUPTED and self.stop.is_set()

    def settle(self, job: ImportJob) -> ImportJob:
        """What a run leaves to do once it returned (see the module's docstring). Returns the job."""
        try:
            if job.status.is_final:
                inbox_jobs.settle_job(self.engine, job.uid)
            elif self.on_stopped is not None and self.stopped_by_us(job):
                self.on_stopped(self.engine, job)
        except OSError as exc:
            self._problem(job, f"could not move its file ({exc.strerror or exc}); retrying at the next rescan")
        except Exception as exc:  # the job itself is fine; only its after-run bookkeeping failed
            log.exception("settling job %s failed", job.uid)
            self._problem(job, f"could not settle it after its run ({type(exc).__name__}: {exc})")
        return job

    def _problem(self, job: ImportJob, message: str) -> None:
        log.warning("job %s: %s", job.uid, message)
        if self.on_problem is not None:
            self.on_problem(job, message)
