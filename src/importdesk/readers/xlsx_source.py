"""XLSX source: one worksheet, values as Python types, sheet row numbers.

Reader choice: python-calamine, not openpyxl. Measured with bench/xlsx_readers.py (100,000 rows
x 11 columns, 5.8 MiB file / 54 MB of sheet XML, every row read, each reader in its own
subprocess, median of 3, 2-core machine):

    openpyxl 3.1.5 read_only, values_only (defusedxml on)   26.8 s    35 MiB peak RSS
    python-calamine 0.9.1 iter_rows                          1.5 s   106 MiB peak RSS
    this module (guard + calamine + value conversion)        2.2 s   110 MiB peak RSS
    (bare interpreter: 14 MiB)

calamine is ~17x faster; the price is memory. python-calamine cannot stream a sheet:
``get_sheet_by_name()`` parses the whole sheet into a Rust ``Range`` (read in its source,
src/types/workbook.rs and sheet.rs: ``worksheet_range`` then ``Arc<Range>``) and ``iter_rows()``
only converts that range to Python lists row by row. Memory is therefore ~1.5-3 bytes per byte
of sheet XML (~90 MiB per 100k x 11 rows), which ``Limits.max_xlsx_uncompressed_bytes`` bounds
(default 1 GiB of XML: room for Excel's own 1,048,576-row maximum at 11 columns, ~570 MB of XML
here, and a worst case of ~2-3 GB of RAM). A 100k-row sheet read in 2 s instead of 27 s is worth
that; lower the limit on small machines. calamine parses XML with quick-xml, which expands no DTD
entities, so XML entity bombs are inert; zip bombs are refused by ``_guard_archive`` first.

How calamine 0.9.1 represents cells (checked), and what this module gives instead:
- every number is a float (3 -> 3.0): integral floats become int (3);
- text is str exactly as stored, leading zeros kept ("00123");
- booleans are bool;
- date-formatted cells: ``datetime.date`` for a whole-day serial, ``datetime.datetime``
  otherwise, ``datetime.time`` for time-only values (< 1 day) -> "HH:MM:SS" text, and
  ``datetime.timedelta`` for duration formats ([h]:mm) -> its str() ("1 day, 6:00:00");
- empty cells and error cells (#DIV/0!, #N/A) are "" -> None; so error cells are found in the
  sheet's XML (only when the archive check saw one: ``t="e"``) and make their row a row error
  naming the cell and the error, never an empty value ("is required");
- formulas give their cached value; a workbook saved by a program that does not compute
  formulas (openpyxl, some exporters) has none, so such cells read as None.
- ``iter_rows()`` starts at sheet row 1 (rows above the data come as empty lists), so the
  position in the iteration is the sheet row number; columns start at the first used column.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from .base import Limits, MiB, ReaderError, Record, RowSource, SourceInfo, clean_headers

RATIO_CHECK_MIN_BYTES = 1 * MiB  # small members (styles, themes) may compress very well
ERROR_CELL = b't="e"'


class XlsxSource(RowSource):
    unit = "row"

    def __init__(self, path: str, size: int, limits: Limits, sheet: str | None = None) -> None:
        super().__init__(path, limits)
        self._members_with_errors: set[str] = set()
        self._guard_archive()
        self._sheet: Any = None
        try:
            from python_calamine import CalamineWorkbook, SheetTypeEnum

            wb = CalamineWorkbook.from_path(self.path)
            try:
                sheets = [m.name for m in wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
                name = self._pick_sheet(sheets, sheet)
                self._sheet = wb.get_sheet_by_name(name)  # parses the whole sheet (see above)
            finally:
                wb.close()
        except ReaderError:
            raise
        except Exception as exc:  # calamine errors, never raw
            raise self._error(f"is not a readable XLSX workbook: {_calamine_message(exc)}") from exc
        self._where = f"sheet {name!r}"
        self._error_cells = self._find_error_cells(name) if self._members_with_errors else {}
        headers, self._header_row, self._col0 = self._read_header()
        self.info = SourceInfo(format="xlsx", sheet=name, sheets=sheets, headers=headers, size=size)

    # --- opening --------------------------------------------------------------------------------

    def _guard_archive(self) -> None:
        """Zip-bomb and damage checks before any XML is parsed.

        Declared sizes and ratios first (cheap), then every member is decompressed once by
        zipfile, which stops at the declared size and verifies the CRC: a member that lies
        about its size, a truncated archive or damaged data is refused here, with a clear
        message, instead of inside the XML parser.
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
                    sheet_xml = i.filename.startswith("xl/worksheets/")
                    tail = b""
                    with zf.open(i) as member:
                        while chunk := member.read(1 << 20):
                            if sheet_xml and (ERROR_CELL in chunk or ERROR_CELL in tail + chunk[:8]):
                                self._members_with_errors.add(i.filename)
                                sheet_xml = False
                            tail = chunk[-8:]
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

    def _find_error_cells(self, sheet: str) -> dict[int, list[tuple[int, str, str]]]:
        """{sheet row: [(0-based column, cell reference, error text)]} of the sheet's error cells."""
        try:
            with zipfile.ZipFile(self.path) as zf:
                member = _sheet_member(zf, sheet)
                if member not in self._members_with_errors:
                    return {}
                data = zf.read(member)
        except (KeyError, OSError, zipfile.BadZipFile):
            return {}
        found: dict[int, list[tuple[int, str, str]]] = {}
        for m in re.finditer(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', data, re.S):
            ref = re.search(rb'\br="([A-Z]+)(\d+)"', m.group(1))
            value = re.search(rb"<v>([^<]*)</v>", m.group(2))
            if ref is None:
                continue
            letters, row = ref.group(1).decode(), int(ref.group(2))
            text = html.unescape(value.group(1).decode("utf-8", "replace")) if value else "#ERROR"
            found.setdefault(row, []).append((_column_index(letters), letters + str(row), text))
        return found

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

    def _read_header(self) -> tuple[list[str], int, int]:
        start = self._sheet.start  # (row, col), 0-based; None for an empty sheet
        col0 = start[1] if start else 0
        for number, row in enumerate(self._iter_raw(), start=1):
            if row.count("") != len(row):
                values = _convert(row)
                while values and values[-1] is None:
                    values.pop()
                headers = clean_headers(
                    values, lambda m, line=number: self._error(m, line=line, where=self._where), self.limits)
                return headers, number, col0
        raise self._error("is empty (no header row)", where=self._where)

    def _iter_raw(self) -> Iterator[list[Any]]:
        if self._sheet is None:
            raise self._error("the source is closed")
        if self._sheet.start is None:
            return iter(())
        return self._sheet.iter_rows()

    def _release(self) -> None:
        self._sheet = None  # the whole sheet lives in memory until here

    # --- reading --------------------------------------------------------------------------------

    def _count_records(self) -> int:
        count = 0
        try:
            for number, row in enumerate(self._iter_raw(), start=1):
                if number > self._header_row and row.count("") != len(row):
                    count += 1
        except ReaderError:
            raise
        except Exception as exc:
            raise self._error(f"cannot be read: {_calamine_message(exc)}", where=self._where) from exc
        return count

    def _records(self, skip: int) -> Iterator[Record]:
        n = len(self.info.headers)
        header_row = self._header_row
        max_rows = self.limits.max_rows
        seen = 0
        number = 0
        try:
            for number, row in enumerate(self._iter_raw(), start=1):
                if number <= header_row or row.count("") == len(row):
                    continue
                if self._closed:
                    raise self._error("the source was closed while reading")
                seen += 1
                if seen <= skip:
                    continue
                if seen > max_rows:
                    self._check_rows(seen)
                values = _convert(row)
                if number in self._error_cells:
                    headers = self.info.headers
                    broken = [f"cell {ref} ({headers[col - self._col0]}) holds the spreadsheet error {text}"
                              for col, ref, text in self._error_cells[number] if 0 <= col - self._col0 < n]
                    if broken:
                        yield Record(number, (values + [None] * n)[:n], None,
                                     f"{', '.join(broken)} (a formula that failed, or an error value); "
                                     "fix it in the workbook")
                        continue
                if len(values) > n:
                    while len(values) > n and values[-1] is None:
                        values.pop()
                if len(values) == n:
                    yield Record(number, values)
                elif len(values) < n:
                    values.extend([None] * (n - len(values)))
                    yield Record(number, values)
                else:
                    extra = next(i for i in range(len(values) - 1, n - 1, -1) if values[i] is not None)
                    yield Record(number, values, None,
                                 f"row has a value in column {_letters(self._col0 + extra)}, beyond "
                                 f"the last header column ({_letters(self._col0 + n - 1)})")
        except ReaderError:
            raise
        except Exception as exc:
            raise self._error(f"cannot be read: {_calamine_message(exc)}", line=number or None,
                              where=self._where) from exc


def _convert(row: list[Any]) -> list[Any]:
    """calamine cell values -> the reader contract's Python values.

    One comprehension (about 15% faster than a loop with appends): "" -> None, integral
    float -> int, bool/int/date/datetime unchanged, anything rarer through _convert_other.
    """
    return [
        (v or None) if (t := type(v)) is str
        else (int(v) if v.is_integer() else v) if t is float
        else v if t is bool or t is dt.date or t is dt.datetime or t is int
        else _convert_other(v)
        for v in row
    ]


def _convert_other(v: Any) -> Any:
    if type(v) is dt.time:
        return v.isoformat()
    if type(v) is dt.timedelta:
        return str(v)
    return v


def _column_index(letters: str) -> int:
    """Excel letters -> 0-based column index (A -> 0, AA -> 26)."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _sheet_member(zf: zipfile.ZipFile, sheet: str) -> str:
    """The archive member holding the worksheet named ``sheet`` (workbook.xml + its rels)."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    rel_id = None
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\s\w+:id="([^"]*)"', tag)
        if name and rid and html.unescape(name.group(1)) == sheet:
            rel_id = rid.group(1)
            break
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        rid = re.search(r'\bId="([^"]*)"', tag)
        target = re.search(r'\bTarget="([^"]*)"', tag)
        if rid and target and rid.group(1) == rel_id:
            path = html.unescape(target.group(1))
            return path.lstrip("/") if path.startswith("/") else "xl/" + path
    raise KeyError(sheet)


def _letters(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


def _calamine_message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
