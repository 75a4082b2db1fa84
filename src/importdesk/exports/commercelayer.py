"""Records back out as a Commerce Layer import's ``inputs``: a JSON array of flat objects, or
its CSV, so a file staged and fixed here can be sent to Commerce Layer, and imports here again
as the same records.

JSON: one object per record, its fields with a value (empty ones left out, as Commerce Layer
treats a missing attribute as "not given"), then its undeclared attributes; Decimals as exact
JSON numbers, nested values as they are. CSV (Commerce Layer's CLI reads it split on line ends,
header first, commas): one line per record; a family field goes back into its dotted columns
(``price_tiers.name`` …), which hold one item, so a record with more items than that cannot be
written as CSV (``CommerceLayerExportError`` names it: export JSON). JSON fields and nested
undeclared values are compact JSON text. Cells are not neutralised against spreadsheet
formulas: the file is for Commerce Layer, which would keep an added apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from importdesk.exports._files import Progress, atomic_path
from importdesk.exports.cells import csv_text
from importdesk.schemas import EXTRA, ResourceType
from importdesk.schemas.column_families import family_of
from importdesk.schemas.dbvalues import json_text

__all__ = ["CommerceLayerExportError", "write_inputs"]


class CommerceLayerExportError(ValueError):
    pass


def _item(rt: ResourceType, record: dict[str, Any]) -> dict[str, Any]:
    out = {name: value for name in rt.fields if (value := record.get(name)) is not None}
    for key, value in (record.get(EXTRA) or {}).items():
        out.setdefault(key, value)
    return out


def write_inputs(records: Iterable[dict[str, Any]], rt: ResourceType, path: Path, fmt: str = "json", *,
                 progress: Callable[[int], None] | None = None, every: int = 1000) -> int:
    """Write ``records`` of ``rt`` as ``inputs`` (fmt "json" or "csv"); returns how many."""
    if fmt not in ("json", "csv"):
        raise CommerceLayerExportError(f"unknown inputs format {fmt!r}; use json or csv")
    tick = Progress(progress, every)
    n = 0
    with atomic_path(Path(path)) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        if fmt == "json":
            fh.write("[")
            for record in records:
                fh.write(("," if n else "") + "\n" + json_text(_item(rt, record)))
                n += 1
                tick.tick(n)
            fh.write("\n]\n")
        else:
            rows = [_csv_row(rt, record) for record in records]
            headers: dict[str, None] = {}
            for name, spec in rt.fields.items():
                if any(name in row for row in rows) and not spec.columns:
                    headers[name] = None
            for row in rows:
                for header in row:
                    headers.setdefault(header, None)
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(list(headers))
            for row in rows:
                writer.writerow([row.get(h, "") for h in headers])
                n += 1
                tick.tick(n)
    tick.done(n)
    return n


def _csv_row(rt: ResourceType, record: dict[str, Any]) -> dict[str, str]:
    row: dict[str, str] = {}
    for name, spec in rt.fields.items():
        value = record.get(name)
        if value is None:
            continue
        if spec.columns:
            family = family_of(spec)
            if isinstance(value, list) and "{n}" not in family.template and len(value) > 1:
                raise CommerceLayerExportError(
                    f"{rt.name} {rt.key_of(record).replace(chr(31), ' / ')}: {name} has {len(value)} items, and "
                    f"the CSV columns {family.header(sub='…')} hold one; export the inputs as JSON")
            for header, cell, _sub in family.headers(value):
                row[header] = csv_text(cell)
        else:
            row[name] = csv_text(value, spec.type)
    for key, value in (record.get(EXTRA) or {}).items():
        row.setdefault(key, csv_text(value))
    return row
