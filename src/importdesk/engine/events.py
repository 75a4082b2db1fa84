"""How the engine reports: a callback receiving job snapshots, throttled at the source."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from importdesk.models import ImportJob


@dataclass(frozen=True)
class JobProgressed:
    """A snapshot of a running job; `final` is set once the job has left `processing`."""

    job: ImportJob
    final: bool = False


ProgressCallback = Callable[[JobProgressed], None]


class Throttle:
    """Lets a report through at most every `interval` seconds; status changes always pass."""

    def __init__(self, callback: ProgressCallback | None, interval: float = 0.2):
        self.callback = callback
        self.interval = interval
        self._last = 0.0

    def report(self, job: ImportJob, *, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if force or job.status.is_final or now - self._last >= self.interval:
            self._last = now
            self.callback(JobProgressed(job, final=job.status.value != "processing"))
