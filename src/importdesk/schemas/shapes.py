"""Telling a file's type by its shape, from what the types declare.

Two kinds of shape:

- typed records (an Elastic Path envelope, ``{"data": {"type": "product-price", …}}``): the
  type a record names is the type whose name or ``wire_name`` it is;
- tables (and flat JSON records, by their keys): a type's ``[recognise] headers`` — columns a
  file must all have to be of that type (a platform's template, such as Medusa's product CSV
  with ``Product Handle`` and ``Variant Sku``). Without such a declaration the header scores
  decide (``ResourceType.score_headers``: how many columns match fields, required ones first),
  and only when one type clearly leads.

``by_headers`` answers a ``Shape``: the one type, or why none (no type fits, or several fit as
well: ``candidates`` names them, so the user can choose).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .headers import normalize_header
from .spec import ResourceType

__all__ = ["LEAD", "MIN_SCORE", "Shape", "by_headers", "declared_matches"]

MIN_SCORE = 0.5  # a header score below this fits no type
LEAD = 0.05      # the best score must lead the next by more than this


@dataclass(frozen=True)
class Shape:
    type: str | None                    # the type the file is of, if one is
    candidates: tuple[str, ...] = ()    # when several fit about as well
    how: str = ""                       # how it was told, or why it could not be

    @property
    def ambiguous(self) -> bool:
        return self.type is None and len(self.candidates) > 1


def declared_matches(types: Iterable[ResourceType], headers: Sequence[str]) -> list[str]:
    """Types whose ``[recognise] headers`` are all among ``headers``, the most specific first."""
    present = {normalize_header(h) for h in headers}
    found = [rt for rt in types
             if rt.recognise_headers and all(normalize_header(h) in present for h in rt.recognise_headers)]
    found.sort(key=lambda rt: -len(rt.recognise_headers))
    return [rt.name for rt in found]


def by_headers(types: Sequence[ResourceType], headers: Sequence[str]) -> Shape:
    declared = declared_matches(types, headers)
    if declared:
        by_name = {rt.name: rt for rt in types}
        longest = len(by_name[declared[0]].recognise_headers)
        best = [n for n in declared if len(by_name[n].recognise_headers) == longest]
        if len(best) == 1:
            return Shape(best[0], how=f"its columns include {', '.join(by_name[best[0]].recognise_headers)}")
        return Shape(None, tuple(best), "its columns fit the declared shapes of several types")
    scores = sorted(((rt.score_headers(list(headers)), rt.name) for rt in types), reverse=True)
    if not scores or scores[0][0] < MIN_SCORE:
        return Shape(None, how="its columns fit no type")
    close = tuple(name for score, name in scores if score >= scores[0][0] - LEAD)
    if len(close) > 1:
        return Shape(None, close, "its columns fit several types about as well")
    return Shape(scores[0][1], how="its columns match the type's fields")
