"""The engine facade: what the command line, the app and the inbox call. No SQL above this line.

``Engine`` gathers the commands that create jobs (job_creation.py), the commands that change them
(job_commands.py) and the reads (queries.py), and runs jobs (run_job, run_next) here."""

from __future__ import annotations

import threading

from importdesk.engine.clock import Clock, UidFactory, new_uid, utc_now
from importdesk.engine.context import EngineContext
from importdesk.engine.errors import DuplicateContent, UsageError
from importdesk.engine.events import ProgressCallback, Throttle
from importdesk.engine.import_options import FORMATS, ImportOptions, file_job
from importdesk.engine.job_commands import JobCommands
from importdesk.engine.job_creation import JobCreation
from importdesk.engine.queries import JobQueries
from importdesk.engine.worker_identity import this_worker
from importdesk.models import ImportJob, JobType
from importdesk.readers import Limits
from importdesk.workspace import Workspace

# the names callers import from here
__all__ = ["FORMATS", "DuplicateContent", "Engine", "ImportOptions", "UsageError", "file_job"]


class Engine(JobCreation, JobCommands, JobQueries):
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
        from importdesk.engine.pipeline import JobRunner  # the schemas and readers: not for a command that reads

        return JobRunner(self.ctx, job, cancel, throttle)

    def run_next(self, *, cancel: threading.Event | None = None,
                 on_progress: ProgressCallback | None = None, interval: float = 0.2) -> ImportJob | None:
        """Claim the oldest pending job, if any, and run it. Safe to call from several processes."""
        job = self.ctx.jobs.claim_next(self.worker, self.ctx.clock())
        if job is None:
            return None
        return self._runner(job, cancel, Throttle(on_progress, interval)).run()

    def close(self) -> None:
        self.ctx.db.close()
