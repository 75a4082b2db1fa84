"""The batch writer's helper for JSON Lines (engine/json_line_rows.py): ``load(recipe)`` rebuilds
the job's PositionalValidator and returns a function from (line, number) pairs to stored rows —
each line decoded as the reader decodes it (``readers.json_source.line_records``), of the one
shape the recipe names, valid, and no key twice — that raises for any batch it is not sure of
(the runner then builds that batch from its own records).

It sits beside the layers, over readers and schemas only, so the writer process that imports it
loads no engine module (a smaller, faster-starting process). ``fingerprint`` is what both sides
compare before the runner hands over a line.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from importdesk.gc_settings import tune_gc
from importdesk.readers import Limits
from importdesk.readers.json_source import line_records
from importdesk.schemas import Registry, adopt_rules, positional_recipe

__all__ = ["fingerprint", "load"]


def fingerprint(pv: Any, shape: tuple[Any, ...], outer_keys: tuple[str, ...], limits: Limits) -> str:
    """What the writer's decoding and validation check, as one digest (equal, equal digests)."""
    described = (positional_recipe.fingerprint(pv), pv.json_values, shape, tuple(outer_keys),
                 sorted(dataclasses.asdict(limits).items()))
    return hashlib.sha256(repr(described).encode()).hexdigest()


def load(spec: dict[str, Any]) -> tuple[str, Callable[[list[tuple[str, int]]], list[tuple[Any, ...]]]]:
    """(fingerprint, prepare) for the recipe ``spec`` (engine/json_line_rows.py writes it)."""
    tune_gc()  # the process validates as many rows as the runner: the same collector settings
    adopt_rules(spec.get("rules", ()))
    registry = Registry.load_for(Path(spec["schemas"]), spec["type"])
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
        del records
        stored = list(map(validate, cells))
        if len(set(map(key_of, stored))) != len(stored):
            raise ValueError("a key repeats in the batch")
        return stored

    return fingerprint(pv, shape, outer_keys, limits), prepare
