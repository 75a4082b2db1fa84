"""File headers -> fields of a resource type.

Header names are compared after Unicode NFKC, case folding and removing spaces, underscores and
hyphens, against each field's name and aliases: "Unit Price", "unit_price", "unit-price" and
"UNITPRICE" are the same header.

``map_headers`` gives, per column, the field it fills (or ``None``); a field matched by a second
column keeps the first one: the second is listed in ``unknown`` and in ``duplicates`` (warn the
user). ``missing_required`` lists fields a row needs (required, no default) that no column
fills, except the parent field (filled from the job's parent_resource_id).

A column that matches no field name may belong to a map or list field's column family
(``column_families``): ``families`` says which, and ``to_raw`` gathers those cells into the
field's value. With ``keep_unknown`` (table files), ``to_raw`` also keeps the non-empty cells of
the columns that fill nothing in ``EXTRA``, by header, so no cell of the file is lost.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .codegen import compile_functions
from .column_families import Slot, family_of, gather
from .field_spec import EXTRA

if TYPE_CHECKING:
    from .field_spec import FieldSpec
    from .spec import ResourceType

__all__ = ["HeaderMapping", "build_lookup", "map_headers", "normalize_header", "score_headers"]

_IGNORED = re.compile(r"[\s_\-\u2010-\u2015\ufeff]+")


def normalize_header(name: str) -> str:
    """The form header names are compared in: "Unit Price" -> "unitprice"."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", str(name)).casefold())


def build_lookup(specs: Iterable[FieldSpec]) -> tuple[dict[str, str], list[str]]:
    """normalised name/alias -> field name, and the clashes found (for the TOML checks)."""
    lookup: dict[str, str] = {}
    problems: list[str] = []
    specs = list(specs)
    for spec in specs:  # names first: a field's own name beats another field's alias
        n = normalize_header(spec.name)
        if n in lookup:
            problems.append(
                f"fields {lookup[n]!r} and {spec.name!r} match the same header names "
                f"(headers are compared ignoring case, spaces, _ and -)"
            )
            continue
        lookup[n] = spec.name
    for spec in specs:
        for alias in spec.aliases:
            n = normalize_header(alias)
            if not n:
                problems.append(f"field {spec.name!r}: alias {alias!r} is empty")
                continue
            other = lookup.get(n)
            if other is not None and other != spec.name:
                problems.append(
                    f"field {spec.name!r}: alias {alias!r} is already the name or an alias of "
                    f"field {other!r}"
                )
                continue
            lookup[n] = spec.name
    return lookup, problems


@dataclass
class HeaderMapping:
    """Result of ``ResourceType.map_headers``.

    ``columns``: per file column, the field it fills or ``None``; ``unknown``: header names that
    fill no field (including duplicates); ``missing_required``: fields a row needs that no column
    fills (the parent field is never listed); ``duplicates``: header names whose field was already
    filled by an earlier column (also in ``unknown``).
    """

    columns: list[str | None]
    unknown: list[str]
    missing_required: list[str]
    duplicates: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    # field -> its family's (column, slot) pairs; the columns whose cells go to EXTRA (keep_unknown)
    families: dict[str, list[tuple[int, Slot]]] = field(default_factory=dict)
    kept: list[int] = field(default_factory=list)
    _family_specs: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """Every needed field is present (unknown columns are only worth a warning)."""
        return not self.missing_required

    @property
    def fields(self) -> list[str]:
        """The fields some column fills, in column order."""
        return [f for f in self.columns if f is not None]

    def __post_init__(self) -> None:
        # ``to_raw`` is a function generated for these columns (~0.3 µs for 11 columns), stored
        # on the instance so that ``mapping.to_raw(values)`` calls it directly.
        to_raw = _compile_to_raw(self.columns, self._to_raw_slow)
        self.to_raw = to_raw if not (self.families or self.kept) else self._gathering(to_raw)

    def to_raw(self, values: Sequence[Any] | dict[str, Any]) -> dict[str, Any]:  # pragma: no cover
        """A record's values (list aligned with the headers, or a dict keyed by header) ->
        the ``raw`` dict for ``RowValidator.validate`` (field -> value). Columns past the end of
        a short row count as empty. (Replaced per instance by a generated function.)"""
        return self._to_raw_slow(values)

    def _gathering(self, to_raw):
        """to_raw, plus the families' values and the kept cells."""
        families = [(self._family_specs[f], pairs) for f, pairs in self.families.items()]
        kept = [(i, self.headers[i]) for i in self.kept]
        headers = self.headers

        def gathered(values):
            raw = to_raw(values)
            by_header = isinstance(values, dict)
            n = len(values)

            def cell(i):
                if by_header:
                    return values.get(headers[i])
                return values[i] if i < n else None

            filled = self.last_cells = {}
            for family, pairs in families:
                cells = [(i, slot, c) for i, slot in pairs if not _blank(c := cell(i))]
                filled[family.field] = cells
                value = gather(family, [(slot, c) for _i, slot, c in cells])
                if value is not None:
                    raw[family.field] = value
            if kept:
                extra = {h: c for i, h in kept if not _blank(c := cell(i))}
                if extra:
                    raw[EXTRA] = _merged_extra(raw.get(EXTRA), extra)
            return raw

        return gathered

    def header_of(self, path: str) -> str | None:
        """The header of the column that fills the field ``path`` starts with, or None."""
        name = re.split(r"[.\[]", path, maxsplit=1)[0]
        return next((h for h, f in zip(self.headers, self.columns, strict=False) if f == name), None)

    def column_of(self, path: str) -> str | None:
        """The header of the column that holds ``path`` (``prices.EUR``, ``options[1].value``) of
        a family field, in the row ``to_raw`` last read; None when no column does."""
        name = re.split(r"[.\[]", path, maxsplit=1)[0]
        cells = getattr(self, "last_cells", {}).get(name)
        family = self._family_specs.get(name)
        if not cells or family is None:
            return None
        rest = path[len(name):]
        if family.kind == "map":
            for i, slot, _c in cells:
                if rest == f".{slot.key}" or (slot.sub and rest.startswith(f".{slot.key}.{slot.sub}")):
                    return self.headers[i]
            return next((self.headers[i] for i, slot, _c in cells if rest.startswith(f".{slot.key}")), None)
        m = re.match(r"\[(\d+)\](?:\.(\w+))?", rest)
        if m is None:
            return None
        numbers = sorted({slot.n if slot.n is not None else 0 for _i, slot, _c in cells})
        k = int(m.group(1))
        if k >= len(numbers):
            return None
        sub = m.group(2)
        for i, slot, _c in cells:
            if (slot.n if slot.n is not None else 0) == numbers[k] and sub in (None, slot.sub):
                return self.headers[i]
        # an empty cell: the column the value belongs in (named by the template)
        return family.header(n=numbers[k] if "{n}" in family.template else None, sub=sub)

    def _to_raw_slow(self, values: Sequence[Any] | dict[str, Any]) -> dict[str, Any]:
        if isinstance(values, dict):
            return {f: values.get(h) for h, f in zip(self.headers, self.columns, strict=False) if f is not None}
        n = len(values)
        return {f: values[i] for i, f in enumerate(self.columns) if f is not None and i < n}


def _compile_to_raw(columns: Sequence[str | None], slow: Any):
    items = ", ".join(f"{f!r}: v[{i}]" for i, f in enumerate(columns) if f is not None)
    body = (
        "def to_raw(v):\n"
        "    try:\n"
        f"        return {{{items}}}\n"
        "    except (IndexError, KeyError, TypeError):\n"
        "        return _slow(v)\n"
    )
    return compile_functions(body, "to_raw", {"_slow": slow})["to_raw"]


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _merged_extra(given: Any, kept: dict[str, Any]) -> Any:
    """An ``_extra`` cell of the file (JSON text, or a dict) with the kept cells added."""
    if isinstance(given, str) and given.strip():
        try:
            given = json.loads(given, parse_float=Decimal)
        except ValueError:
            return given  # the validator reports the broken JSON; the raw row keeps the cells
    if isinstance(given, dict):
        return {**given, **{k: v for k, v in kept.items() if k not in given}}
    return kept


def _families(rt: ResourceType) -> list[Any]:
    return [family_of(spec) for spec in rt.fields.values() if spec.columns]


def map_headers(rt: ResourceType, headers: Sequence[str], *, keep_unknown: bool = False,
                ignored: Iterable[str] = ()) -> HeaderMapping:
    lookup = rt.header_lookup
    families = _families(rt)
    columns: list[str | None] = []
    unknown: list[str] = []
    duplicates: list[str] = []
    seen: set[str] = set()
    gathered: dict[str, list[tuple[int, Slot]]] = {}
    kept: list[int] = []
    slots: set[tuple] = set()
    for i, h in enumerate(headers):
        name = "" if h is None else str(h)
        f = EXTRA if name == EXTRA else lookup.get(normalize_header(name))
        if f is None:
            columns.append(None)
            slot = _family_slot(families, name)
            same = slot and (slot.field, (slot.key or "").casefold(), slot.n, slot.sub)
            if slot is not None and same in slots:  # "Price EUR", "price eur": the first one fills it
                unknown.append(name)
                duplicates.append(name)
                kept.append(i)
                continue
            if slot is not None:
                gathered.setdefault(slot.field, []).append((i, slot))
                slots.add(same)
                seen.add(slot.field)
                continue
            unknown.append(name)
            if name.strip():
                kept.append(i)
        elif f in seen:
            columns.append(None)
            unknown.append(name)
            duplicates.append(name)
            kept.append(i)
        else:
            seen.add(f)
            columns.append(f)
    missing = [f for f in rt.required_fields if f not in seen and f != rt.parent_field]
    names = ["" if h is None else str(h) for h in headers]
    skip = set(ignored)
    kept = [i for i in kept if names[i] not in skip] if keep_unknown else []
    return HeaderMapping(columns, unknown, missing, duplicates, names, gathered, kept, {f.field: f for f in families})


def _family_slot(families: list[Any], header: str) -> Slot | None:
    """The family column ``header`` belongs to: the first family whose template matches and
    whose key rule fits, else the first whose template matches (its check reports the key)."""
    first = None
    for family in families:
        slot = family.match(header)
        if slot is None:
            continue
        if family.fits_key(slot):
            return slot
        first = first or slot
    return first


def score_headers(rt: ResourceType, headers: Sequence[str]) -> float:
    """How well ``headers`` fit ``rt``, in [0, 1]: 1.0 = every header is a field of the type and
    every needed field and key field is there.

    score = 0.45 * (share of headers that map) + 0.30 * (share of needed fields present)
          + 0.15 * (share of key fields present) + 0.10 * (share of the type's fields present)
    The parent field counts as present (it comes from the job); a column of a field's family
    (``column_families``) maps. No mapped header -> 0.0.
    """
    named = [h for h in headers if h is not None and str(h).strip()]
    if not named:
        return 0.0
    m = map_headers(rt, named)
    present = set(m.fields) | set(m.families)  # a family's columns fill its field
    if not present:
        return 0.0
    gathered = sum(len(pairs) for pairs in m.families.values())
    if rt.parent_field:
        present.add(rt.parent_field)
    header_fit = (len(m.fields) + gathered) / len(named)
    needed = rt.required_fields
    needed_fit = sum(f in present for f in needed) / len(needed) if needed else 1.0
    key_fit = sum(k in present for k in rt.key) / len(rt.key) if rt.key else 1.0
    coverage = (len(m.fields) + len(m.families)) / len(rt.fields)
    score = 0.45 * header_fit + 0.30 * needed_fit + 0.15 * key_fit + 0.10 * coverage
    return round(min(1.0, max(0.0, score)), 4)
