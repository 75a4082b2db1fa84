"""A person's correction put back into a failed row before its retry.

A correction names a field (``price``) or, for a nested value, the path its error named
(``currencies.EUR.amount``, ``tiers[2].amount``). The raw row is by header (a table row) or as the
file had it (a JSON record), so the path's first step is mapped to where the field is read from:
its header, or its ``source`` path, which may lead out of the attributes into the envelope
(``data.pricebook_external_ref``: the record's ``outer``). Missing objects on the way are created.

A JSON value keeps its JSON type: text typed over a number, a boolean, null, an object or a list
is read as JSON when it parses (``5`` stays the number 5, exactly: decimals are read as Decimal);
over a string, or where nothing was, the text stays text, as a table cell would."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from itertools import pairwise
from typing import Any

_STEP = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_MISSING = object()


def path_steps(path: str) -> list[str | int]:
    """``a.b[2].c`` -> ['a', 'b', 2, 'c']."""
    return [int(index) if index else name for index, name in _STEP.findall(path)]


def apply_correction(values: dict[str, Any], outer: dict[str, Any], path: str, text: str | None, *,
                     header_of: dict[str, str], sources: dict[str, tuple[str, ...]]) -> None:
    """Put ``text`` at ``path`` in the row (``values``, and ``outer`` for the envelope), in place.

    ``header_of``: field -> the row's header that fills it; ``sources``: field -> its source path."""
    steps = path_steps(path) or [path]
    head, rest = steps[0], steps[1:]
    source = sources.get(head) if isinstance(head, str) else None
    if source and source[0] == "data" and len(source) > 1:
        target, where = outer, [*source[1:], *rest]
    elif source:
        target, where = values, [*source, *rest]
    else:
        target, where = values, [header_of.get(head, head) if isinstance(head, str) else head, *rest]
    _put(target, where, text)


def _put(container: Any, steps: list[str | int], text: str | None) -> None:
    for step, after in pairwise(steps):
        child = _get(container, step)
        if not isinstance(child, dict | list):
            child = [] if isinstance(after, int) else {}
            _set(container, step, child)
        container = child
    last = steps[-1]
    _set(container, last, _typed(_get(container, last), text))


def _get(container: Any, step: str | int) -> Any:
    if isinstance(container, dict):
        return container.get(step, _MISSING)
    if isinstance(container, list) and isinstance(step, int) and step < len(container):
        return container[step]
    return _MISSING


def _set(container: Any, step: str | int, value: Any) -> None:
    if isinstance(container, list):
        if not isinstance(step, int):
            raise ValueError(f"{step!r} is not a position in a list")
        while len(container) <= step:
            container.append(None)
        container[step] = value
    else:
        container[step] = value


def _typed(old: Any, text: str | None) -> Any:
    if text is None or old is _MISSING or (old is None and text == "") or isinstance(old, str):
        return text
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        return text
