"""Input files for bench/import_speed.py: products rows as CSV, JSONL and XLSX, cached in bench/out/.

Every file holds the same rows for a given size (one seeded sequence), so formats compare on equal
work. Three generators:
  - ``products``: N valid rows, keys SKU-00000000 upwards;
  - ``changed``: the same keys, every row with a new name and price (an all-update re-import);
  - ``invalid30``: the ``products`` rows, with 3 rows in 10 broken in one field each (a bad price,
    currency, EAN or a missing name, in turn).
A file is cached under a name of its own per generator, size and format, with GENERATOR_VERSION in
it (raise it when a generator changes, so an old cache is never read as the new one), and is
written to a ``.part`` file first, so an interrupted run never leaves a half file behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
GENERATOR_VERSION = 1
GENERATORS = ("products", "changed", "invalid30")
HEADER = ["sku", "name", "description", "category", "price", "currency", "weight_kg", "active", "ean",
          "launched_on", "attributes"]
_BREAKS = (("price", "n/a"), ("currency", "euro"), ("ean", "12345"), ("name", ""))


def cached_path(generator: str, rows: int, fmt: str) -> Path:
    return OUT / f"import_speed-v{GENERATOR_VERSION}-{generator}-{rows}.{fmt}"


def input_file(generator: str, rows: int, fmt: str) -> Path:
    """The cached file, written first if it is not there yet."""
    path = cached_path(generator, rows, fmt)
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    part = path.with_name(path.name + ".part")
    {"csv": _write_csv, "jsonl": _write_jsonl, "xlsx": _write_xlsx}[fmt](part, _rows(generator, rows))
    part.replace(path)
    return path


def _rows(generator: str, rows: int) -> Iterator[dict[str, Any]]:
    if generator not in GENERATORS:
        raise ValueError(f"unknown generator {generator!r}")
    rnd = random.Random(rows)
    for i in range(rows):
        price = rnd.randint(1, 999_999)
        row = {
            "sku": f"SKU-{i:08d}", "name": f"Product {i}", "description": "A sturdy, well-made thing",
            "category": f"category-{i % 50}", "price": f"{price / 100:.2f}",
            "currency": rnd.choice(("EUR", "USD", "GBP")), "weight_kg": rnd.randint(1, 50_000) / 1000,
            "active": rnd.choice((True, False)), "ean": f"{rnd.randint(0, 10**13 - 1):013d}",
            "launched_on": dt.date(2010 + rnd.randint(0, 16), rnd.randint(1, 12), rnd.randint(1, 28)),
            "attributes": {"color": "red", "size": "M"},
        }
        if generator == "changed":
            row["name"] = f"Product {i} (revised)"
            row["price"] = f"{(price + 1) / 100:.2f}"
        elif generator == "invalid30" and i % 10 in (1, 4, 7):
            field, bad = _BREAKS[(i // 10) % len(_BREAKS)]
            row[field] = bad
        yield row


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _write_csv(path: Path, rows: Iterator[dict[str, Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows([_text(row[name]) for name in HEADER] for row in rows)


def _write_jsonl(path: Path, rows: Iterator[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            row["launched_on"] = row["launched_on"].isoformat()
            handle.write(json.dumps(row, separators=(",", ":")) + "\n")


def _write_xlsx(path: Path, rows: Iterator[dict[str, Any]]) -> None:
    import xlsxwriter  # an app dependency (failed-rows export)

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Products")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, start=1):
        sheet.write_string(r, 0, row["sku"])
        sheet.write_string(r, 1, row["name"])
        sheet.write_string(r, 2, row["description"])
        sheet.write_string(r, 3, row["category"])
        price = row["price"]
        if price.replace(".", "", 1).isdigit():
            sheet.write_number(r, 4, float(price))
        else:
            sheet.write_string(r, 4, price)
        sheet.write_string(r, 5, row["currency"])
        sheet.write_number(r, 6, row["weight_kg"])
        sheet.write_boolean(r, 7, row["active"])
        sheet.write_string(r, 8, row["ean"])  # text: leading zeros matter
        sheet.write_datetime(r, 9, dt.datetime.combine(row["launched_on"], dt.time()), date)
        sheet.write_string(r, 10, _text(row["attributes"]))
    book.close()
