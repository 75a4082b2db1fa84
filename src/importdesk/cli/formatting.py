"""Plain-text rendering shared by the commands."""

from __future__ import annotations

from datetime import datetime

from importdesk.models import ImportJob


def number(value: int) -> str:
    return f"{value:,}"


def duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "–"


def safe(text: str | None) -> str:
    """Control characters in file names and values are shown escaped, never sent to the terminal."""
    if text is None:
        return ""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def summary_line(job: ImportJob) -> str:
    p = job.progress
    verb = "would" if job.job_type.value == "validate" else ""
    s = job.summary
    changes = (f"{'would create' if verb else 'created'} {number(s.create)}, "
               f"{'update' if verb else 'updated'} {number(s.update)}, unchanged {number(s.unchanged)}")
    line = (f"job {job.uid} {job.job_type.value} {job.resource_type} {safe(job.file_name)}: {job.status.value} — "
            f"{number(p.total)} rows: {number(p.done)} ok, {number(p.error)} rejected, {number(p.pending)} pending; "
            f"{changes}; {number(job.warnings_count)} warnings")
    if job.error_message:
        line += f"\n  {safe(job.error_message)}"
    return line
