"""Writing a job's errors to a CSV file in the workspace's exports/ folder."""

from __future__ import annotations

import csv
from pathlib import Path

from importdesk.engine import Engine
from importdesk.models import ImportJob

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("row", "level", "column", "value", "code", "message")


def neutralise(value: str | None) -> str:
    """A value a spreadsheet would run as a formula stays text (OWASP CSV injection)."""
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value or ""


def export_path(engine: Engine, job: ImportJob) -> Path:
    stem = Path(job.file_name or "job").stem or "job"
    return engine.workspace.exports / f"errors-{stem}-{job.short_uid}.csv"


def export_items(engine: Engine, job: ImportJob, path: Path | None = None) -> tuple[Path, int]:
    """Every item of the job in row order, streamed (constant memory). Returns the path and count."""
    path = path or export_path(engine, job)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.part")
    count = 0
    with tmp.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for item in engine.iter_items(job.uid):
            writer.writerow([item.row_number if item.row_number is not None else "", item.level.value,
                             neutralise(item.field), neutralise(item.value), item.code,
                             neutralise(item.message)])
            count += 1
    tmp.replace(path)
    return path, count
