"""Clean records (``Engine.iter_records``) to CSV, XLSX or JSONL, streamed.

CSV (UTF-8 with a BOM, header = ``columns``): values rendered so that importing the file into an
empty workspace as the same resource type gives identical records: Decimal exact without exponent,
date/datetime ISO 8601, bool ``true``/``false``, json fields compact JSON, None empty (see
``cells.py``). Text cells that start with = + - @ tab CR are neutralised (a leading apostrophe, see
``neutralise.py``), except values of numeric fields (``types[col]`` decimal/integer/float, or a
Python int/float/Decimal value when ``types`` is not given): a number is not text and cannot be a
formula, and "-5.5" must stay a number for whoever opens the file.

    Re-import rule: a CSV written here must be read with ``unneutralise`` applied to every cell
    before conversion. It is exact (``unneutralise(neutralise(v)) == v`` for every string) and
    harmless on numeric cells (they never start with an apostrophe). Record exports carry no
    marker column, so the importer has to be told (an option such as "this file is an
    importdesk export"); applying it to a foreign file would drop the apostrophe of a hand-typed
    "'=x" / "'+49…".

XLSX: typed cells: numbers as numbers (integers beyond 2**53 as text), Decimal as text (a
spreadsheet number holds 15 significant digits), dates and naive date-times as date cells (Excel
keeps milliseconds, not microseconds), date-times with a UTC offset as ISO text (Excel has no time
zones), booleans as booleans, json as compact JSON text, strings as text cells (never formulas; no
apostrophe needed). JSONL: one compact object per line, JSON-native values, Decimal as an exact
JSON number (the JSON readers read it back as the same Decimal), dates ISO.

Undeclared attributes (the ``EXTRA`` field, see ``schemas.spec``) are given back: in JSONL as
the record's own attributes again (after the declared ones, never overriding one); in CSV/XLSX
as an ``_extra`` column of compact JSON when ``columns`` names it (``export_records`` does when a
record has any), which an import maps back to the same field.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from importdesk.exports._files import FORMATS, Progress, atomic_path, check_format
from importdesk.exports.cells import NUMERIC_TYPES, csv_text, xlsx_value
from importdesk.exports.neutralise import neutralise
from importdesk.exports.xlsx import open_sheet
from importdesk.schemas import EXTRA
from importdesk.schemas.dbvalues import json_text

__all__ = ["export_records", "write_records"]

_NUMBER_CLASSES = (int, float, Decimal)  # bool is an int too, but renders true/false


def _csv_cell(ftype: str | None) -> Callable[[Any], str]:
    if ftype in NUMERIC_TYPES:
        return lambda v: csv_text(v, ftype)

    if ftype is not None:
        return lambda v: neutralise(csv_text(v, ftype))

    def by_value(v: Any) -> str:
        text = csv_text(v)
        if isinstance(v, _NUMBER_CLASSES):
            return text
        return neutralise(text)

    return by_value


def write_records(rows: Iterable[dict], columns: list[str], path: Path, fmt: str, *,
                  types: dict[str, str] | None = None,
                  progress: Callable[[int], None] | None = None,
                  every: int = 1000,
                  sheet: str = "Records",
                  xlsx_engine: str | None = None) -> int:
    """Write ``rows`` (dicts; missing keys are empty, other keys ignored) as ``fmt`` (csv, xlsx, jsonl).

    ``types``: column -> field type (string, integer, decimal, float, boolean, date, datetime, email,
    enum, json); ``progress(n)``: called every ``every`` rows and once at the end. Returns the row count.
    """
    fmt = check_format(fmt, FORMATS)
    columns = list(columns)
    types = types or {}
    ticker = Progress(progress, every)
    n = 0
    with atomic_path(path) as tmp:
        if fmt == "csv":
            cells = [(c, _csv_cell(types.get(c))) for c in columns]
            with tmp.open("w", newline="", encoding="utf-8-sig") as out:
                writer = csv.writer(out)
                writer.writerow([neutralise(c) for c in columns])
                for row in rows:
                    get = row.get
                    writer.writerow([conv(v) if (v := get(c)) is not None else "" for c, conv in cells])
                    n += 1
                    ticker.tick(n)
        elif fmt == "jsonl":
            declared = [c for c in columns if c != EXTRA]
            with tmp.open("w", newline="\n", encoding="utf-8") as out:
                write = out.write
                for row in rows:
                    get = row.get
                    obj = {c: get(c) for c in declared}
                    extra = get(EXTRA)
                    if extra:
                        obj.update((k, v) for k, v in extra.items() if k not in obj)
                    write(json_text(obj))
                    write("\n")
                    n += 1
                    ticker.tick(n)
        else:
            ftypes = [(c, types.get(c)) for c in columns]
            out_sheet = open_sheet(tmp, sheet, columns, engine=xlsx_engine)
            try:
                for row in rows:
                    get = row.get
                    out_sheet.row([xlsx_value(get(c), t) for c, t in ftypes])
                    n += 1
                    ticker.tick(n)
            finally:
                out_sheet.close()
    ticker.done(n)
    return n


def export_records(engine: Any, resource_type: str, path: Path, fmt: str, *, job_uid: str | None = None,
                   progress: Callable[[int], None] | None = None, every: int = 1000) -> int:
    """``write_records`` wired to an Engine: the type's columns, field types and records."""
    rt = engine.registry.get(resource_type)
    columns = list(rt.columns)
    if fmt == "jsonl" or engine.ctx.records.has_extra(rt, job_uid):
        columns.append(EXTRA)
    types = {c: rt.stored_fields[c].type for c in columns}
    return write_records(engine.iter_records(resource_type, job_uid), columns, path, fmt, types=types,
                         progress=progress, every=every, sheet=resource_type)
