"""How counts, times, rates and data look as text: one rule each, the same in the command line and the app.

Plain strings only (no rich, no markup): the app wraps them in its `Text` cells, the command line
prints them. A job therefore shows the same figures in `importdesk show`, the progress line on the
terminal and the app's job list and detail pane:

- counts: thousands separators, `1,234,567`;
- time spent: whole seconds, rounded down like a clock (`0:59` until a minute has passed), `H:MM:SS`
  from an hour on; time left: rounded up, so a job that is still running never has `0:00` left;
- speed: whole rows per second, rounded half up, over the job's running time (a stay in
  `interrupted` does not count);
- percent processed: rounded down, so `100%` only once every row is processed;
- moments: the local time zone.
"""

from __future__ import annotations

import json
import math
from datetime import datetime

from importdesk.models import ImportJob, JobStatus, Progress


def number(value: int | None) -> str:
    """`1,234`; nothing for no value."""
    return "" if value is None else f"{value:,}"


def duration(seconds: float | None) -> str:
    """Time spent, rounded down to whole seconds: `0:59`, `1:00:00`; nothing for no value."""
    return "" if seconds is None else _clock(math.floor(max(seconds, 0.0)))


def time_left(seconds: float | None) -> str:
    """Time still to go, rounded up to whole seconds (0.2 s left is `0:01`); nothing for no value."""
    return "" if seconds is None else _clock(math.ceil(max(seconds, 0.0)))


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def rate(rows_per_second: float | None) -> str:
    """`4,000 rows/s`, whole rows rounded half up; nothing for no value."""
    if rows_per_second is None:
        return ""
    return f"{math.floor(max(rows_per_second, 0.0) + 0.5):,} rows/s"


def job_seconds(job: ImportJob, now: datetime | None = None) -> float | None:
    """How long a job ran, over all its runs (a stay in `interrupted` does not count); up to `now`
    while it runs, else up to its last commit."""
    return job.active_seconds(now if job.status is JobStatus.PROCESSING else None)


def percent(progress: Progress) -> int:
    """Whole percent processed, rounded down: 100 only when every row is processed."""
    return progress.processed * 100 // progress.total if progress.total else 0


def stamp(value: datetime | None) -> str:
    """A moment in full, local time: `2026-11-23 10:00:01`; `–` for none."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "–"


def when(value: datetime | None, now: datetime) -> str:
    """A moment in a narrow column, local time: the time only when it is today, else date and minute."""
    if value is None:
        return ""
    local = value.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def size(value: int | None) -> str:
    """`512 bytes`, `1.5 KiB`, `2.0 MiB`, `1.0 GiB` (binary units, one decimal); `–` for none."""
    if value is None:
        return "–"
    if value < 1024:
        return f"{value:,} bytes"
    scaled = float(value)
    for unit in ("KiB", "MiB", "GiB"):
        scaled /= 1024
        if scaled < 1024 or unit == "GiB":
            return f"{scaled:,.1f} {unit}"
    raise AssertionError("unreachable")


def safe(text: str | None) -> str:
    """Control characters in file names and values shown escaped (`\\x1b`), never sent to a terminal."""
    if text is None:
        return ""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def one_line(text: str | None, limit: int = 200) -> str:
    """Data for a single-line cell: line breaks and tabs shown as symbols, long values cut with `…`."""
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
