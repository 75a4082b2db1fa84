"""Products and their variants back out in Medusa's product CSV (v2 template), so a file staged
and fixed here can be uploaded to Medusa, and imports here again as the same records.

One row per variant (those that agree with their product's fields first, since Medusa reads a
product from its first row), each carrying its product's fields (the v2 export
repeats them on every row too). Headers are the types' own (each field's first alias, which the
built-in types keep to Medusa's v2 names); family fields are spread back into their columns
(``Variant Price EUR``, ``Variant Option 1 Name`` …) as their values need them; undeclared
attributes come back as columns of their own (a variant's, or its product's), and a variant's
copy of a product column (a conflicting value, see ``engine.row_groups``) is that row's cell.

Cells are written as Medusa reads them: booleans TRUE/FALSE, decimals exact, JSON fields as
compact JSON. They are not neutralised against spreadsheet formulas as our own CSV exports are:
the file is for Medusa's importer, which would keep an added apostrophe as part of the value.
A product without variants cannot be written (Medusa's rows are variants): ``MedusaExportError``.
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

__all__ = ["MedusaExportError", "write_medusa_csv"]


class MedusaExportError(ValueError):
    pass


def _header(rt: ResourceType, name: str) -> str:
    spec = rt.fields[name]
    return spec.aliases[0] if spec.aliases else spec.label


def _cell(value: Any, ftype: str | None) -> str:
    if value is None:
        return ""
    if value.__class__ is bool:
        return "TRUE" if value else "FALSE"
    return csv_text(value, ftype)


class _Layout:
    """The cells of one record of ``rt``: (header, text) pairs, headers in a stable order."""

    def __init__(self, rt: ResourceType, skip: Iterable[str] = ()) -> None:
        self.rt = rt
        skipped = set(skip)
        self.plain = [(name, _header(rt, name), spec.type) for name, spec in rt.fields.items()
                      if not spec.columns and name not in skipped]
        self.families = [(name, family_of(spec), spec) for name, spec in rt.fields.items() if spec.columns]

    def cells(self, record: dict[str, Any]) -> list[tuple[str, str]]:
        out = [(header, _cell(record.get(name), ftype)) for name, header, ftype in self.plain]
        for name, family, spec in self.families:
            item_types = {s.name: s.type for s in spec.item.fields} if spec.item and spec.item.fields else {}
            leaf = spec.item.type if spec.item else None
            for header, value, sub in family.headers(record.get(name)):
                out.append((header, _cell(value, item_types.get(sub, leaf))))
        for key, value in (record.get(EXTRA) or {}).items():
            out.append((key, _cell(value, None)))
        return out


def write_medusa_csv(products: Iterable[dict[str, Any]], variants_of: Callable[[dict[str, Any]], list[dict[str, Any]]],
                     product_rt: ResourceType, variant_rt: ResourceType, path: Path, *,
                     progress: Callable[[int], None] | None = None, every: int = 1000) -> int:
    """Write the rows; returns the number of variant rows written."""
    group_keys = set(product_rt.key)
    # the variant's own copy of the grouping key is the product's column: written once
    linked = {name for name, spec in variant_rt.fields.items()
              if spec.aliases and any(_header(product_rt, k) == spec.aliases[0] for k in group_keys)}
    product_layout = _Layout(product_rt)
    variant_layout = _Layout(variant_rt, skip=linked)
    rows: list[dict[str, str]] = []
    headers: dict[str, None] = {}
    for _name, header, _t in product_layout.plain:
        headers[header] = None
    for _name, header, _t in variant_layout.plain:
        headers[header] = None
    tick = Progress(progress, every)
    for product in products:
        variants = variants_of(product)
        if not variants:
            raise MedusaExportError(
                f"product {product.get('handle') or product_rt.key_of(product)!r} has no variants: Medusa's CSV has "
                "one row per variant, so it cannot be written (import or add a variant first)")
        base = dict(product_layout.cells(product))
        own: list[dict[str, str]] = []
        differing: list[dict[str, str]] = []
        for variant in variants:
            cells = dict(variant_layout.cells(variant))
            row = {**base, **cells}  # a variant's copy of a product column is its row's cell
            (differing if any(base.get(h, v) != v for h, v in cells.items()) else own).append(row)
        # the first row of a product gives its fields: one that agrees with the product goes first
        for row in own + differing:
            for header in row:
                headers.setdefault(header, None)
            rows.append(row)
            tick.tick(len(rows))
    with atomic_path(Path(path)) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        columns = list(headers)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(h, "") for h in columns])
    tick.done(len(rows))
    return len(rows)
