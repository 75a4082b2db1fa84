"""The one-line summary of a job that the commands print (figures as `importdesk.text_format` writes them)."""

from __future__ import annotations

from importdesk.models import ImportJob
from importdesk.text_format import number, safe


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
