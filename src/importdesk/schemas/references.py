"""References: fields whose value names a record of another type by one of its fields.

A field declares ``references = "type.field"`` (a string field, or a list whose string items are
names and whose object items are records given inline). ``platform_id_pattern``: values of that
form are the platform's own ids (a UUID in Elastic Path), which nothing here can check.

This module knows the declarations: ``references_of(rt)`` lists a type's, ``names_in(ref, clean)``
yields the names a clean row gives (with the path of each, ``products[1]``), and
``check_references(types)`` tells, once every type is loaded, which declarations name a type or
field that does not exist. Resolving names against the file and the store is the engine's job
(``engine/references.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .spec import ResourceType

__all__ = ["Reference", "check_references", "names_in", "referenced_fields", "references_of"]

_NOT_A_TARGET = ("json", "object", "map", "list")


@dataclass(frozen=True)
class Reference:
    field: str            # the referring field of ``owner``
    owner: str            # the referring type
    target: str           # the type named
    target_field: str     # the field of ``target`` whose value the name is
    many: bool            # a list of names (and inline records)
    platform_ids: re.Pattern[str] | None = None

    @property
    def label(self) -> str:
        return f"{self.target} ({self.target_field})"

    def is_platform_id(self, name: str) -> bool:
        return self.platform_ids is not None and self.platform_ids.search(name) is not None


def references_of(rt: ResourceType) -> tuple[Reference, ...]:
    out = []
    for spec in rt.fields.values():
        if spec.references:
            target, target_field = spec.references.split(".", 1)
            pattern = re.compile(spec.platform_id_pattern) if spec.platform_id_pattern else None
            out.append(Reference(spec.name, rt.name, target, target_field, spec.type == "list", pattern))
    return tuple(out)


def names_in(ref: Reference, clean: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, name) of each name the row gives in ``ref``'s field (inline records are not names)."""
    value = clean.get(ref.field)
    if value is None:
        return
    if not ref.many:
        yield ref.field, value
        return
    for i, item in enumerate(value):
        if isinstance(item, str):
            yield f"{ref.field}[{i}]", item


def referenced_fields(types: Mapping[str, ResourceType]) -> dict[str, set[str]]:
    """type -> its fields that some type's references name."""
    out: dict[str, set[str]] = {}
    for rt in types.values():
        for ref in references_of(rt):
            out.setdefault(ref.target, set()).add(ref.target_field)
    return out


def check_references(rt: ResourceType, types: Mapping[str, ResourceType]) -> list[str]:
    """What is wrong with ``rt``'s reference declarations, given every loaded type."""
    problems = []
    for ref in references_of(rt):
        where = f"field {ref.field!r}: references {ref.target}.{ref.target_field}"
        target = types.get(ref.target)
        if target is None:
            known = ", ".join(sorted(types))
            problems.append(f"{where}: there is no type {ref.target!r} (known: {known})")
        elif ref.target_field not in target.fields:
            problems.append(f"{where}: {ref.target} has no field {ref.target_field!r} "
                            f"(its fields: {', '.join(target.fields)})")
        elif target.fields[ref.target_field].type in _NOT_A_TARGET:
            problems.append(f"{where}: a {target.fields[ref.target_field].type} field cannot be named by a reference")
    return problems
