"""A PositionalValidator that another process rebuilds: the batch writer validates some batches'
raw rows itself, on the second core, while the runner reads and validates the next ones.

``recipe(...)`` names the validator in plain values (the workspace's schemas folder, the type,
the locale, the job's parent and the file's columns, and the locale rules this process derived,
so that the other one need not load Babel's data), which ``marshal`` carries. The process that
rebuilds it (``load``) answers with its ``fingerprint`` — what the validator checks and stores,
field by field — and the runner uses it only when that equals its own: a schema file edited since
the job's engine loaded its types can never make the two validate differently.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

from importdesk.gc_settings import tune_gc

from .locale_rules import adopt_rules, known_rules
from .positional import PositionalValidator
from .raw_cells import unpacked
from .registry import Registry

__all__ = ["fingerprint", "load", "preparer", "rebuilt", "recipe"]


def recipe(schemas_dir: str | Path, resource_type: str, locale: str, parent: Any,
           columns: list[str | None]) -> dict[str, Any]:
    return {"schemas": str(schemas_dir), "type": resource_type, "locale": locale, "parent": parent,
            "columns": list(columns), "rules": known_rules()}


def fingerprint(pv: PositionalValidator) -> str:
    """What ``pv`` checks and how it stores, as one digest (equal validators, equal digests)."""
    rv = pv.rv
    rt = rv.resource_type
    described = (pv.columns, pv.layout, pv.key, rt.name, rt.key, tuple(map(_canonical, rt.stored_fields.values())),
                 _canonical(rv.rules), _canonical(rv.defaults), repr(rv.parent))
    return hashlib.sha256(repr(described).encode()).hexdigest()


def _canonical(value: Any) -> str:
    """``repr`` with sets, dicts and dataclasses in an order that is the same in every process
    (a frozenset's order follows string hashes, which differ per process)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = ", ".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(map(_canonical, value))) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(f"{_canonical(k)}: {_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(map(_canonical, value)) + ")"
    return repr(value)


def rebuilt(spec: dict[str, Any]) -> tuple[Registry, PositionalValidator]:
    """The registry and the validator ``spec`` names, made again in this process."""
    tune_gc()  # the process validates as many rows as the runner: the same collector settings
    adopt_rules(spec.get("rules", ()))
    registry = Registry.load_for(Path(spec["schemas"]), spec["type"])
    rv = registry.get(spec["type"]).validator(spec["locale"], parent=spec["parent"])
    pv = rv.positional(spec["columns"])
    if pv is None:
        raise ValueError("the rows cannot be validated by position")
    return registry, pv


def load(spec: dict[str, Any]) -> tuple[str, Callable[[list[list[Any]]], list[tuple[Any, ...]]]]:
    """The validator ``spec`` names, rebuilt: its fingerprint, and a function from a batch of
    raw rows (cells + row number) to their stored tuples that raises on the first row that is
    not valid, or when two rows have the same key (those batches are the runner's to word);
    its ``keyed`` does the same and returns only the rows' keys and row numbers (a dry run's)."""
    _, pv = rebuilt(spec)
    return fingerprint(pv), preparer(pv)


def preparer(pv: PositionalValidator) -> Callable[[list[list[Any]]], list[tuple[Any, ...]]]:
    """``load``'s function of raw rows, for ``pv``."""
    validate = pv.validate_or_raise
    key_of = pv.key_of

    def prepare(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
        stored = list(map(validate, unpacked(rows)))
        if len(set(map(key_of, stored))) != len(stored):
            raise ValueError("a key repeats in the batch")
        return stored

    def keyed(rows: list[list[Any]]) -> tuple[list[str], list[int]]:
        """What a dry run keeps of the rows (validated as ``prepare`` does): keys, row numbers."""
        stored = list(map(validate, unpacked(rows)))
        keys = list(map(key_of, stored))
        if len(set(keys)) != len(keys):
            raise ValueError("a key repeats in the batch")
        return keys, list(map(row_of, stored))

    row_of = itemgetter(pv.tail)
    prepare.keyed = keyed  # (the batch writer's "raw_keys" steps)
    return prepare
