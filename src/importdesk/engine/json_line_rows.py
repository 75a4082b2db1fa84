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

``load(recipe)`` is the writer's side (the helper the writer imports, as
``schemas/positional_recipe.py`` is for table rows).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from importdesk.engine.record_rows import RecordRows, RowPlan, shape_of
from importdesk.gc_settings import tune_gc
from importdesk.models import ImportJob
from importdesk.readers import Limits
from importdesk.readers.json_source import LineRecord, line_records
from importdesk.schemas import Registry, positional_recipe

__all__ = ["JsonLineRows", "load"]


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
        if first is None or first.__class__ is not LineRecord:
            return None
        shape = shape_of(first)
        plan = record_rows.plan_of(shape)
        if plan is None:
            return None
        limits = source.limits
        recipe = {"schemas": str(schemas_dir), "type": plan.rt_name, "locale": job.metadata.locale,
                  "parent": job.parent_resource_id, "columns": list(plan.pv.columns), "shape": shape,
                  "outer_keys": tuple(plan.outer_keys), "limits": dataclasses.asdict(limits)}
        return JsonLineRows(shape, plan, limits, recipe)

    def helper(self) -> tuple[str, dict[str, Any]]:
        """What the writer is told to load (store/batch_writer.py: the helper)."""
        return (__name__, self.recipe)

    def payload(self, records: list) -> list[tuple[str, int]] | None:
        """The batch as (line, number) pairs for the writer, or None: a record not read from a
        line of its own, or of another type (then the runner builds the batch). The writer
        checks each record's shape (a batch it cannot take comes back: that costs only it)."""
        typ = self.shape[0]
        for rec in records:
            if rec.__class__ is not LineRecord or rec.type != typ:
                return None
        return [(rec.line, rec.number) for rec in records]


def _first_record(source: Any) -> Any:
    records = source.records()
    try:
        return next(records, None)
    finally:
        records.close()


def fingerprint(pv: Any, shape: tuple[Any, ...], outer_keys: tuple[str, ...], limits: Limits) -> str:
    """What the writer's decoding and validation check, as one digest (equal, equal digests)."""
    described = (positional_recipe.fingerprint(pv), pv.json_values, shape, tuple(outer_keys),
                 sorted(dataclasses.asdict(limits).items()))
    return hashlib.sha256(repr(described).encode()).hexdigest()


def load(spec: dict[str, Any]) -> tuple[str, Callable[[list[tuple[str, int]]], list[tuple[Any, ...]]]]:
    """The writer's side: (fingerprint, prepare); ``prepare`` turns (line, number) pairs into
    stored rows, or raises for a batch the runner is to build itself (module docstring)."""
    tune_gc()  # the process validates as many rows as the runner: the same collector settings
    registry = Registry.load(Path(spec["schemas"]))
    rv = registry.get(spec["type"]).validator(spec["locale"], parent=spec["parent"])
    pv = rv.positional(spec["columns"], json_values=True)
    if pv is None:
        raise ValueError("the records cannot be validated by position")
    shape = tuple(spec["shape"])
    outer_keys = tuple(spec["outer_keys"])
    limits = Limits(**spec["limits"])
    validate = pv.validate_or_raise
    key_of = pv.key_of

    def prepare(rows: list[tuple[str, int]]) -> list[tuple[Any, ...]]:
        records = line_records(rows, limits)
        if records is None:
            raise ValueError("a line the runner reads itself")
        cells = []
        append = cells.append
        for rec in records:
            values, outer = rec.values, rec.outer
            if (rec.type, tuple(values), None if outer is None else tuple(outer)) != shape:
                raise ValueError("a record of another shape")
            row = list(values.values())
            if outer_keys:
                row.extend([outer[k] for k in outer_keys])
            row.append(rec.number)
            append(row)
        stored = list(map(validate, cells))
        if len(set(map(key_of, stored))) != len(stored):
            raise ValueError("a key repeats in the batch")
        return stored

    return fingerprint(pv, shape, outer_keys, limits), prepare
