"""Streaming XLSX sheet writers: XlsxWriter (``constant_memory``) and openpyxl (``write_only``).

Both write one sheet row by row (a row is on disk once the next one starts), with a bold, frozen
header row. A row is a list of values already made XLSX-ready by ``cells.xlsx_value`` (None, str,
bool, int, float, date, naive datetime) plus optional *marks*: column -> comment text; a marked
cell gets the highlight fill, and a comment when the text is not empty.

Strings are always written as text cells (XlsxWriter ``write_string``; openpyxl ``data_type = "s"``),
never as formulas, so "=1+1" is stored as the text "=1+1". A text starting with a formula character
also gets Excel's quote-prefix style: the value itself has no apostrophe, and Excel keeps it as
text even when someone edits the cell.

What the format cannot hold: text is cut to 32,767 characters (Excel's cell limit); a sheet holds
at most 1,048,576 rows (``TooManyRows`` past that: export to CSV instead). XML-illegal control
characters are written as Excel's ``_xHHHH_`` escapes by XlsxWriter and dropped by openpyxl.

Comments are the one part neither library streams. Checked in the installed sources: XlsxWriter
3.3 ``write_comment`` works in ``constant_memory`` mode (a comment may be added to the current row
before the next row starts) but keeps every comment in ``worksheet.comments`` until ``close()``
writes the comments and VML parts; openpyxl 3.1 write-only collects each cell's comment in
``ws._comments`` until ``save()``. See ``failed_rows`` for the figures and the cap.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from importdesk.exports.neutralise import FORMULA_CHARS

__all__ = ["ENGINES", "MAX_ROWS", "SheetWriter", "TooManyRows", "default_engine", "open_sheet"]

ENGINES = ("xlsxwriter", "openpyxl")
MAX_ROWS = 1_048_576  # header included
MAX_TEXT = 32_767
HIGHLIGHT_FILL = "FFC7CE"  # Excel's "light red fill with dark red text"
HIGHLIGHT_FONT = "9C0006"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
COMMENT_AUTHOR = "importdesk"
_FORMULA = frozenset(FORMULA_CHARS)


class TooManyRows(ValueError):
    """More rows than an XLSX sheet holds."""


class SheetWriter:
    """One streamed sheet. ``row()`` appends a row; ``close()`` finishes the file."""

    rows_written = 0

    def row(self, values: Sequence[Any], marks: dict[int, str] | None = None) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _next_row(self) -> int:
        r = self.rows_written
        if r >= MAX_ROWS:
            raise TooManyRows(f"an XLSX sheet holds at most {MAX_ROWS - 1:,} rows under its header: "
                              "export to CSV instead")
        self.rows_written = r + 1
        return r


def default_engine() -> str:
    """XlsxWriter when it is installed (about 2x faster, a quarter of the memory: see failed_rows.py),
    else openpyxl."""
    return "xlsxwriter" if importlib.util.find_spec("xlsxwriter") is not None else "openpyxl"


def open_sheet(path: Path, sheet: str, header: Sequence[str], *, widths: dict[int, float] | None = None,
               engine: str | None = None) -> SheetWriter:
    engine = engine or default_engine()
    if engine == "xlsxwriter":
        return _XlsxWriterSheet(path, sheet, header, widths or {})
    if engine == "openpyxl":
        return _OpenpyxlSheet(path, sheet, header, widths or {})
    raise ValueError(f"unknown XLSX engine {engine!r}; use one of {', '.join(ENGINES)}")


def _sheet_title(name: str) -> str:
    bad = set('[]:*?/\\')
    title = "".join("_" if ch in bad else ch for ch in name).strip("'")[:31]
    return title or "Sheet1"


class _XlsxWriterSheet(SheetWriter):
    def __init__(self, path: Path, sheet: str, header: Sequence[str], widths: dict[int, float]):
        import xlsxwriter

        self.wb = wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        })
        self.ws = ws = wb.add_worksheet(_sheet_title(sheet))
        hl = {"bg_color": "#" + HIGHLIGHT_FILL, "font_color": "#" + HIGHLIGHT_FONT}
        self.fmt = {  # (kind, highlighted) -> format
            ("text", False): None,
            ("text", True): wb.add_format(hl),
            ("quoted", False): wb.add_format({"quote_prefix": True}),
            ("quoted", True): wb.add_format({"quote_prefix": True, **hl}),
            ("date", False): wb.add_format({"num_format": DATE_FORMAT}),
            ("date", True): wb.add_format({"num_format": DATE_FORMAT, **hl}),
            ("datetime", False): wb.add_format({"num_format": DATETIME_FORMAT}),
            ("datetime", True): wb.add_format({"num_format": DATETIME_FORMAT, **hl}),
        }
        self.comment_options = {"author": COMMENT_AUTHOR, "x_scale": 2.5, "y_scale": 1.5}
        ws.freeze_panes(1, 0)
        for col, width in widths.items():
            ws.set_column(col, col, width)
        bold = wb.add_format({"bold": True})
        r = self._next_row()
        for c, name in enumerate(header):
            ws.write_string(r, c, str(name)[:MAX_TEXT], bold)

    def row(self, values: Sequence[Any], marks: dict[int, str] | None = None) -> None:
        r = self._next_row()
        ws = self.ws
        fmt = self.fmt
        write_string = ws.write_string
        for c, v in enumerate(values):
            hl = marks is not None and c in marks
            cls = v.__class__
            if cls is str:
                if v and v[0] in _FORMULA:
                    write_string(r, c, v[:MAX_TEXT], fmt["quoted", hl])
                else:
                    write_string(r, c, v[:MAX_TEXT], fmt["text", hl])
            elif v is None:
                if hl:
                    ws.write_blank(r, c, None, fmt["text", True])
            elif cls is bool:
                ws.write_boolean(r, c, v, fmt["text", hl])
            elif cls is int or cls is float:
                ws.write_number(r, c, v, fmt["text", hl])
            elif cls is _dt.datetime:
                ws.write_datetime(r, c, v, fmt["datetime", hl])
            elif cls is _dt.date:
                ws.write_datetime(r, c, v, fmt["date", hl])
            else:
                write_string(r, c, str(v)[:MAX_TEXT], fmt["text", hl])
        if marks:
            for c, text in marks.items():
                if text:
                    ws.write_comment(r, c, text[:MAX_TEXT], self.comment_options)

    def close(self) -> None:
        self.wb.close()


class _OpenpyxlSheet(SheetWriter):
    def __init__(self, path: Path, sheet: str, header: Sequence[str], widths: dict[int, float]):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.comments import Comment
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        self.path = path
        self.wb = Workbook(write_only=True)
        self.ws = ws = self.wb.create_sheet(_sheet_title(sheet))
        self._Cell = WriteOnlyCell
        self._Comment = Comment
        self._illegal = ILLEGAL_CHARACTERS_RE.search
        self._illegal_sub = ILLEGAL_CHARACTERS_RE.sub
        self._fill = PatternFill("solid", fgColor="FF" + HIGHLIGHT_FILL)
        self._font = Font(color="FF" + HIGHLIGHT_FONT)
        ws.freeze_panes = "A2"
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col + 1)].width = width
        bold = Font(bold=True)
        cells = []
        for name in header:
            cell = WriteOnlyCell(ws, self._clean(str(name)))
            cell.data_type = "s"
            cell.font = bold
            cells.append(cell)
        self._next_row()
        ws.append(cells)

    def _clean(self, v: str) -> str:
        if self._illegal(v):
            v = self._illegal_sub("", v)
        return v[:MAX_TEXT]

    def row(self, values: Sequence[Any], marks: dict[int, str] | None = None) -> None:
        self._next_row()
        out: list[Any] = []
        Cell = self._Cell
        for c, v in enumerate(values):
            hl = marks is not None and c in marks
            cls = v.__class__
            if cls is str:
                v = self._clean(v)
                quoted = bool(v) and v[0] in _FORMULA
                if not (hl or quoted):
                    out.append(v)
                    continue
                cell = Cell(self.ws, v)
                cell.data_type = "s"  # never a formula
                if quoted:
                    cell.quotePrefix = True
            elif not hl and cls is not _dt.date and cls is not _dt.datetime:
                out.append(v)
                continue
            else:
                cell = Cell(self.ws, v)
                if cls is _dt.datetime:
                    cell.number_format = DATETIME_FORMAT
                elif cls is _dt.date:
                    cell.number_format = DATE_FORMAT
            if hl:
                cell.fill = self._fill
                cell.font = self._font
                text = marks[c]  # type: ignore[index]
                if text:
                    comment = self._Comment(self._clean(text), COMMENT_AUTHOR)
                    comment.width, comment.height = 320, 110
                    cell.comment = comment
            out.append(cell)
        self.ws.append(out)

    def close(self) -> None:
        self.wb.save(str(self.path))
