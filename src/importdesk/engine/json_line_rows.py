"""JSON Lines batches the batch writer decodes and validates itself, on the second core.

A JSON Lines file read line by line gives records that keep their line
(``readers.json_source.LineRecord``). A batch whose records are all such records of one shape —
the shape of the file's first record, which takes the positional path (``record_rows.py``) — can
go to the writer as its lines: the writer decodes them as the reader does
(``json_source.line_records``), checks each has that shape, builds the positional rows and
validates them with the same PositionalValidator (rebuilt from a recipe; used only when its
fingerprint equals the runner's). Anything it is not sure of — a line it would not read as one
whole value, a record of another shape, an invalid row, a key twice — commits nothing: the batch
comes back whole ("redo", store/batch_writer.py) and the runner builds it from its own records,
read by the reader, so every error is worded exactly as before.

The writer's side is ``importdesk/json_lines_helper.py`` (its ``load``, as
``schemas/positional_recipe.py`` is for table rows), which imports no engine module: the writer
process stays small. The runner reads such a file with ``lazy_records``: a line the writer
decodes is decoded here only when this process builds its batch (``decode_lines``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from importdesk.engine.record_rows import RecordRows, RowPlan, shape_of
from importdesk.json_lines_helper import fingerprint
from importdesk.models import ImportJob
from importdesk.readers import Limits
from importdesk.readers.json_source import LazyLine, LineRecord
from importdesk.schemas import positional_recipe

__all__ = ["JsonLineRows"]


class JsonLineRows:
    """The runner's side: which batches go to the writer as lines, and the writer's recipe."""

    def __init__(self, shape: tuple[Any, ...], plan: RowPlan, limits: Limits, recipe: dict[str, Any]) -> None:
        self.shape = shape
        self.plan = plan
        self.rt_name = plan.rt_name  # the name a batch counts its rows under (a file's wire name)
        self.pv = plan.pv
        self.limits = limits
        self.recipe = recipe
        self.fingerprint = fingerprint(plan.pv, shape, plan.outer_keys, limits)

    @staticmethod
    def for_job(schemas_dir: Any, job: ImportJob, source: Any, record_rows: RecordRows | None) -> JsonLineRows | None:
        """None unless ``source`` is JSON Lines whose first record is read from its line and has
        a shape ``record_rows`` takes positionally."""
        if record_rows is None or source.info.format != "jsonl":
            return None
        first = _first_record(source)
        if first is None or first.__class__ is not LineRecord:  # (records(): decoded)
            return None
        shape = shape_of(first)
        plan = record_rows.plan_of(shape)
        if plan is None:
            return None
        limits = source.limits
        # a table rows' recipe (the validator, the locale rules) and what decoding the lines needs
        recipe = {**positional_recipe.recipe(schemas_dir, plan.rt_name, job.metadata.locale,
                                             job.parent_resource_id, list(plan.pv.columns)),
                  "shape": shape, "outer_keys": tuple(plan.outer_keys), "limits": dataclasses.asdict(limits)}
        return JsonLineRows(shape, plan, limits, recipe)

    def helper(self) -> tuple[str, dict[str, Any]]:
        """What the writer is told to load (store/batch_writer.py: the helper)."""
        return ("importdesk.json_lines_helper", self.recipe)

    def payload(self, records: list) -> list[tuple[str, int]] | None:
        """The batch as (line, number) pairs for the writer, or None: a record not read from a
        line of its own, or of another type (then the runner builds the batch). The writer
        checks each record's shape (a batch it cannot take comes back: that costs only it)."""
        typ = self.shape[0]
        for rec in records:
            cls = rec.__class__
            if cls is not LazyLine and (cls is not LineRecord or rec.type != typ):
                return None
        return [(rec.line, rec.number) for rec in records]

    @staticmethod
    def batch_rows(rows: int) -> int:
        """A batch of such lines is ~2x the bytes of a table's (~350 bytes a line): half as many
        rows make a request that fits the writer's pipe (1 MB), so handing one over does not wait
        for the writer to finish the batch before it (the runner builds the next one meanwhile)."""
        return max(1, rows // 2)

    @staticmethod
    def records(source: Any, skip: int) -> Any:
        return source.lazy_records(skip)


def _first_record(source: Any) -> Any:
    records = source.records()
    try:
        return next(records, None)
    finally:
        records.close()
