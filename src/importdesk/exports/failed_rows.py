"""A job's failed rows as a file a person can fix and import again.

``write_failed_rows(items, path, fmt)`` takes a job's items in (row_number, id) order (what
``Engine.iter_items(uid)`` yields; warnings and items without a raw row are skipped) and writes one
line per failed row: the row's original values under the file's original headers, in the file's
column order, then two marker columns:

``_source_row``  the row number in the original file;
``_errors``      every error of the row in plain words, e.g.
                 ``price: must be a number ≥ 0 (got '-5.00'); name: is required``.

Header: the ordered union of the raw rows' keys over the first ``lookahead`` failed rows (1000),
held in memory only that long; after that, rows stream. For CSV/XLSX sources every raw row has the
file's header (a short ragged row has only a prefix of it, which is why one row is not enough), so
the union is the header. A key first seen after the look-ahead (a JSON source whose later objects
have other keys) cannot become a column any more: its value is listed in ``_errors``. ``_extra``
(the surplus values of a row longer than the header) is also listed in ``_errors``. Pass
``header=`` to fix the columns yourself (e.g. the kept file's header). Keys named ``_source_row``
or ``_errors`` (an export of an export) are replaced by the fresh marker columns.

CSV: UTF-8 with a BOM (Excel reads UTF-8 CSV only with one; our CSV reader drops it), every cell
neutralised (``neutralise.py``: a value starting with = + - @ tab CR gets a leading apostrophe).
Re-importing such a file must ``unneutralise`` every cell; the marker columns tell it is ours.

XLSX: values as the file had them (text stays text: leading zeros survive), formula-looking text
as text cells (no apostrophe needed), header bold and frozen. Each offending cell gets a light-red
fill and a comment with its message(s); the ``_errors`` cell gets the fill too. The column of an
error is found from the item's *field* with, in this order: ``header_for_field(field)`` if given;
else the resource type's own header mapping if ``resource=`` is given (aliases such as
"Preis" -> price resolve exactly as on import); else header names equal to the field name
ignoring case, spaces, "_" and "-". An error whose field has no column is only in ``_errors``.

Library choice: bench/failed_rows_export.py, 100,000 failed rows x 14 columns (one bad cell per
row), each case in its own process, median of 3 runs on this project's shared 2-core machine
(compare ratios; absolute times were noisy). "read" is iterating the job's items alone (SQLite +
JobItem parsing), the floor every case pays:

    case                              seconds   rows/s   peak RSS   x csv
    read items only                      2.7    37.4k      67 MB     0.4
    csv.writer                           6.0    16.7k      63 MB     1.0
    XlsxWriter 3.3 constant_memory      33.1     3.0k     168 MB     5.5   comment on every row
    XlsxWriter, comments capped 20k     27.1     3.7k      83 MB     4.5
    openpyxl 3.1 write_only             63.5     1.6k     641 MB    10.6   comment on every row
    openpyxl, comments capped 20k       43.9     2.3k     174 MB     7.3

XlsxWriter writes the same file in about half the time of openpyxl write_only (1.9x with every
row commented, 1.6x capped) and in a quarter of the memory (168 vs 641 MB). Neither library
streams comments (about 1 KB each in XlsxWriter, 5 KB in openpyxl, plus ~75 us each to write), so
cell comments stop after ``comment_limit`` rows (default 20,000); later rows keep the highlight
fill, and their ``_errors`` cell has the same words. Capped, XlsxWriter's peak stays ~80 MB
whatever the row count (78 MB at 20k rows, 83 MB at 100k). openpyxl is the fallback when
XlsxWriter is not installed (``xlsx_engine=`` chooses).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importdesk.exports._files import Progress, atomic_path, check_format
from importdesk.exports.cells import raw_text, xlsx_value
from importdesk.exports.neutralise import neutralise
from importdesk.exports.xlsx import open_sheet
from importdesk.models import ItemLevel, JobItem
from importdesk.schemas.headers import normalize_header

__all__ = ["ERRORS_COLUMN", "MARKER_COLUMNS", "SOURCE_ROW_COLUMN", "errors_text", "export_failed_rows",
           "write_failed_rows"]

SOURCE_ROW_COLUMN = "_source_row"
ERRORS_COLUMN = "_errors"
MARKER_COLUMNS = (SOURCE_ROW_COLUMN, ERRORS_COLUMN)
EXTRA_KEY = "_extra"
_NOT_COLUMNS = frozenset((EXTRA_KEY, *MARKER_COLUMNS))
LOOKAHEAD = 1000
COMMENT_LIMIT = 20_000
_NOTE_VALUES = 5  # surplus values quoted in _errors
_NOTE_CHARS = 60


@dataclass
class FailedRow:
    row_number: int | None
    raw: dict[str, Any]
    errors: list[JobItem] = field(default_factory=list)


def failed_rows(items: Iterable[JobItem]) -> Iterator[FailedRow]:
    """Consecutive error items of one row -> one FailedRow (warnings, raw-less items skipped)."""
    current: FailedRow | None = None
    for item in items:
        if item.raw_row is None or item.level is not ItemLevel.ERROR:
            continue
        if current is not None and item.row_number is not None and item.row_number == current.row_number:
            current.errors.append(item)
            continue
        if current is not None:
            yield current
        current = FailedRow(item.row_number, item.raw_row, [item])
    if current is not None:
        yield current


def _quote(v: Any) -> str:
    text = raw_text(v) if v is not None else ""
    if len(text) > _NOTE_CHARS:
        text = text[:_NOTE_CHARS - 1] + "…"
    return f"'{text}'"


def errors_text(row: FailedRow, label: Callable[[str], str] = str, unplaced: dict[str, Any] | None = None) -> str:
    """All errors of a row in plain words, "field: message (got 'value')" joined by "; "."""
    parts: list[str] = []
    for item in row.errors:
        text = item.message
        if item.field:
            text = f"{label(item.field)}: {text}"
            if item.value not in (None, ""):
                text += f" (got {_quote(item.value)})"
        if text not in parts:
            parts.append(text)
    extra = row.raw.get(EXTRA_KEY)
    if extra:
        values = extra if isinstance(extra, list) else [extra]
        shown = ", ".join(_quote(v) for v in values[:_NOTE_VALUES])
        more = f" and {len(values) - _NOTE_VALUES} more" if len(values) > _NOTE_VALUES else ""
        parts.append(f"{len(values)} value{'s' if len(values) != 1 else ''} past the last column "
                     f"(not in this export): {shown}{more}")
    if unplaced:
        shown = ", ".join(f"{k}={_quote(v)}" for k, v in itertools.islice(unplaced.items(), _NOTE_VALUES))
        parts.append(f"values under no column of this export: {shown}")
    return "; ".join(parts)


def _header_of(rows: list[FailedRow]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for key in row.raw:
            if key not in _NOT_COLUMNS:
                seen.setdefault(key, None)
    return list(seen)


class _Columns:
    """Field name -> column index in the export (cached)."""

    def __init__(self, header: list[str], header_for_field: Callable[[str], str | None] | None, resource: Any):
        self.header = header
        self.index = {h: i for i, h in reversed(list(enumerate(header)))}  # first wins
        self.cache: dict[str, int | None] = {}
        self.header_for_field = header_for_field
        self.by_field: dict[str, int] | None = None
        if header_for_field is None:
            self.by_field = {}
            if resource is not None:
                mapping = resource.map_headers(header)
                for i, f in enumerate(mapping.columns):
                    if f is not None:
                        self.by_field.setdefault(f, i)
            else:
                for i, h in enumerate(header):
                    self.by_field.setdefault(normalize_header(h), i)

    def of(self, field_name: str) -> int | None:
        try:
            return self.cache[field_name]
        except KeyError:
            pass
        if self.header_for_field is not None:
            h = self.header_for_field(field_name)
            col = self.index.get(h) if h is not None else None
        else:
            assert self.by_field is not None
            col = self.by_field.get(field_name)
            if col is None:
                col = self.by_field.get(normalize_header(field_name))
        self.cache[field_name] = col
        return col

    def label(self, field_name: str) -> str:
        """How the errors column names a field: its column's header when it has one."""
        col = self.of(field_name)
        return self.header[col] if col is not None else field_name


def write_failed_rows(items: Iterable[JobItem], path: Path, fmt: str, *,
                      header_for_field: Callable[[str], str | None] | None = None,
                      resource: Any = None,
                      header: list[str] | None = None,
                      lookahead: int = LOOKAHEAD,
                      comment_limit: int = COMMENT_LIMIT,
                      xlsx_engine: str | None = None,
                      progress: Callable[[int], None] | None = None,
                      every: int = 1000) -> int:
    """Write the failed rows of ``items`` to ``path`` as ``fmt`` ("csv" or "xlsx"); returns the rows written.

    ``resource``: the job's ResourceType (for its header mapping); ``header``: the columns, instead of
    the look-ahead; ``comment_limit``: XLSX rows that get cell comments; ``xlsx_engine``:
    "xlsxwriter" or "openpyxl" (default: XlsxWriter when installed); ``progress(n)``: called every
    ``every`` rows and at the end.
    """
    fmt = check_format(fmt, ("csv", "xlsx"))
    rows = failed_rows(items)
    head = list(itertools.islice(rows, max(1, lookahead)))
    columns = [h for h in header if h not in MARKER_COLUMNS] if header is not None else _header_of(head)
    known = frozenset(columns)
    cols = _Columns(columns, header_for_field, resource)
    all_rows = itertools.chain(head, rows)
    ticker = Progress(progress, every)

    def unplaced(raw: dict[str, Any]) -> dict[str, Any] | None:
        if len(raw) <= len(known) and all(k in known for k in raw):
            return None
        out = {k: v for k, v in raw.items() if k not in known and k not in _NOT_COLUMNS}
        return out or None

    n = 0
    with atomic_path(path) as tmp:
        if fmt == "csv":
            with tmp.open("w", newline="", encoding="utf-8-sig") as out:
                writer = csv.writer(out)
                writer.writerow([neutralise(h) for h in columns] + list(MARKER_COLUMNS))
                for row in all_rows:
                    raw = row.raw
                    line = [neutralise(raw_text(raw.get(h))) for h in columns]
                    line.append(row.row_number if row.row_number is not None else "")
                    line.append(neutralise(errors_text(row, cols.label, unplaced(raw))))
                    writer.writerow(line)
                    n += 1
                    ticker.tick(n)
        else:
            errors_col = len(columns) + 1
            widths = {errors_col: 80}
            sheet = open_sheet(tmp, "Failed rows", [*columns, *MARKER_COLUMNS], widths=widths, engine=xlsx_engine)
            try:
                for row in all_rows:
                    raw = row.raw
                    values = [xlsx_value(raw.get(h)) for h in columns]
                    values.append(row.row_number)
                    values.append(errors_text(row, cols.label, unplaced(raw)))
                    marks: dict[int, list[str]] = {}
                    for item in row.errors:
                        col = cols.of(item.field) if item.field else None
                        if col is not None:
                            messages = marks.setdefault(col, [])
                            if item.message not in messages:
                                messages.append(item.message)
                    comments = {c: "\n".join(m) if n < comment_limit else "" for c, m in marks.items()}
                    comments[errors_col] = ""  # highlighted, no comment: the text is the cell
                    sheet.row(values, comments)
                    n += 1
                    ticker.tick(n)
            finally:
                sheet.close()
    ticker.done(n)
    return n


def export_failed_rows(engine: Any, job_uid: str, path: Path, fmt: str, *,
                       progress: Callable[[int], None] | None = None, every: int = 1000) -> int:
    """``write_failed_rows`` wired to an Engine: the job's error items, and its resource type's header
    mapping to place each error in its column (a mixed-type job matches header names only)."""
    job = engine.get_job(job_uid)
    try:
        resource = engine.registry.get(job.resource_type)
    except Exception:  # "mixed" or a type no longer defined
        resource = None
    return write_failed_rows(engine.iter_items(job.uid, ItemLevel.ERROR), path, fmt, resource=resource,
                             progress=progress, every=every)
