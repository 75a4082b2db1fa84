"""A one-line progress bar on stderr for a terminal; silent otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from importdesk.engine import JobProgressed
from importdesk.cli.formatting import duration, number


class ProgressBar:
    WIDTH = 28

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._start = time.monotonic()
        self._first_processed: int | None = None

    def __call__(self, event: JobProgressed) -> None:
        if not self.enabled:
            return
        p = event.job.progress
        if self._first_processed is None:
            self._first_processed = p.processed
            self._start = time.monotonic()
        elapsed = max(time.monotonic() - self._start, 1e-6)
        rate = (p.processed - self._first_processed) / elapsed
        filled = int(self.WIDTH * p.fraction)
        eta = duration(p.pending / rate) if rate > 0 and p.pending else "–"
        line = (f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {p.fraction:4.0%} "
                f"{number(p.processed)}/{number(p.total)} rows · {number(p.error)} errors · "
                f"{number(int(rate))} rows/s · ETA {eta} ")
        self.stream.write(line)
        self.stream.flush()
        if event.final:
            self.stream.write("\n")
            self.stream.flush()
