"""How values look on screen: status glyphs and colours, progress cells and bars.

Everything returns `rich.text.Text` built from plain strings, so data (file names, rejected
values) is never parsed as markup. Colours come from the running theme (`Palette`), never literals.
The figures themselves (counts, durations, rates, percent, moments) follow `importdesk.text_format`,
the rules the command line uses too; they are named here as well, so a widget needs one import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

from importdesk.models import ImportJob, JobStatus, Progress
from importdesk.text_format import (
    duration,
    job_seconds,
    number,
    one_line,
    percent,
    rate,
    size,
    stamp,
    time_left,
    value_text,
    when,
)

__all__ = [  # the shared rules, for the widgets that take every figure from here
    "duration", "job_seconds", "number", "one_line", "percent", "rate", "size", "stamp", "time_left",
    "value_text", "when",
]

GLYPHS: dict[JobStatus, str] = {
    JobStatus.PENDING: "◌",
    JobStatus.PROCESSING: "▶",
    JobStatus.DONE: "✔",
    JobStatus.ERROR: "✘",
    JobStatus.INTERRUPTED: "‖",
    JobStatus.CANCELED: "⊘",
}

_EIGHTHS = " ▏▎▍▌▋▊▉"


@dataclass(frozen=True)
class Palette:
    """Rich style strings taken from the theme's variables ($success, $error …)."""

    success: str = "green"
    error: str = "red"
    warning: str = "yellow"
    primary: str = "blue"
    muted: str = "dim"

    @classmethod
    def from_variables(cls, variables: dict[str, str]) -> Palette:
        def pick(name: str, fallback: str) -> str:
            value = variables.get(name, "")
            return value[:7] if value.startswith("#") else fallback
        return cls(success=pick("success", "green"), error=pick("error", "red"),
                   warning=pick("warning", "yellow"), primary=pick("primary", "blue"),
                   muted=pick("foreground-darken-3", "dim"))

    def status(self, job: ImportJob) -> str:
        status = job.status
        if status is JobStatus.DONE:
            return self.warning if job.progress.error else self.success
        return {
            JobStatus.PENDING: self.muted,
            JobStatus.PROCESSING: self.primary,
            JobStatus.ERROR: self.error,
            JobStatus.INTERRUPTED: self.warning,
            JobStatus.CANCELED: self.muted,
        }[status]


def status_cell(job: ImportJob, palette: Palette) -> Text:
    label = job.status.value
    if job.status is JobStatus.DONE and job.progress.error:
        label = "done*"
    return Text(f"{GLYPHS[job.status]} {label}", style=palette.status(job))


RETRY_MARK = "↻"


def file_cell(job: ImportJob) -> Text:
    """The file name; a retry of failed rows is marked, so it does not look like its original."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if job.retry_of_uid:
        text.append(f"{RETRY_MARK} ", style="bold")
    text.append(one_line(job.file_name, 80))
    if job.retry_of_uid:
        text.append(f" (retry of {job.retry_of_uid[-8:]})", style="italic")
    return text


def bar(fraction: float, width: int) -> str:
    """A bar of `width` cells filled to `fraction` with eighth-cell precision."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part and full < width else "")
    return text.ljust(width)


def progress_cell(job: ImportJob, palette: Palette, width: int = 8) -> Text:
    """`███▌    62%`: compact, for a table cell."""
    p = job.progress
    if not p.total:
        return Text("–", style=palette.muted, justify="center")
    pct = percent(p)
    if not width:
        return Text(f"{pct:>4}%", style=palette.status(job))
    return Text.assemble((bar(p.fraction, width), palette.status(job)), f"{pct:>4}%")


def progress_bar(progress: Progress, palette: Palette, width: int = 40) -> Text:
    """A wide bar in three colours: done, error, pending."""
    if not progress.total:
        return Text("░" * width, style=palette.muted)
    done_w = round(progress.done / progress.total * width)
    error_w = round(progress.error / progress.total * width)
    if progress.error and not error_w:
        error_w = 1
    done_w = min(done_w, width - error_w)
    rest = width - done_w - error_w
    return Text.assemble(("█" * done_w, palette.success), ("█" * error_w, palette.error),
                         ("░" * rest, palette.muted))


def path_lines(path: str, width: int) -> str:
    """A path in lines of at most `width` cells, each broken after a `/`, so a folder or the file
    name is never cut in two (a single part longer than a line is still folded where it must)."""
    if width <= 0 or cell_len(path) <= width:
        return path
    lines, line = [], ""
    for part in re.split(r"(?<=/)", path):
        if line and cell_len(line + part) > width:
            lines.append(line)
            line = part
        else:
            line += part
    return "\n".join([*lines, line])
