"""CSV column families: many columns of a table file gathered into one map or list field.

A ``map`` or ``list`` field may declare ``columns``, a header template with placeholders:

- ``{key}`` (maps): the key of the entry the column fills (``"Variant Price {key}"``: the column
  ``Variant Price EUR`` is the entry ``EUR``);
- ``{n}`` (lists): the item's number, which orders the items (``"Product Image {n}"``);
- ``{field}`` (values or items that are objects): which field of the object the column fills
  (``"Variant Option {n} {field}"`` with fields ``name`` and ``value``). A list template
  without ``{n}`` has one item (``"price_tiers.{field}"``).

Headers are matched like field names: case, and the spaces, ``_`` and ``-`` between words, do
not matter. Empty cells are left out (an item whose cells are all empty is no item); a family
whose cells are all empty is a missing value. A column that two families' templates match goes
to the first whose key also fits its ``key_pattern``, else to the first (whose check then
reports the key), so ``Variant Price {key}`` can be split between a currency map and a
region map.

``Family.headers(value)`` is the way back for exports: the (header, cell) pairs of a value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .field_spec import FieldSpec

__all__ = ["Family", "Slot", "family_of", "gather", "template_problems"]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SEPARATORS = re.compile(r"[\s_\-]+")


def _fold(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())


def _literal(text: str) -> str:
    """A template's literal text as a pattern: separators optional, anything else as written."""
    parts = [re.escape(p) for p in _SEPARATORS.split(text)]
    return r"[\s_\-]*".join(parts)


def template_problems(spec: FieldSpec, template: Any) -> list[str]:
    """What is wrong with ``columns = template`` on the map or list field ``spec`` (empty: fine)."""
    where = f"field {spec.name!r}: columns"
    if not isinstance(template, str) or not template.strip():
        return [f"{where} must be a header template such as \"Variant Price {{key}}\""]
    names = _PLACEHOLDER.findall(template)
    problems = [f"{where}: unknown placeholder {{{n}}} (use {{key}}, {{n}} or {{field}})"
                for n in names if n not in ("key", "n", "field")]
    problems += [f"{where}: {{{n}}} appears twice" for n in sorted(set(names)) if names.count(n) > 1]
    if _PLACEHOLDER.sub("", template).count("{") or _PLACEHOLDER.sub("", template).count("}"):
        problems.append(f"{where}: unbalanced braces in {template!r}")
    objects = spec.item is not None and spec.item.type == "object"
    if spec.type == "map" and "key" not in names:
        problems.append(f"{where}: a map's template needs {{key}} (the part of the header that is the key)")
    if spec.type == "list" and "key" in names:
        problems.append(f"{where}: {{key}} is for maps; a list numbers its items with {{n}}")
    if spec.type == "list" and "n" not in names and not objects:
        problems.append(f"{where}: a list of {spec.item.type if spec.item else 'values'} needs {{n}} "
                        "(the item's number)")
    if spec.type == "map" and "n" in names:
        problems.append(f"{where}: {{n}} is for lists; a map's entries are named by {{key}}")
    if objects and "field" not in names:
        problems.append(f"{where}: the values are objects: the template needs {{field}} (which of "
                        "their fields a column fills)")
    if not objects and "field" in names:
        problems.append(f"{where}: {{field}} is for values that are objects")
    if not _PLACEHOLDER.sub("", template).strip(" _-"):
        problems.append(f"{where}: the template needs some fixed text besides its placeholders")
    return problems


@dataclass(frozen=True)
class Slot:
    """Where one column's cell goes in its family's value."""

    field: str
    key: str | None = None      # map entry
    n: int | None = None        # list item number
    sub: str | None = None      # object field


@dataclass(frozen=True)
class Family:
    field: str
    kind: str                   # "map" or "list"
    template: str
    pattern: re.Pattern[str]
    key_rule: re.Pattern[str] | None
    subfields: dict[str, str]   # folded name/alias -> object field name
    objects: bool

    def match(self, header: str) -> Slot | None:
        m = self.pattern.fullmatch(header.strip())
        if m is None:
            return None
        groups = m.groupdict()
        sub = None
        if self.objects:
            sub = self.subfields.get(_fold(groups["field"]))
            if sub is None:
                return None
        n = int(groups["n"]) if groups.get("n") is not None else None
        return Slot(self.field, groups.get("key"), n, sub)

    def fits_key(self, slot: Slot) -> bool:
        return self.key_rule is None or slot.key is None or bool(self.key_rule.search(slot.key))

    def header(self, key: str | None = None, n: int | None = None, sub: str | None = None) -> str:
        values = {"key": key or "", "n": "" if n is None else str(n), "field": _title(sub or "")}
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.template)

    def headers(self, value: Any) -> list[tuple[str, Any, str | None]]:
        """A stored map/list value -> the (header, cell, object field or None) triples that import
        back as it (exports)."""
        out: list[tuple[str, Any, str | None]] = []
        if value is None:
            return out
        if self.kind == "map":
            entries: Iterable[tuple[str | None, int | None, Any]] = ((k, None, v) for k, v in value.items())
        elif "{n}" in self.template:
            entries = ((None, i, v) for i, v in enumerate(value, start=1))
        else:
            entries = ((None, None, v) for v in value[:1])
        for key, n, item in entries:
            if self.objects and isinstance(item, dict):
                for sub, cell in item.items():
                    if sub in self.subfield_names:
                        out.append((self.header(key, n, sub), cell, sub))
            else:
                out.append((self.header(key, n), item, None))
        return out

    @property
    def subfield_names(self) -> set[str]:
        return set(self.subfields.values())


def _title(name: str) -> str:
    """An object field's name as a header word: "value" -> "Value" (headers ignore case)."""
    return " ".join(w[:1].upper() + w[1:] for w in name.split("_"))


def family_of(spec: FieldSpec) -> Family:
    """The compiled family of a field with ``columns`` (checked by ``template_problems``)."""
    template = spec.columns or ""
    objects = spec.item is not None and spec.item.type == "object"
    subfields: dict[str, str] = {}
    if objects:
        for sub in spec.item.fields:
            for name in (sub.name, *sub.aliases):
                subfields.setdefault(_fold(name), sub.name)
    parts: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(_literal(template[pos:m.start()]))
        name = m.group(1)
        if name == "key":
            parts.append(r"(?P<key>.+?)")
        elif name == "n":
            parts.append(r"(?P<n>\d+)")
        else:
            names = sorted({n for s in spec.item.fields for n in (s.name, *s.aliases)}, key=len, reverse=True)
            parts.append("(?P<field>" + "|".join(_literal(n) for n in names) + ")")
        pos = m.end()
    parts.append(_literal(template[pos:]))
    pattern = re.compile("".join(parts), re.IGNORECASE)
    key_rule = re.compile(spec.key_pattern) if spec.type == "map" and spec.key_pattern else None
    return Family(spec.name, spec.type, template, pattern, key_rule, subfields, objects)


def gather(family: Family, cells: Iterable[tuple[Slot, Any]]) -> Any:
    """The value of ``family`` from its columns' (slot, cell) pairs; None when all are empty."""
    if family.kind == "map":
        out: dict[str, Any] = {}
        for slot, cell in cells:
            if _blank(cell):
                continue
            if family.objects:
                entry = out.setdefault(slot.key, {})
                if isinstance(entry, dict):
                    entry[slot.sub] = cell
            else:
                out.setdefault(slot.key, cell)
        return out or None
    items: dict[int, Any] = {}
    for slot, cell in cells:
        if _blank(cell):
            continue
        n = slot.n if slot.n is not None else 0
        if family.objects:
            entry = items.setdefault(n, {})
            if isinstance(entry, dict):
                entry.setdefault(slot.sub, cell)
        else:
            items.setdefault(n, cell)
    return [items[n] for n in sorted(items)] or None


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
