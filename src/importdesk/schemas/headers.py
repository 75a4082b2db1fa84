"""File headers -> fields of a resource type.

Header names are compared after Unicode NFKC, case folding and removing spaces, underscores and
hyphens, against each field's name and aliases: "Unit Price", "unit_price", "unit-price" and
"UNITPRICE" are the same header.

``map_headers`` gives, per column, the field it fills (or ``None``); a field matched by a second
column keeps the first one: the second is listed in ``unknown`` and in ``duplicates`` (warn the
user). ``missing_required`` lists fields a row needs (required, no default) that no column
fills, except the parent field (filled from the job's parent_resource_id).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .spec import EXTRA

if TYPE_CHECKING:
    from .spec import FieldSpec, ResourceType

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
        self.to_raw = _compile_to_raw(self.columns, self._to_raw_slow)

    def to_raw(self, values: Sequence[Any] | dict[str, Any]) -> dict[str, Any]:  # pragma: no cover
        """A record's values (list aligned with the headers, or a dict keyed by header) ->
        the ``raw`` dict for ``RowValidator.validate`` (field -> value). Columns past the end of
        a short row count as empty. (Replaced per instance by a generated function.)"""
        return self._to_raw_slow(values)

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
    namespace: dict[str, Any] = {}
    exec(compile(body, "<importdesk.schemas to_raw>", "exec"), {"_slow": slow}, namespace)
    return namespace["to_raw"]


def map_headers(rt: ResourceType, headers: Sequence[str]) -> HeaderMapping:
    lookup = rt.header_lookup
    columns: list[str | None] = []
    unknown: list[str] = []
    duplicates: list[str] = []
    seen: set[str] = set()
    for h in headers:
        name = "" if h is None else str(h)
        f = EXTRA if name == EXTRA else lookup.get(normalize_header(name))
        if f is None:
            columns.append(None)
            unknown.append(name)
        elif f in seen:
            columns.append(None)
            unknown.append(name)
            duplicates.append(name)
        else:
            seen.add(f)
            columns.append(f)
    missing = [f for f in rt.required_fields if f not in seen and f != rt.parent_field]
    return HeaderMapping(columns, unknown, missing, duplicates, ["" if h is None else str(h) for h in headers])


def score_headers(rt: ResourceType, headers: Sequence[str]) -> float:
    """How well ``headers`` fit ``rt``, in [0, 1]: 1.0 = every header is a field of the type and
    every needed field and key field is there.

    score = 0.45 * (share of headers that map) + 0.30 * (share of needed fields present)
          + 0.15 * (share of key fields present) + 0.10 * (share of the type's fields present)
    The parent field counts as present (it comes from the job). No mapped header -> 0.0.
    """
    named = [h for h in headers if h is not None and str(h).strip()]
    if not named:
        return 0.0
    m = map_headers(rt, named)
    present = set(m.fields)
    if not present:
        return 0.0
    if rt.parent_field:
        present.add(rt.parent_field)
    header_fit = len(m.fields) / len(named)
    needed = rt.required_fields
    needed_fit = sum(f in present for f in needed) / len(needed) if needed else 1.0
    key_fit = sum(k in present for k in rt.key) / len(rt.key) if rt.key else 1.0
    coverage = len(m.fields) / len(rt.fields)
    score = 0.45 * header_fit + 0.30 * needed_fit + 0.15 * key_fit + 0.10 * coverage
    return round(min(1.0, max(0.0, score)), 4)
