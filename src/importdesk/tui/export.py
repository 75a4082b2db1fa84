"""Where the app writes a job's files in the workspace's exports/ folder.

The files themselves are the engine's (`Engine.export_failed_rows`, `Engine.report`): formula
neutralisation and the CSV/XLSX layout live in `importdesk.exports`, not here.
"""

from __future__ import annotations

import json
from pathlib import Path

from importdesk.engine import Engine
from importdesk.models import ImportJob


def failed_rows_path(engine: Engine, job: ImportJob, fmt: str) -> Path:
    """exports/failed-rows-<file stem>-<short uid>.<csv|xlsx>"""
    stem = Path(job.file_name or "job").stem or "job"
    return engine.workspace.exports / f"failed-rows-{stem}-{job.short_uid}.{fmt}"


def copy_path(engine: Engine, job: ImportJob) -> Path:
    return engine.workspace.exports / f"{job.uid}.json"


def write_report(engine: Engine, job: ImportJob, path: Path) -> str:
    """The job in the ImportJob shape with errors_log / warnings_log, as JSON; written atomically."""
    text = json.dumps(engine.report(job.uid), ensure_ascii=False, default=str)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return text
