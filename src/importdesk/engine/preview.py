"""A look at the start of a file before it becomes a job: what was detected, the first rows, how many
there are, and the type its headers suggest (the new-import dialog shows this as the user types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from importdesk.engine.service import Engine, UsageError
from importdesk.readers import ReaderError, SourceInfo, open_source
from importdesk.schemas import SchemaError


@dataclass
class FilePreview:
    path: Path
    info: SourceInfo | None = None
    rows: list[Any] = field(default_factory=list)  # a list of cells per row (tables) or a dict (JSON)
    count: int | None = None
    suggested: str | None = None
    error: str | None = None  # what stopped the reading, for the user; the fields above stay empty


def preview_file(engine: Engine, path: Path, rows: int) -> FilePreview:
    """Never raises for a file that cannot be read: the reason is in ``error``."""
    found = FilePreview(path)
    try:
        with open_source(path, limits=engine.ctx.limits) as src:
            found.info = src.info
            found.rows = [rec.values for rec in islice(src.records(), rows)]
            found.count = src.count()
        found.suggested = engine.suggest_type(path)
    except (ReaderError, SchemaError, UsageError, OSError) as exc:
        found = FilePreview(path, error=str(exc))
    return found
