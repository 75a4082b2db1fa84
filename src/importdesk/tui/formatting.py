"""How values look on screen: status glyphs and colours, progress cells, durations, rates.

Everything returns `rich.text.Text` built from plain strings, so data (file names, rejected
values) is never parsed as markup. Colours come from the running theme (`Palette`), never literals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from importdesk.models import ImportJob, JobStatus, Progress

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


def number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02}:{secs:02}"
    return f"{minutes}:{secs:02}"


def job_seconds(job: ImportJob, now: datetime) -> float | None:
    """How long it ran, over all its runs (a stay in `interrupted` does not count); up to now while it runs."""
    return job.active_seconds(now if job.status is JobStatus.PROCESSING else None)


def when(value: datetime | None, now: datetime) -> str:
    """Local time; the date only when it is not today."""
    if value is None:
        return ""
    local = value.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def stamp(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "–"


def rate_and_eta(job: ImportJob) -> tuple[float | None, float | None]:
    """Rows per second and seconds left, over the running time only (no wall clock)."""
    return job.rate_and_eta()


def percent(progress: Progress) -> int:
    """Whole percent processed, rounded down: 100 only when every row is processed; list and detail
    show the same number."""
    return progress.processed * 100 // progress.total if progress.total else 0


def size(value: int | None) -> str:
    if value is None:
        return "–"
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:,} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return ""


def one_line(text: str | None, limit: int = 200) -> str:
    """Data for a single-line cell: control characters shown, long values cut."""
    if text is None:
        return ""
    text = text.replace("\r", "␍").replace("\n", "␊").replace("\t", "␉")
    return text if len(text) <= limit else text[: limit - 1] + "…"



def value_text(value: object) -> str:
    """A data value as a person reads it: maps and lists as JSON (never a Python repr), None as ""."""
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
