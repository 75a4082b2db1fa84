"""`importdesk records TYPE`: the imported records, filtered, sorted and paged by the engine, streamed out
as a table, CSV, a JSON array or newline-delimited JSON. No SQL here: engine/records_query.py does it."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

from pydantic_core import to_json

from importdesk.cli import exit_codes
from importdesk.cli.common import open_engine_to_read
from importdesk.engine.cells import NUMERIC_TYPES, csv_text, neutralise
from importdesk.text_format import number, safe

TABLE_SAMPLE = 200  # records that size the table's columns; wider values after them are cut with …
TABLE_MAX_WIDTH = 40


def cmd_records(args) -> int:
    engine = open_engine_to_read(args)
    browser = engine.records
    query = browser.query(args.resource_type, where=args.where, order=args.order, job_uid=args.job_uid)
    rt = engine.resource_type(query.resource_type)
    types = {name: spec.type for name, spec in rt.fields.items()}
    fields = browser.check_fields(rt.name, [f.strip() for text in args.fields for f in text.split(",") if f.strip()])
    columns = fields or list(rt.columns)
    records = browser.iter(query, offset=args.offset, limit=args.limit or None, fields=fields or None)
    fmt = args.fmt or "table"
    out = sys.stdout
    if fmt == "json":
        _write_json_array(map(_json_encoder(columns, types), records), out)
    elif fmt == "nl":
        encode = _json_encoder(columns, types)
        for record in records:
            out.write(encode(record) + "\n")
    elif fmt == "csv":
        _write_csv(records, columns, types, out)
    else:
        shown = _write_table(records, columns, types, out)
        total = browser.count(query)
        if shown < total:
            print(f"{number(shown)} of {number(total)} {rt.name} records (--offset/--limit for others)",
                  file=sys.stderr)
        elif not shown:
            print(f"no {rt.name} records" + (" match" if query.where or query.job_uid else ""), file=sys.stderr)
    return exit_codes.OK


def _json_encoder(columns: list[str], types: dict[str, str]):
    """Record -> compact JSON text, the values as in the JSONL export (decimals exact strings, dates
    ISO); pydantic's Rust encoder is 3x faster than json.dumps here. Date-times are written by
    isoformat first, so a UTC time reads +00:00 as everywhere else (not Z)."""
    stamps = [c for c in columns if types[c] == "datetime"]

    def encode(record: dict[str, Any]) -> str:
        for c in stamps:
            if record.get(c) is not None:
                record[c] = record[c].isoformat()
        return to_json(record).decode()
    return encode


def _write_json_array(lines: Iterator[str], out) -> None:
    out.write("[")
    first = True
    for line in lines:
        out.write(("\n  " if first else ",\n  ") + line)
        first = False
    out.write("\n]\n" if not first else "]\n")


def _csv_cell(value: Any, ftype: str) -> str:
    text = csv_text(value, ftype)
    return text if ftype in NUMERIC_TYPES else neutralise(text)  # a spreadsheet would run =… as a formula


def _write_csv(records, columns: list[str], types: dict[str, str], out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_csv_cell(record.get(c), types[c]) for c in columns])


def _cell(value: Any, ftype: str) -> str:
    return "" if value is None else safe(csv_text(value, ftype))


def _write_table(records, columns: list[str], types: dict[str, str], out) -> int:
    """Aligned columns sized by the first TABLE_SAMPLE records; returns how many were written."""
    sample = list(islice(records, TABLE_SAMPLE))
    widths = {c: min(TABLE_MAX_WIDTH, max([len(c), *(len(_cell(r.get(c), types[c])) for r in sample)]))
              for c in columns}

    def line(cells: dict[str, str]) -> str:
        parts = []
        for c in columns:
            text = cells[c]
            if len(text) > widths[c]:
                text = text[: widths[c] - 1] + "…"
            parts.append(text.rjust(widths[c]) if types.get(c) in NUMERIC_TYPES else text.ljust(widths[c]))
        return "  ".join(parts).rstrip()

    if not sample:
        return 0
    out.write(line({c: c.upper() for c in columns}) + "\n")
    count = 0
    for record in chain(sample, records):
        out.write(line({c: _cell(record.get(c), types[c]) for c in columns}) + "\n")
        count += 1
    return count
