"""A job item (an error or warning about a row) as the row the store writes: bounded excerpts of the
rejected value, the record key and the raw row, so a 50 MB cell never goes into the database whole.

Items stay plain tuples (the store binds them as they are, and the batch writer's ``marshal``
carries only exact tuples); ``LEVEL`` names the position the counters read."""

from __future__ import annotations

import json
from typing import Any

from importdesk.models import ItemLevel

ITEM_VALUE_CHARS = 500  # the item's rejected value and record key: a bounded excerpt
# A failed row's raw row is kept for fixing and retrying, within bounds: a 50 MB line must not
# go into the database whole. Longer values are cut with a marker, and the row says which.
RAW_ROW_CHARS = 100_000
RAW_VALUE_CHARS = 10_000
TRUNCATED = "_truncated"  # in a capped raw row: the names of the fields that were cut
LEVEL = 3  # an item tuple's level ("error" / "warning")

ItemRow = tuple[Any, ...]


def item_row(job_uid: str, row: int | None, level: ItemLevel, field_name: str | None, value: str | None,
             code: str, message: str, raw_row: str | None, resource_type: str | None,
             key: str | None = None) -> ItemRow:
    """The store's row of one item (store/items.py ``add_rows``), its long texts cut to bounds."""
    if value is not None and len(value) > ITEM_VALUE_CHARS:
        value = value[:ITEM_VALUE_CHARS] + "…"
    if key is not None and len(key) > ITEM_VALUE_CHARS:
        key = key[:ITEM_VALUE_CHARS] + "…"
    if raw_row is not None and len(raw_row) > RAW_ROW_CHARS:
        raw_row = capped_raw_row(raw_row)
    return (job_uid, row, key, level.value, field_name, value, code, message, raw_row, resource_type)


def count_levels(items: list[ItemRow]) -> tuple[int, int]:
    """(errors, warnings) among these items."""
    errors = warnings = 0
    for item in items:
        if item[LEVEL] == "error":
            errors += 1
        elif item[LEVEL] == "warning":
            warnings += 1
    return errors, warnings


def capped_raw_row(raw_row: str) -> str:
    """A raw row (JSON object text) of at most about RAW_ROW_CHARS: each value longer than
    RAW_VALUE_CHARS is cut to that with a marker saying how long it was, fields past the bound
    are left out, and TRUNCATED lists what was cut (a retry refuses such a row: the file has it)."""
    data = json.loads(raw_row)
    out: dict[str, Any] = {}
    cut: list[str] = []
    budget = RAW_ROW_CHARS - 2_000  # room for the marker
    for name, value in data.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if len(text) > RAW_VALUE_CHARS:
            value = f"{text[:RAW_VALUE_CHARS]}… [cut: {len(text):,} characters]"
            cut.append(name)
        size = len(json.dumps(value, ensure_ascii=False)) + len(name) + 6
        if size > budget:
            cut.append(name)
            continue
        budget -= size
        out[name] = value
    out[TRUNCATED] = sorted(set(cut), key=cut.index)[:100]
    return json.dumps(out, ensure_ascii=False)


def value_text(value: Any) -> str | None:
    """A rejected value as text; maps and lists as JSON (a Python repr is not what the file said)."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value if isinstance(value, str) else str(value)
