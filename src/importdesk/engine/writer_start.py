"""Starting a job's batch writer (store/batch_writer.py): whether one may help this job, the rows
of a CSV file not yet counted (estimated from its first bytes, to start the writer before the
count), and the writer itself — given the recipe of the job's validator, so that it can validate
raw batches (schemas/positional_recipe.py), and for a new job the call that counts the file."""

from __future__ import annotations

import logging
import sys
from typing import Any

from importdesk.engine import writer_prestart
from importdesk.engine.context import EngineContext
from importdesk.models import ImportJob, JobType
from importdesk.schemas import positional_recipe
from importdesk.store.batch_writer import BatchWriter
from importdesk.store.database import PRAGMAS

log = logging.getLogger(__name__)

HEAD_BYTES = 1 << 16  # what the rows of a CSV file are estimated from, before it is counted


def writer_may_help(ctx: EngineContext, job: ImportJob) -> bool:
    return (job.job_type is JobType.EXECUTE
            and ctx.db.batch_writer_ok  # a SQLite file (store/backends)
            and not getattr(sys, "frozen", False))  # a frozen app cannot run the writer script


def start_writer(ctx: EngineContext, job: ImportJob, pv: Any,
                 count_call: tuple[Any, ...] | None = None,
                 helper: tuple[str, Any] | None = None) -> BatchWriter | None:
    """A batch writer for ``job``'s rows (``pv``: its PositionalValidator, None for rows it cannot
    validate; ``helper``: another helper's module and recipe, engine/json_line_rows.py or
    engine/writer_wording.py, else the positional validator's); None
    when it could not start (an optimisation: without it, commits are made in the runner's
    process)."""
    if helper is None and pv is not None:
        helper = ("importdesk.schemas.positional_recipe",
                  positional_recipe.recipe(ctx.workspace.schemas, job.resource_type, job.metadata.locale,
                                           job.parent_resource_id, list(pv.columns)))
    try:
        return BatchWriter(str(ctx.db.path), list(PRAGMAS), helper, count_call, started=writer_prestart.take())
    except Exception as exc:
        log.warning("no batch writer (%s); committing in this process", exc)
        return None


def estimated_rows(source: Any) -> int:
    """Rows of a CSV or JSON Lines file not yet counted, estimated from its first bytes (0:
    another format); a source that estimates its own (XLSX: from its sheet's first rows) is asked."""
    if hasattr(source, "estimated_rows"):
        return source.estimated_rows()
    info = source.info
    if info.format not in ("csv", "jsonl") or not info.size:
        return 0
    try:
        with open(source.path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return 0
    lines = head.count(b"\n")
    return info.size * lines // len(head) if lines else 0
