"""Records back out in Elastic Path's own import format: JSON Lines of JSON:API envelopes,
``{"data": {"type": <wire name>, <envelope members>, "attributes": {…}}}``, one per line, ready to
upload (Subscriptions import, price book import).

Each field goes back where the type reads it from: under its name in ``attributes``, at its
``source`` path inside them (``dimensions.width``), or beside them in the envelope
(``data.pricebook_external_ref``). Attributes the type does not declare come back as they came
(the envelope's own members, kept as ``data.id`` …, at the envelope level again). Empty declared
fields are left out rather than written as null: Elastic Path reads a missing attribute as "not
given", and a re-import reads it as empty, so import -> export -> import gives identical records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from importdesk.exports._files import Progress, atomic_path
from importdesk.schemas import EXTRA, ResourceType
from importdesk.schemas.dbvalues import json_text

__all__ = ["EP_FORMAT", "envelope", "write_envelopes"]

EP_FORMAT = "ep"  # the export format's name
_ENVELOPE = "data."


def envelope(rt: ResourceType, record: dict[str, Any]) -> dict[str, Any]:
    """One record as the envelope Elastic Path reads."""
    outer: dict[str, Any] = {"type": rt.wire_name or rt.name}
    attributes: dict[str, Any] = {}
    for name, spec in rt.fields.items():
        value = record.get(name)
        if value is None:
            continue
        parts = spec.source.split(".") if spec.source else [name]
        if parts[0] == "data" and len(parts) > 1:
            _put(outer, parts[1:], value)
        else:
            _put(attributes, parts, value)
    extra = record.get(EXTRA) or {}
    for key, value in extra.items():
        if key.startswith(_ENVELOPE):
            outer.setdefault(key[len(_ENVELOPE):], value)
        else:
            attributes.setdefault(key, value)
    outer["attributes"] = attributes
    return {"data": outer}


def _put(target: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        inner = target.get(part)
        if not isinstance(inner, dict):
            inner = target[part] = {}
        target = inner
    target.setdefault(parts[-1], value)


def write_envelopes(rows: Iterable[dict], rt: ResourceType, path: Path, *,
                    progress: Callable[[int], None] | None = None, every: int = 1000) -> int:
    """Write ``rows`` (clean records of ``rt``) as Elastic Path JSONL; returns the count."""
    ticker = Progress(progress, every)
    n = 0
    with atomic_path(path) as tmp, tmp.open("w", newline="\n", encoding="utf-8") as out:
        write = out.write
        for row in rows:
            write(json_text(envelope(rt, row)))
            write("\n")
            n += 1
            ticker.tick(n)
    ticker.done(n)
    return n
