"""Streaming XLSX parts: the workbook's sheet list, shared strings, date styles and a row iterator.

The sheet's XML is parsed with expat straight out of the ZIP member, 64 KiB at a time, so memory
holds one chunk of rows, not the sheet. Cell values follow the reader contract (see
xlsx_source.py); the rules for dates mirror Excel's (and calamine's, the previous reader):
a number is a date when its cell style's number format is a built-in date format (14-22, 45,
47), a duration for built-in 46, or a custom format whose first section has a date/time token
(d m y h s, AM/PM) outside quotes, escapes and brackets, a duration when that token is [h] [m]
or [s].

Every XML part is refused if it has a DTD: XLSX parts never do, and a DTD is where entity
bombs live (expat would expand internal entities).
"""

from __future__ import annotations

import array
import contextlib
import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any
from xml.parsers import expat

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CHUNK = 1 << 16
SST_BLOCK = 4096  # shared strings per joined block (see SharedStrings)
EMPTY_KEPT = 64   # empty shared strings listed by index (more: the fast count is not tried)

DATE, DURATION = "date", "duration"
BUILTIN_FORMATS = {**dict.fromkeys((*range(14, 23), 45, 47), DATE), 46: DURATION}
EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
MS_PER_DAY = 86_400_000


class XlsxFormatError(Exception):
    """The workbook's XML is not what XLSX promises; the message says what (no location)."""


class CellError(XlsxFormatError):
    """A cell whose stored value cannot be read (e.g. a number that is not a number)."""

    def __init__(self, ref: str, row: int, message: str) -> None:
        super().__init__(f"cell {ref} {message}")
        self.ref = ref
        self.row = row


def _parser(namespaces: bool = True) -> Any:
    p = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    p.buffer_text = True

    def refuse_dtd(*_: Any) -> None:
        raise XlsxFormatError("the XML has a DTD (<!DOCTYPE>), which XLSX files never have; "
                              "refused as a possible XML entity bomb")

    p.StartDoctypeDeclHandler = refuse_dtd
    p.EntityDeclHandler = refuse_dtd
    return p


def _feed(parser: Any, member: Any) -> Iterator[None]:
    """Feed the member to the parser a chunk at a time; yields after each chunk."""
    try:
        while chunk := member.read(CHUNK):
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)
        yield
    except expat.ExpatError as exc:
        raise XlsxFormatError(f"the XML is malformed ({expat.ErrorString(exc.code)}, "
                              f"XML line {exc.lineno})") from exc


def _parse_all(zf: zipfile.ZipFile, name: str, parser: Any) -> None:
    with zf.open(name) as member:
        for _ in _feed(parser, member):
            pass


# --- workbook ----------------------------------------------------------------------------------

class Workbook:
    """Worksheet names (workbook order) -> their ZIP members, the shared strings and date styles."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        rels = self._relationships("xl/_rels/workbook.xml.rels", base="xl/")
        self.sheets: dict[str, str] = {}
        self.date1904 = False
        sheet_tag, pr_tag = f"{MAIN} sheet", f"{MAIN} workbookPr"

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == sheet_tag:
                rid = next((v for k, v in attrs.items() if k.endswith(" id")), None)
                kind, target = rels.get(rid or "", ("", ""))
                if kind.endswith("/worksheet") and "name" in attrs:
                    self.sheets[attrs["name"]] = target
            elif name == pr_tag:
                self.date1904 = attrs.get("date1904", "0").lower() in ("1", "true")

        p = _parser()
        p.StartElementHandler = start
        _parse_all(zf, "xl/workbook.xml", p)
        strings = next((t for k, t in rels.values() if k.endswith("/sharedStrings")), None)
        styles = next((t for k, t in rels.values() if k.endswith("/styles")), None)
        self.strings = SharedStrings(zf, strings) if strings in self._names() else SharedStrings(None, None)
        self.date_styles = _date_styles(zf, styles) if styles in self._names() else {}
        #: (style, stored text) -> the value of a date-styled number cell (dates repeat in a sheet)
        self.date_values: dict[tuple[str, str], Any] = {}

    def _names(self) -> set[str]:
        return set(self.zf.namelist())

    def _relationships(self, name: str, base: str) -> dict[str, tuple[str, str]]:
        """{relationship id: (type, member path)}"""
        found: dict[str, tuple[str, str]] = {}
        if name not in self._names():
            return found

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag.endswith(" Relationship") and "Id" in attrs and "Target" in attrs:
                target = attrs["Target"]
                path = target.lstrip("/") if target.startswith("/") else base + target
                found[attrs["Id"]] = (attrs.get("Type", ""), path)

        p = _parser()
        p.StartElementHandler = start
        _parse_all(self.zf, name, p)
        return found


class SharedStrings:
    """The workbook's shared strings, stored compactly: blocks of SST_BLOCK strings joined into
    one str each plus an array of end offsets (a million short strings as separate objects
    would cost ~60 MB more). ``strings[i]`` slices one out."""

    def __init__(self, zf: zipfile.ZipFile | None, name: str | None) -> None:
        self._blocks: list[str] = []
        self._ends = array.array("q")
        #: indices of the first EMPTY_KEPT + 1 empty strings (they read as empty cells; xlsx_count.py)
        self.empty: list[int] = []
        if zf is None or name is None:
            return
        si, t, rph = f"{MAIN} si", f"{MAIN} t", f"{MAIN} rPh"
        parts: list[str] = []   # strings of the block being built
        text: list[str] = []    # text runs of the current <si>
        state = {"collect": False, "rph": 0, "end": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == t and not state["rph"]:
                state["collect"] = True
            elif name == rph:
                state["rph"] += 1
            elif name == si:
                text.clear()

        def end(name: str) -> None:
            if name == t:
                state["collect"] = False
            elif name == rph:
                state["rph"] -= 1
            elif name == si:
                s = "".join(text)
                if not s and len(self.empty) <= EMPTY_KEPT:
                    self.empty.append(len(self._ends))
                parts.append(s)
                state["end"] += len(s)
                self._ends.append(state["end"])
                if len(parts) == SST_BLOCK:
                    self._blocks.append("".join(parts))
                    parts.clear()
                    state["end"] = 0

        def chars(data: str) -> None:
            if state["collect"]:
                text.append(data)

        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
        _parse_all(zf, name, p)
        if parts:
            self._blocks.append("".join(parts))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> str:
        if i < 0:
            raise IndexError(i)
        ends = self._ends
        end = ends[i]
        start = ends[i - 1] if i % SST_BLOCK else 0
        return self._blocks[i // SST_BLOCK][start:end]


def _date_styles(zf: zipfile.ZipFile, name: str) -> dict[str, str]:
    """{cell style index as written in s="..": DATE or DURATION} for the date-formatted styles."""
    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    numfmt, cellxfs, xf = f"{MAIN} numFmt", f"{MAIN} cellXfs", f"{MAIN} xf"
    inside = {"cellXfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == numfmt:
            with contextlib.suppress(ValueError):
                custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
        elif tag == cellxfs:
            inside["cellXfs"] = True
        elif tag == xf and inside["cellXfs"]:
            try:
                xf_formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xf_formats.append(0)

    def end(tag: str) -> None:
        if tag == cellxfs:
            inside["cellXfs"] = False

    p = _parser()
    p.StartElementHandler, p.EndElementHandler = start, end
    _parse_all(zf, name, p)
    kinds: dict[str, str] = {}
    for index, fmt_id in enumerate(xf_formats):
        kind = format_kind(custom[fmt_id]) if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
        if kind:
            kinds[str(index)] = kind
    return kinds


def format_kind(code: str) -> str | None:
    """DATE, DURATION or None for a custom number format code (its first section only)."""
    skip_next = quoted = False
    brackets = 0
    in_ampm = False
    prev = ""
    elapsed = False  # inside [h] [mm] [ss]...
    for ch in code:
        if skip_next:
            skip_next = False
        elif ch in "_\\*":
            skip_next = True   # escape, width of the next char, fill with the next char
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = True
        elif ch == ";":
            return None
        elif ch == "[":
            brackets += 1
        elif ch == "]":
            if brackets == 1 and elapsed:
                return DURATION
            brackets = max(brackets - 1, 0)
        elif brackets == 0 and not in_ampm and ch in "aA":
            in_ampm = True
        elif brackets == 0 and ((in_ampm and ch in "pmPM/") or (not in_ampm and ch in "dmhysDMHYS")):
            return DATE
        elif not (elapsed and ch.lower() == prev.lower()):
            elapsed = prev == "[" and ch in "hmsHMS"
        prev = ch
    return None


def serial_to_value(serial: float, kind: str, date1904: bool) -> Any:
    """An Excel serial number under a date or duration format -> date/datetime/"HH:MM:SS"/str(timedelta).

    Milliseconds are rounded (Excel stores times as fractions of a day). A whole-day serial is a
    date; below one day (no date part) it is a time of day, given as ISO text.
    """
    ms = round(serial * MS_PER_DAY)
    if kind == DURATION:
        return str(dt.timedelta(milliseconds=ms))
    if not date1904 and 0 <= serial < 1:
        return (dt.datetime.min + dt.timedelta(milliseconds=ms)).time().isoformat()
    if date1904:
        moment = EPOCH_1904 + dt.timedelta(milliseconds=ms)
    elif serial < 60:   # Excel counts a 29 February 1900 that never was: before it, one day later
        moment = EPOCH_1900 + dt.timedelta(milliseconds=ms + MS_PER_DAY)
    else:
        moment = EPOCH_1900 + dt.timedelta(milliseconds=ms)
    if moment.hour == moment.minute == moment.second == moment.microsecond == 0:
        return moment.date()
    return moment


# --- rows --------------------------------------------------------------------------------------

_LETTERS: dict[str, int] = {}


def column_index(letters: str) -> int:
    """Excel letters -> 0-based column index (A -> 0, AA -> 26)."""
    index = _LETTERS.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        index -= 1
        if len(_LETTERS) < 20_000:
            _LETTERS[letters] = index
    return index


def letters(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


Row = tuple[int, list[Any], list[tuple[int, str, str]]]  # sheet row, values from column A, errors


def dimension_start_column(zf: zipfile.ZipFile, member: str) -> int | None:
    """The first column of the sheet's <dimension ref="C3:F9"> (0-based), if it has one."""
    with zf.open(member) as f:
        head = f.read(CHUNK).decode("utf-8", "replace")
    m = re.search(r'<(?:\w+:)?dimension\b[^>]*\bref="\$?([A-Z]+)', head)
    return column_index(m.group(1)) if m else None


def cell_value(ctype: str | None, style: str | None, text: str | None, ref: str, row: int,
               book: Workbook) -> Any:
    """One cell's value from its type (t=), style (s=) and stored text; raises CellError.

    Error cells (t="e") are not values: the callers list them apart."""
    if ctype is None or ctype == "n":
        if text is None:
            return None
        try:
            number = float(text)
        except ValueError:
            raise CellError(ref, row, f"holds {text[:40]!r} where a number was expected") from None
        kind = book.date_styles.get(style) if style is not None else None
        if kind is not None:
            try:
                return serial_to_value(number, kind, book.date1904)
            except (OverflowError, ValueError):  # outside the calendar: keep the number
                pass
        return int(number) if number.is_integer() else number
    if ctype == "s":
        if text is None:
            return None
        try:
            return book.strings[int(text)] or None
        except (ValueError, IndexError):
            raise CellError(ref, row, f"refers to shared string {text[:20]!r}, which the workbook "
                                      f"does not have ({len(book.strings)} strings)") from None
    if ctype == "b":
        return None if text is None else text.strip() in ("1", "true")
    if ctype == "d":
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text.rstrip("Z"))
        except ValueError:
            raise CellError(ref, row, f"holds {text[:40]!r} where an ISO date was expected") from None
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date()
        return value
    return text or None  # inlineStr, str (a formula's text), anything newer


def iter_rows(zf: zipfile.ZipFile, member: str, book: Workbook) -> Iterator[Row]:
    """Yield (sheet row number, values indexed from column A, error cells) for every <row>
    element holding at least one value or error cell, in file order.

    Values: str (leading zeros kept), int (integral numbers), float, bool, date, datetime, ISO
    time text, duration text (see cell_value). Error cells are listed as (0-based column,
    reference, error text such as "#N/A").

    Two parsers, one result: rows in the shape Excel and the common writers produce (see
    xlsx_fastrows.py) are read with regular expressions, several times faster than expat's
    callbacks; any other row goes through expat, and so does a whole sheet whose prolog is
    unusual (a DTD, not UTF-8).
    """
    from .xlsx_fastrows import fast_rows

    with zf.open(member) as f:
        rows = fast_rows(f, book)
        if rows is not None:
            yield from rows
            return
    out: list[Row] = []
    make = expat_row_parser(book, out)
    p = make()
    with zf.open(member) as f:
        for _ in _feed(p, f):
            if out:
                yield from out
                out.clear()


def expat_row_parser(book: Workbook, out: list[Row]) -> Callable[..., Any]:
    """A maker of expat parsers that append every complete <row> they see to ``out``
    (the state is shared: use one parser at a time)."""
    ROW, C, V, T, IS, RPH = (f"{MAIN} {n}" for n in ("row", "c", "v", "t", "is", "rPh"))
    # parse state, in closure cells (faster than attributes in the handlers)
    row_number = 0
    values: list[Any] = []
    errors: list[tuple[int, str, str]] = []
    col = -1
    ref = ""
    ctype: str | None = None
    style: str | None = None
    text: str | None = None
    collect = False
    in_rph = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row_number, values, errors, col, ref, ctype, style, text, collect, in_rph
        if name == C:
            r = attrs.get("r")
            if r:
                ref = r
                col = column_index(r.rstrip("0123456789"))
            else:
                col += 1
                ref = f"{letters(col)}{row_number}"
            ctype = attrs.get("t")
            style = attrs.get("s")
            text = None
        elif name == V:
            collect = True
        elif name == T:
            collect = not in_rph
        elif name == ROW:
            r = attrs.get("r")
            row_number = int(r) if r and r.isdigit() else row_number + 1
            values = []
            errors = []
            col = -1
        elif name == RPH:
            in_rph += 1

    def end(name: str) -> None:
        nonlocal collect, in_rph
        if name == C:
            if col < 0:
                return
            if ctype == "e":
                errors.append((col, ref, text or "#ERROR"))
                return
            value = cell_value(ctype, style, text, ref, row_number, book)
            if value is None:
                return
            n = len(values)
            if col == n:
                values.append(value)
            elif col > n:
                values.extend([None] * (col - n))
                values.append(value)
            else:
                values[col] = value
        elif name in (V, T, IS):
            collect = False
        elif name == ROW:
            if values or errors:
                out.append((row_number, values, errors))
        elif name == RPH:
            in_rph -= 1

    def chars(data: str) -> None:
        nonlocal text
        if collect:
            text = data if text is None else text + data

    def make(last_row: int = 0) -> Any:
        nonlocal row_number
        row_number = last_row
        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
        return p

    return make
