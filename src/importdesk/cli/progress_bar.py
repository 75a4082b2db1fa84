"""Progress of a running job on stderr: a live bar on a terminal, a log line every few seconds elsewhere.

On a terminal, rich's ``Progress`` draws one line that fits the terminal's width (the bar shrinks,
the file name is cut with an ellipsis), redraws it in place and leaves the final state on its own
line. It is refreshed by the engine's throttled events, not by a thread of its own. When stderr is
not a terminal (CI logs, ``2> file``) a plain line every ``LOG_EVERY`` seconds shows rows and rate.
Percent, speed and time left are the job's own, written as the app writes them (`importdesk.text_format`):
the same job shows the same figures on the terminal and in the app.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from importdesk.engine import JobProgressed
from importdesk.models import JobStatus
from importdesk.text_format import number, percent, rate, safe, time_left

if TYPE_CHECKING:  # rich is imported only for a live bar: log lines need none of it
    from rich.console import Console
    from rich.progress import TaskID

LOG_EVERY = 5.0  # seconds between two log lines when stderr is not a terminal


def progress_reporter(stream: TextIO | None = None, *, console: Console | None = None,
                      clock: Callable[[], float] = time.monotonic) -> Callable[[JobProgressed], None]:
    """The engine's ``on_progress`` for one job: a live bar on a terminal, log lines otherwise."""
    stream = stream or sys.stderr
    if console is not None or _is_terminal(stream):
        if console is None:
            from rich.console import Console

            console = Console(file=stream, stderr=stream is sys.stderr)
        return LiveBar(console)
    return LogLines(stream, clock=clock)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def short(n: float) -> str:
    """A count in at most 6 characters for the live line (the summary afterwards is exact)."""
    if n < 10_000:
        return number(int(n))
    for divisor, unit in ((1e3, "k"), (1e6, "M"), (1e9, "G")):
        value = n / divisor
        if value < 999.5 or unit == "G":
            return f"{value:.1f}{unit}" if value < 99.95 else f"{value:.0f}{unit}"
    raise AssertionError("unreachable")




class LiveBar:
    """One redrawn line: name, bar, percent, rows, errors, rate, time left."""

    def __init__(self, console: Console):
        from rich.progress import BarColumn, Progress, TextColumn
        from rich.table import Column

        self.console = console
        wide = console.width >= 64  # narrower: no bar and no rate, so what is left stays readable
        name_width = max(8, min(24, console.width // 4))
        columns = [TextColumn("{task.description}",
                              table_column=Column(no_wrap=True, overflow="ellipsis", max_width=name_width))]
        if wide:
            columns.append(BarColumn(bar_width=None, table_column=Column(ratio=1, min_width=5)))
        columns += [TextColumn("{task.fields[percent]}", style="progress.percentage",
                               table_column=Column(no_wrap=True)),
                    TextColumn("{task.fields[rows]}", table_column=Column(no_wrap=True, overflow="ellipsis")),
                    TextColumn("{task.fields[errors]}", style="red", table_column=Column(no_wrap=True))]
        if wide:
            columns.append(TextColumn("{task.fields[rate]}", style="progress.data.speed",
                                      table_column=Column(no_wrap=True)))
        columns.append(TextColumn("{task.fields[left]}", style="progress.remaining", table_column=Column(no_wrap=True)))
        self.progress = Progress(*columns, console=console, auto_refresh=False, expand=wide, transient=False)
        self._task: TaskID | None = None

    def __call__(self, event: JobProgressed) -> None:
        job = event.job
        p = job.progress
        speed, left = job.rate_and_eta()
        fields = {"percent": f"{percent(p):>3}%" if p.total else "",
                  "rows": f"{short(p.processed)}/{short(p.total)}",
                  "errors": f"{short(p.error)} err" if p.error else "",
                  "rate": rate(speed) or "– rows/s",
                  "left": time_left(left) or ("-:--" if job.status is JobStatus.PROCESSING else "")}
        if self._task is None:
            self.progress.start()
            self._task = self.progress.add_task(safe(job.file_name) or job.resource_type, total=p.total or None,
                                                completed=p.processed, **fields)
        else:
            self.progress.update(self._task, total=p.total or None, completed=p.processed, **fields)
        self.progress.refresh()
        if event.final:
            self.progress.stop()


class LogLines:
    """A line on the first report, then every ``every`` seconds: enough for a CI log to show life."""

    def __init__(self, stream: TextIO, *, every: float = LOG_EVERY, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.every = every
        self.clock = clock
        self._last: float | None = None

    def __call__(self, event: JobProgressed) -> None:
        if event.final:
            return  # the command prints the job's summary next
        now = self.clock()
        p = event.job.progress
        if self._last is not None and now - self._last < self.every:
            return
        self._last = now
        share = f" ({percent(p)}%)" if p.total else ""
        errors = f", {number(p.error)} rejected" if p.error else ""
        speed = rate(event.job.rate_and_eta()[0])
        speed = f", {speed}" if speed else ""
        self.stream.write(f"importdesk: job {event.job.short_uid} {safe(event.job.file_name)}: "
                          f"{number(p.processed)}/{number(p.total)} rows{share}{errors}{speed}\n")
        self.stream.flush()
