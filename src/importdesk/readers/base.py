"""Shared types of the readers: Record, SourceInfo, Limits, ReaderError and the RowSource base."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

GiB = 1024**3
MiB = 1024**2


class ReaderError(Exception):
    """Anything fatal while opening or reading a source.

    ``str(err)`` is a complete, user-facing sentence that names the file (base name only) and,
    where it applies, the place: ``"products.csv, line 80000: ..."``, ``"book.xlsx, sheet
    'Products', row 7: ..."``, ``"items.json, element 12: ..."``. The optional attributes let a
    caller show the parts separately.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Limits:
    """Guards against files that would exhaust memory or time. Exceeding one is a ReaderError
    that names the limit and its value.
    """

    #: Largest file accepted at all (bytes).
    max_file_bytes: int = 2 * GiB
    #: Most data records in one source (CSV rows, sheet rows, JSON elements/lines).
    max_rows: int = 10_000_000
    #: Most columns in a header (CSV/XLSX).
    max_columns: int = 1_000
    #: Longest CSV field, in characters (``csv.field_size_limit``). Also bounds the damage of an
    #: unclosed quote, which would otherwise swallow the rest of the file into one field.
    max_cell_chars: int = 1_000_000
    #: Deepest nesting of a JSON value, counting the record object itself as level 1.
    max_json_depth: int = 32
    #: Most digits of one JSON number (its mantissa; integers included), and the largest
    #: exponent (either sign) it may carry. JSON numbers are read exactly (int / Decimal); these
    #: keep a few bytes of input from becoming a value that costs megabytes or minutes later
    #: (``1e200000000`` written out is 200 MB). Exceeding one is a record error.
    max_number_digits: int = 100
    max_number_exponent: int = 1000
    #: Sum of the declared uncompressed sizes of all members of an XLSX archive (a zip-bomb
    #: guard; the reader streams the sheet, so memory does not grow with it). The default admits
    #: Excel's maximum of 1,048,576 rows at 11 columns, ~570 MB of XML.
    max_xlsx_uncompressed_bytes: int = 1 * GiB
    #: Highest compression ratio accepted for an XLSX member larger than 1 MiB (zip-bomb guard).
    #: Sheets compress ~9x; even 100k rows of identical or empty styled cells stay under 20x
    #: (the cell references differ); a zip bomb is 1000x and more.
    max_xlsx_ratio: int = 200


@dataclass
class SourceInfo:
    """What was detected about a source (shown to the user before an import starts)."""

    format: str                      # "csv" | "xlsx" | "json" | "jsonl"
    encoding: str | None = None      # Python codec name (csv/json/jsonl); None for xlsx
    delimiter: str | None = None     # csv only
    sheet: str | None = None         # xlsx: the sheet being read
    sheets: list[str] = field(default_factory=list)  # xlsx: all worksheets, workbook order
    headers: list[str] = field(default_factory=list)
    # csv/xlsx: the header row (stripped, empty names -> "column_N"); values align with it.
    # json/jsonl: union of the keys seen in the first 100 records (display / type suggestion).
    size: int = 0                    # file size in bytes


class Record:
    """One data record. Deliberately tiny: millions are created per import."""

    __slots__ = ("error", "number", "outer", "type", "values")

    def __init__(self, number: int, values: Any, type: str | None = None,
                 error: str | None = None, outer: dict | None = None) -> None:
        self.number = number    # source row number a human finds in the file
        self.values = values    # csv/xlsx: list aligned with info.headers; json/jsonl: dict
        self.type = type        # Elastic Path resource type, or None
        self.error = error      # None, or why this one record is broken (a row error)
        self.outer = outer      # an envelope's "data" object without its attributes (type, id, …)

    def __repr__(self) -> str:
        extra = f", type={self.type!r}" if self.type is not None else ""
        extra += f", error={self.error!r}" if self.error is not None else ""
        return f"Record({self.number}, {self.values!r}{extra})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return (self.number, self.values, self.type, self.error) == (
            other.number, other.values, other.type, other.error)

    __hash__ = None  # type: ignore[assignment]


class RowSource:
    """Base of every source. Subclasses set ``info`` and implement ``_count_records`` and
    ``_records``; those convert every library exception into ReaderError themselves.
    """

    unit = "line"  # how a location is named in messages: "line", "row", "element"

    def __init__(self, path: str | os.PathLike[str], limits: Limits) -> None:
        self.path = os.fspath(path)
        self.name = os.path.basename(self.path)
        self.limits = limits
        self.info: SourceInfo
        self._count: int | None = None
        self._closed = False
        self._open_files: set[Any] = set()

    # --- public API ------------------------------------------------------------------------------

    def count(self) -> int:
        """Number of data records ``records()`` yields (a full pre-pass, cached).

        It reads the whole file, so fatal problems anywhere (bad byte, unclosed quote, JSON too
        deep) surface here, before an import starts. Readers make it cheaper than reading the
        records where they can be exact (CSV: a byte scan, csv_count.py; JSON Lines: one
        scanner call per line), and read it the slow way wherever they cannot.
        """
        self._check_open()
        if self._count is None:
            n = self._count_records()
            self._check_rows(n)
            self._count = n
        return self._count

    def count_elsewhere(self) -> tuple[str, str, tuple[Any, ...]] | None:
        """(module, function, arguments) that count this source's records in another process
        (the batch writer, while the import reads its first batches): a call that returns the
        count or None, as ``count()`` would; None when this source has no such call."""
        return None

    def take_count(self, n: int) -> int:
        """The count made by ``count_elsewhere``'s call: checked like ``count()``'s, and kept."""
        self._check_open()
        self._check_rows(n)
        self._count = n
        return n

    def records(self, skip: int = 0) -> Iterator[Record]:
        """Yield the data records in file order, after skipping ``skip`` of them (resume)."""
        self._check_open()
        if skip < 0:
            raise ValueError("skip must be >= 0")
        return self._records(skip)

    def numbered_rows(self, skip: int = 0) -> Iterator[list[Any] | Record]:
        """``records()`` for readers of tables that want plain lists: a record with a values list
        and no error or type comes as that list with its row number appended; any other stays
        a ``Record``. (No object per row: the import's hot path.)"""
        self._check_open()
        if skip < 0:
            raise ValueError("skip must be >= 0")
        return self._numbered_rows(skip)

    def _numbered_rows(self, skip: int) -> Iterator[list[Any] | Record]:
        for rec in self._records(skip):
            if rec.error is None and rec.type is None and isinstance(rec.values, list):
                rec.values.append(rec.number)
                yield rec.values
            else:
                yield rec

    def close(self) -> None:
        self._closed = True
        for f in list(self._open_files):
            with contextlib.suppress(Exception):  # closing is best effort
                f.close()
        self._open_files.clear()
        self._release()

    def __enter__(self) -> RowSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} {self.info!r}>"

    # --- for subclasses --------------------------------------------------------------------------

    def _count_records(self) -> int:
        raise NotImplementedError

    def _records(self, skip: int) -> Iterator[Record]:
        raise NotImplementedError

    def _release(self) -> None:
        """Free format-specific resources (called by close())."""

    def _check_open(self) -> None:
        if self._closed:
            raise ReaderError(f"{self.name}: the source is closed", file=self.name)

    def _check_rows(self, n: int) -> None:
        if n > self.limits.max_rows:
            raise self._error(
                f"more than {self.limits.max_rows:,} records (limit max_rows={self.limits.max_rows})")

    def _error(self, message: str, line: int | None = None, column: int | str | None = None,
               where: str | None = None) -> ReaderError:
        """A ReaderError whose text starts with the file name and the location."""
        return make_error(self.name, message, line=line, column=column,
                          unit=self.unit, where=where)

    def _track(self, f: Any) -> Any:
        self._open_files.add(f)
        return f

    def _untrack(self, f: Any) -> None:
        self._open_files.discard(f)
        with contextlib.suppress(Exception):
            f.close()


def make_error(name: str, message: str, *, line: int | None = None,
               column: int | str | None = None, unit: str = "line",
               where: str | None = None) -> ReaderError:
    parts = [name]
    if where:
        parts.append(where)
    if line is not None:
        parts.append(f"{unit} {line}")
    if column is not None:
        parts.append(f"column {column}")
    return ReaderError(f"{', '.join(parts)}: {message}", file=name, line=line, column=column)


def clean_headers(raw: list[Any], error: Any, limits: Limits) -> list[str]:
    """Header names: stripped, empty ones named ``column_N`` (1-based position); duplicate names
    and too many columns are fatal. ``error(message)`` builds the ReaderError to raise.
    """
    if len(raw) > limits.max_columns:
        raise error(f"the header has {len(raw):,} columns, more than the limit "
                    f"max_columns={limits.max_columns}")
    names: list[str] = []
    for i, value in enumerate(raw, start=1):
        text = "" if value is None else str(value)
        if i == 1:
            text = text.lstrip("\ufeff")
        text = text.strip()
        names.append(text or f"column_{i}")
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    dupes = [name for name, k in seen.items() if k > 1]
    if dupes:
        shown = ", ".join(repr(d) for d in dupes)
        raise error(f"duplicate column name{'s' if len(dupes) > 1 else ''} in the header: {shown}; "
                    "rename the columns so that each name is unique")
    return names
