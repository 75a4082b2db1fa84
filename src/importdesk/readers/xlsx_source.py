"""XLSX source: one worksheet, values as Python types, sheet row numbers, streamed.

The sheet is parsed as a stream (xlsx_sheet.py: expat over the ZIP member, 64 KiB at a time),
so memory does not grow with the sheet: python-calamine, the previous reader, parsed the whole
sheet into memory first (1 GB of RAM for a 1,000,000-row, 11-column import) and has no lazy
API (its ``iter_rows()`` walks a range already read). Measured with bench/xlsx_readers.py; the
figures are in that script's docstring. Rows in the common shapes are read by regular
expressions (xlsx_fastrows.py, xlsx_templates.py: a sheet a program wrote, 1M rows, in 0.65x
calamine's time); any other row by expat, which calls back into Python for every element and
is ~5x slower. ``count()`` does not read cells where it can be exact (xlsx_count.py: ~1/2 of
a read).

Cell values (the same as calamine gave, after this module's conversion):
- numbers: int when integral (3, not 3.0), float otherwise;
- text: str exactly as stored, leading zeros kept ("00123"); shared and inline strings alike;
- booleans: bool;
- date-formatted numbers: ``datetime.date`` for a whole-day serial, ``datetime.datetime``
  otherwise, "HH:MM:SS" text for a time of day (< 1 day), str(timedelta) for duration formats
  ([h]:mm -> "1 day, 6:00:00"); 1904-based workbooks are honoured;
- empty cells: None; error cells (#DIV/0!, #N/A) make their row a row error naming the cell
  and the error, never an empty value ("is required");
- formulas give their cached value; a workbook saved by a program that does not compute
  formulas (openpyxl, some exporters) has none, so such cells read as None.
``count()`` scans the sheet's XML without reading cells where it can be exact (xlsx_count.py), and
reads the rows otherwise; ``count_elsewhere()`` names that scan for the batch writer's process. A
bad cell value the scan let through (a number like "1x", in a row that also holds a good one) is
then found while importing: the job ends ``error`` with the batches before it committed.
Row numbers are sheet rows (the <row r=".."> attribute). Columns start at the sheet's first
used column (its <dimension>, else the header row's first cell), as calamine's range did.
Zip bombs are refused by ``_guard_archive`` before any XML is parsed, entity bombs by the
parser (a DTD is refused).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from .base import Limits, MiB, ReaderError, Record, RowSource, SourceInfo, clean_headers
from .xlsx_count import count_records
from .xlsx_sheet import (
    EMPTY_KEPT,
    CellError,
    Row,
    Workbook,
    XlsxFormatError,
    dimension_start_column,
    iter_rows,
    letters,
)

ROW_END = re.compile(rb"</(?:\w+:)?row>|<(?:\w+:)?row\b[^>]*/>")  # a row's end, for estimated_rows
RATIO_CHECK_MIN_BYTES = 1 * MiB  # small members (styles, themes) may compress very well
# A worksheet larger than this is not decompressed to be checked on opening: the count (here or
# in the batch writer) decompresses it whole before an import's first commit, and says the same
VERIFIED_SHEET_BYTES = 8 * MiB


class XlsxSource(RowSource):
    unit = "row"

    def __init__(self, path: str, size: int, limits: Limits, sheet: str | None = None) -> None:
        super().__init__(path, limits)
        self._guard_archive()
        self._zip: zipfile.ZipFile | None = None
        try:
            self._zip = zipfile.ZipFile(self.path)
            self._book = Workbook(self._zip)
            sheets = list(self._book.sheets)
            name = self._pick_sheet(sheets, sheet)
            self._member = self._book.sheets[name]
            if self._member not in self._zip.namelist():
                raise XlsxFormatError(f"the workbook lists sheet {name!r} but has no {self._member}")
            dim_col = dimension_start_column(self._zip, self._member)
        except ReaderError:
            self._release()
            raise
        except XlsxFormatError as exc:
            self._release()
            raise self._error(f"is not a readable XLSX workbook: {exc}") from exc
        except (KeyError, OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            self._release()
            raise self._error(f"is not a readable XLSX workbook: {_message(exc)}") from exc
        self._where = f"sheet {name!r}"
        headers, self._header_row, self._col0 = self._read_header(dim_col)
        self.info = SourceInfo(format="xlsx", sheet=name, sheets=sheets, headers=headers, size=size)

    # --- opening --------------------------------------------------------------------------------

    def _guard_archive(self, only: str | None = None) -> None:
        """Zip-bomb and damage checks before any XML is parsed.

        Declared sizes and ratios first (cheap), then every member is decompressed once by
        zipfile, which stops at the declared size and verifies the CRC: a member that lies
        about its size, a truncated archive or damaged data is refused here, with a clear
        message, instead of inside the XML parser. A large worksheet is left to the count,
        which reads it whole anyway (a second pass here cost a tenth of a large import): the
        scan gives up on damage, and the count by reading checks that sheet (``only``) here first, so the
        words are the same.
        """
        limits = self.limits
        try:
            with zipfile.ZipFile(self.path) as zf:
                infos = zf.infolist()
                names = {i.filename for i in infos}
                if "xl/workbook.xml" not in names:
                    raise self._error("is not an XLSX workbook (a ZIP archive without "
                                      "xl/workbook.xml)")
                total = sum(i.file_size for i in infos)
                if total > limits.max_xlsx_uncompressed_bytes:
                    raise self._error(
                        f"expands to {total:,} bytes uncompressed, more than the limit "
                        f"max_xlsx_uncompressed_bytes={limits.max_xlsx_uncompressed_bytes}")
                for i in infos:
                    if i.flag_bits & 0x1:
                        raise self._error("is encrypted; save it without a password")
                    ratio = i.file_size / max(i.compress_size, 1)
                    if i.file_size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_xlsx_ratio:
                        raise self._error(
                            f"member {i.filename} is compressed {ratio:,.0f}:1, more than the "
                            f"limit max_xlsx_ratio={limits.max_xlsx_ratio} (a zip bomb?)")
                for i in infos:
                    large_sheet = i.file_size > VERIFIED_SHEET_BYTES and i.filename.startswith("xl/worksheets/")
                    if (only is None and large_sheet) or (only is not None and i.filename != only):
                        continue
                    with zf.open(i) as member:
                        while member.read(1 << 20):
                            pass
        except ReaderError:
            raise
        except zipfile.BadZipFile as exc:
            if "CRC" in str(exc) or "Bad magic" in str(exc):
                raise self._error(f"is damaged (corrupt ZIP data: {exc})") from exc
            # detect_format saw the ZIP signature at the start: the end is missing or broken.
            raise self._error("is truncated or damaged: the ZIP archive is incomplete (no "
                              "central directory); copy or download it again") from exc
        except (zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
            raise self._error(f"is damaged (corrupt ZIP data: {exc})") from exc
        except OSError as exc:
            raise self._error(f"cannot be read: {exc.strerror or exc}") from exc


    def _pick_sheet(self, sheets: list[str], wanted: str | None) -> str:
        if not sheets:
            raise self._error("has no worksheets")
        if wanted is None:
            return sheets[0]
        if wanted in sheets:
            return wanted
        folded = [s for s in sheets if s.strip().casefold() == wanted.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        listed = ", ".join(repr(s) for s in sheets)
        raise self._error(f"has no sheet named {wanted!r}; its sheets are: {listed}")

    def _read_header(self, dim_col: int | None) -> tuple[list[str], int, int]:
        for number, values, _errors in self._rows():
            first = next((i for i, v in enumerate(values) if v is not None), len(values))
            col0 = first if dim_col is None else min(dim_col, first)
            values = values[col0:]
            headers = clean_headers(
                values, lambda m, line=number: self._error(m, line=line, where=self._where), self.limits)
            return headers, number, col0
        raise self._error("is empty (no header row)", where=self._where)

    def _rows(self) -> Iterator[Row]:
        """The sheet's non-empty rows, ReaderError for anything unreadable (naming the row)."""
        if self._zip is None:
            raise self._error("the source is closed")
        number = None
        try:
            for row in iter_rows(self._zip, self._member, self._book):
                number = row[0]
                yield row
        except CellError as exc:
            raise self._error(f"{exc}", line=exc.row, where=self._where) from exc
        except XlsxFormatError as exc:
            raise self._error(f"cannot be read: {exc}", line=number, where=self._where) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # (a large sheet: see _guard_archive)
            raise self._error(f"is damaged (corrupt ZIP data: {exc})") from exc
        except (OSError, ValueError) as exc:
            raise self._error(f"cannot be read: {_message(exc)}", line=number, where=self._where) from exc

    def _release(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    # --- reading --------------------------------------------------------------------------------

    def _count_records(self) -> int:
        fast = count_records(*self._count_args()) if self._count_args() is not None else None
        return fast if fast is not None else self._count_by_reading()

    def _count_args(self) -> tuple[Any, ...] | None:
        strings = self._book.strings
        if len(strings.empty) > EMPTY_KEPT:
            return None
        return self.path, self._member, self._header_row, len(strings), list(strings.empty)

    def count_elsewhere(self) -> tuple[str, str, tuple[Any, ...]] | None:
        args = self._count_args()
        return None if args is None else (count_records.__module__, count_records.__name__, args)

    def estimated_rows(self) -> int:
        """The sheet's rows, estimated from its first 64 KiB of XML (0 when it cannot tell)."""
        try:
            size = self._zip.getinfo(self._member).file_size if self._zip is not None else 0
            with self._zip.open(self._member) as f:  # type: ignore[union-attr]
                head = f.read(1 << 16)
        except (OSError, KeyError, AttributeError, zipfile.BadZipFile, zlib.error, EOFError, ValueError):
            return 0
        rows = len(ROW_END.findall(head))
        return size * rows // len(head) if rows and head else 0

    def _count_by_reading(self) -> int:
        if self._zip is not None and self._zip.getinfo(self._member).file_size > VERIFIED_SHEET_BYTES:
            self._guard_archive(self._member)  # not checked on opening
        header_row = self._header_row
        return sum(1 for number, values, errors in self._rows()
                   if number > header_row and not self._only_stray_errors(values, errors))

    def _only_stray_errors(self, values: list[Any], errors: list[tuple[int, str, str]]) -> bool:
        """A row holding nothing but error cells outside the table: empty, as calamine saw it."""
        n, col0 = len(self.info.headers), self._col0
        return not values and not any(0 <= col - col0 < n for col, _ref, _text in errors)

    def _records(self, skip: int) -> Iterator[Record]:
        headers = self.info.headers
        n = len(headers)
        col0 = self._col0
        header_row = self._header_row
        max_rows = self.limits.max_rows
        seen = 0
        for number, values, errors in self._rows():
            if number <= header_row:
                continue
            if self._closed:
                raise self._error("the source was closed while reading")
            seen += 1
            if seen <= skip:
                continue
            if seen > max_rows:
                self._check_rows(seen)
            if col0:
                stray = next((i for i in range(min(col0, len(values))) if values[i] is not None), None)
                values = values[col0:]
                if stray is not None:
                    yield Record(number, (values + [None] * n)[:n], None,
                                 f"row has a value in column {letters(stray)}, before the first "
                                 f"header column ({letters(col0)})")
                    continue
            if errors:
                broken = [f"cell {ref} ({headers[col - col0]}) holds the spreadsheet error {text}"
                          for col, ref, text in errors if 0 <= col - col0 < n]
                if broken:
                    yield Record(number, (values + [None] * n)[:n], None,
                                 f"{', '.join(broken)} (a formula that failed, or an error value); "
                                 "fix it in the workbook")
                    continue
                if self._only_stray_errors(values, errors):
                    continue
            if len(values) == n:
                yield Record(number, values)
            elif len(values) < n:
                values.extend([None] * (n - len(values)))
                yield Record(number, values)
            else:
                extra = next(i for i in range(len(values) - 1, n - 1, -1) if values[i] is not None)
                yield Record(number, values, None,
                             f"row has a value in column {letters(col0 + extra)}, beyond "
                             f"the last header column ({letters(col0 + n - 1)})")


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
