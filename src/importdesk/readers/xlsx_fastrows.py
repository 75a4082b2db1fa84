"""Fast path of the XLSX row reader: rows in the common shape, read with regular expressions.

Excel, LibreOffice, openpyxl and XlsxWriter write cells as ``<c r="B7" s="2" t="s"><v>..</v></c>``
(attributes in that order, double quotes), optionally with a formula ``<f>`` before the value,
or an inline string ``<is><t>..</t></is>``. A row is read here only if every ``<c`` in it
begins such a cell; the values come out of one ``findall`` in C, so the Python work is the
conversion of each value. A sheet a program wrote usually has the same cells A, B, C... in
every row: 64 KiB spans of such rows are read at once (``_uniform_rows``: one findall and one
comprehension per span, 15-20% faster than row by row). Any other row (rich text, comments, other
attributes, single quotes...) is handed to expat, wrapped in the sheet's root element so its
namespaces resolve, and comes out the same. A sheet whose prolog holds anything unusual (a
DTD, an encoding other than UTF-8) returns None: the caller parses it all with expat.
"""

from __future__ import annotations

import codecs
import re
import string
from collections.abc import Iterator
from typing import IO, Any
from xml.parsers import expat

from .xlsx_sheet import CellError, Row, Workbook, XlsxFormatError, cell_value, column_index, expat_row_parser
from .xlsx_templates import COLUMN_LETTERS, TRUE_TEXTS, RowTemplate, date_cell, formula_pattern, trimmed, trimmed_rows

CHUNK = 1 << 20
MAX_PROLOG = 16 << 20  # sheet views, column widths... before <sheetData>; more means "unusual"
MAX_ROW = 64 << 20     # one row this big is not a table
_P = r"(?:\w+:)?"      # any namespace prefix
SHEET_DATA = re.compile(rf"<({_P})sheetData\s*(/?)>")
SHEET_DATA_END = re.compile(rf"</{_P}sheetData\s*>")
ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)(\s[^>]*)?>")
ENCODING = re.compile(r"""^\s*<\?xml[^>]*\bencoding=["']([\w.-]+)["']""")
ROW_NUMBER = re.compile(r'\sr="(\d+)"')


class Patterns:
    """The fast path's expressions for one namespace prefix (the sheet's, e.g. "" or "x:")."""

    def __init__(self, p: str) -> None:
        q = re.escape(p)
        self.row_open, self.row_close = f"<{p}row", f"</{p}row>"
        # (possessive where nothing after a part could match had it matched less: ~25% faster)
        # groups: reference ("B7": one string, fewer made), style, type, value, inline string
        self.cells = re.compile(
            rf'<{q}c r="([A-Z]{{1,3}}\d++)"(?: s="(\d++)")?+(?: t="(\w++)")?+'
            rf"(?:/>|>{formula_pattern(q)}"
            rf'(?:<{q}v>([^<]*+)</{q}v>|<{q}is><{q}t(?: xml:space="preserve")?+>([^<]*+)</{q}t></{q}is>)?+'
            rf"</{q}c>)")
        # A row is read here only if every "<c" in it began a match above (anything else that
        # starts so, "<c\n" or "<col", makes the count differ: the row goes to expat).
        self.cell_open = f"<{p}c"
        self.prefix = p
        self.row_number = re.compile(rf'<{q}row r="(\d++)"')  # (a span's rows; see _uniform_rows)
        self.row_seam = f"</{p}row><{p}row"


GAP = re.compile(r"(?:\s|<!--.*?-->)*", re.S)
REFERENCE = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#(\d+)|(\w+));")
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def fast_rows(f: IO[bytes], book: Workbook) -> Iterator[Row] | None:
    """The sheet's rows read from ``f``, or None when the sheet's prolog calls for expat."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    buf = ""
    while (m := SHEET_DATA.search(buf)) is None:
        chunk = f.read(CHUNK)
        if not chunk or len(buf) > MAX_PROLOG:
            return None  # no <sheetData> where expected: let expat say what is wrong
        buf += decoder.decode(chunk)
    prolog = buf[:m.start()]
    declared = ENCODING.match(prolog)
    if "<!" in prolog or (declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8")):
        return None
    root = ROOT.search(prolog, prolog.find("?>") + 2 if prolog.lstrip().startswith("<?") else 0)
    if root is None:
        return None
    if m.group(2):  # <sheetData/>: no rows
        return iter(())
    return _rows(f, decoder, buf[m.end():], book, Patterns(m.group(1)), root.group(0), root.group(1))


def _rows(f: IO[bytes], decoder: Any, buf: str, book: Workbook, pat: Patterns, root_tag: str,
          root_name: str) -> Iterator[Row]:
    fallback: list[Row] = []
    make_parser = expat_row_parser(book, fallback)
    row_open, row_close = pat.row_open, pat.row_close
    skip_open, skip_close = len(row_open), len(row_close)
    last = 0
    eof = False
    spans = _Spans()
    while True:
        pos = 0
        out: list[Row] = []
        while (start := buf.find(row_open, pos)) >= 0:
            if start == pos and spans.wanted(pos):
                close = buf.rfind(row_close, pos, pos + SPAN)
                span = spans.read(buf[pos:close + skip_close], pat, book) if close > pos else None
                if span is not None:
                    rows, last = span
                    out.extend(rows)
                    pos = close + skip_close
                    spans.hit()
                    continue
                spans.miss(until=max(pos, close + skip_close))
            if start != pos and GAP.fullmatch(buf, pos, start) is None:
                break  # something that is not a row: checked below
            gt = buf.find(">", start)
            if gt < 0:
                break
            if buf[gt - 1] == "/":
                content = ""
                end = gt + 1
            else:
                close = buf.find(row_close, gt)
                if close < 0:
                    break
                content = buf[gt + 1:close]
                end = close + skip_close
            attrs = buf[start + skip_open:gt]
            if attrs[:1] not in (" ", "\t", "\n", "\r", "/", ""):
                break  # <rowBreaks> or the like: not a row
            found = ROW_NUMBER.search(attrs)
            last = int(found.group(1)) if found else last + 1
            if content:
                row = _read_row(content, buf[start:end], last, book, pat, make_parser, fallback,
                                root_tag, root_name)
                if row is not None:
                    out.extend(row)
            pos = end
        yield from out
        rest = buf[pos:]
        after_gap = GAP.match(rest).end()
        if SHEET_DATA_END.match(rest, after_gap):
            return
        tail = rest[after_gap:]
        if (tail and not tail.startswith(row_open[:len(tail)]) and not tail.startswith(row_open)) \
                or (eof and tail):
            raise XlsxFormatError(f"unexpected XML after row {last}: {tail[:60]!r}")
        if eof:
            raise XlsxFormatError(f"the sheet's XML ends after row {last} without </sheetData>")
        if len(rest) > MAX_ROW:
            raise XlsxFormatError(f"row {last + 1} is more than {MAX_ROW >> 20} MiB of XML")
        chunk = f.read(CHUNK)
        eof = not chunk
        buf = rest + decoder.decode(chunk, eof)
        spans.shift(pos)


SPAN = 1 << 16     # XML read as one span of rows; longer spans were slower (cells leave the cache)
SPAN_MISSES = 3    # spans in a row that were not uniform: the sheet is read a row at a time
TEMPLATE_BACKOFF = 8  # spans not tried by a template after SPAN_MISSES that were not (then 16...)


class _Spans:
    """Where to try a span of uniform rows: not again over rows a failed span held (they are read
    a row at a time), and not at all once spans keep failing (a sheet of irregular rows); and
    the template of the last span's rows (xlsx_templates.py), tried first."""

    def __init__(self) -> None:
        self.misses = 0
        self.resume_at = 0  # offset in the buffer
        self.template: RowTemplate | None = None
        self.template_misses = 0
        self.template_wait = 0  # spans read without trying a template
        self.template_backoff = TEMPLATE_BACKOFF

    def read(self, span: str, pat: Patterns, book: Workbook) -> tuple[list[Row], int] | None:
        """The rows of ``span`` (whole rows) by a template, or cell by cell; None: neither."""
        if self.template_wait:
            self.template_wait -= 1
        elif (found := self._by_template(span, pat, book)) is not None:
            self.template_misses, self.template_backoff = 0, TEMPLATE_BACKOFF
            return found
        else:
            self.template_misses += 1
            if self.template_misses >= SPAN_MISSES:  # (a sheet of mixed rows: try again later)
                self.template_wait, self.template_misses = self.template_backoff, 0
                self.template_backoff = min(2 * self.template_backoff, 1024)
        return _uniform_rows(span, pat, book)

    def _by_template(self, span: str, pat: Patterns, book: Workbook) -> tuple[list[Row], int] | None:
        """By the last template, else by one made from the span's first row, else by its styled
        variant (number cells in other styles: a highlighted one, say)."""
        old = self.template
        if old is not None and (found := old.read(span)) is not None:
            return found
        first = span[:span.find(pat.row_close) + len(pat.row_close)]
        for styled in (False, True):
            template = RowTemplate.of(first, pat.prefix, book, styled)
            if template is None:
                return None
            # (re caches patterns: the same template as the last one failed already)
            if (old is None or template.pattern is not old.pattern) and (found := template.read(span)) is not None:
                self.template = template
                return found
        return None

    def wanted(self, pos: int) -> bool:
        return self.misses < SPAN_MISSES and pos >= self.resume_at

    def hit(self) -> None:
        self.misses = 0

    def miss(self, until: int) -> None:
        self.misses += 1
        self.resume_at = until

    def shift(self, offset: int) -> None:
        """The buffer lost its first ``offset`` characters."""
        self.resume_at = max(0, self.resume_at - offset)


def _uniform_rows(span: str, pat: Patterns, book: Workbook) -> tuple[list[Row], int] | None:
    """The rows of ``span`` (whole rows, back to back) and its last row number, when every row
    is the usual one with the same columns A, B, C... and values the comprehension of
    ``_read_row`` reads; else None, and the rows are read one at a time (which names a bad cell).

    Read at once, a span's rows take 15-20% less time than one by one: one findall and one
    comprehension, with every check a count, a slice or a join in C: rows back to back (no gap,
    no other element), every "<c" a matched cell, and cell k of every row naming column k of it.
    """
    numbers = pat.row_number.findall(span)
    r = len(numbers)
    if not r or span.count(pat.row_open) != r or span.count(pat.row_seam) != r - 1:
        return None
    cells = pat.cells.findall(span)
    n, rest = divmod(len(cells), r)
    if rest or not n or span.count(pat.cell_open) != len(cells):
        return None
    refs = [c[0] for c in cells]
    for k in range(n):  # "B2B3B4" == "B" + "B".join(["2", "3", "4"]): one way to split either
        column = COLUMN_LETTERS[k]
        if "".join(refs[k::n]) != column + column.join(numbers):
            return None
    values = _plain_values(cells, book)
    if values is None:
        return None
    rows = [(int(number), values[i:i + n], []) for number, i in zip(numbers, range(0, len(values), n), strict=True)]
    return (trimmed_rows(rows) if None in values[n - 1::n] else rows), int(numbers[-1])


def _read_row(content: str, xml: str, number: int, book: Workbook, pat: Patterns, make_parser: Any,
              fallback: list[Row], root_tag: str, root_name: str) -> list[Row] | None:
    """Sheet row ``number`` (its content and whole XML); None when it holds no value or error."""
    cells = pat.cells.findall(content)
    if len(cells) != content.count(pat.cell_open):
        try:
            make_parser(number - 1).Parse(f"{root_tag}{xml}</{root_name}>".encode(), True)
        except expat.ExpatError as exc:
            raise XlsxFormatError(f"row {number}: the XML is malformed "
                                  f"({expat.ErrorString(exc.code)})") from exc
        rows = fallback[:]
        fallback.clear()
        return rows
    refs = [c[0] for c in cells]
    digits = refs[0].lstrip(string.ascii_uppercase) if refs else ""
    if "".join(refs) == digits.join(COLUMN_LETTERS[:len(refs)]) + digits:
        # The usual row: cells A, B, C... of this row, without gaps, of the usual types.
        values = _plain_values(cells, book)
        if values is not None:
            values = trimmed(values)
            return [(number, values, [])] if values else None
    return _general_row(cells, number, book)


def _plain_values(cells: list[tuple[str, ...]], book: Workbook) -> list[Any] | None:
    """The cells' values, in one comprehension, when each is a number, a date, a boolean or plain
    text; None for anything else (an entity, an error cell, a formula's string, a bad number):
    ``_general_row`` reads those cells and names the bad one."""
    strings, date_styles, dates = book.strings, book.date_styles, book.date_values
    try:
        values = [
            ((dates.get((style, text)) or date_cell(style, text, book)) if style in date_styles
             else int(x) if (x := float(text)).is_integer() else x) if (not ctype or ctype == "n") and text
            else None if not ctype or ctype == "n"   # (openpyxl and LibreOffice write t="n")
            else (inline or None) if ctype == "inlineStr" and "&" not in inline and "\r" not in inline
            else (strings[int(text)] or None) if ctype == "s" and text
            else (text.strip() in TRUE_TEXTS) if ctype == "b" and text and "&" not in text and "\r" not in text
            else _UNSET
            for _ref, style, ctype, text, inline in cells]
    except (ValueError, IndexError, CellError):
        return None
    return None if _UNSET in values else values


_UNSET = object()


def _general_row(cells: list[tuple[str, ...]], number: int, book: Workbook) -> list[Row] | None:
    """Any row of plain cells: gaps, date styles, booleans, error cells, references."""
    strings, date_styles = book.strings, book.date_styles
    values: list[Any] = []
    errors: list[tuple[int, str, str]] = []
    for ref, style, ctype, text, inline in cells:
        col_letters = ref.rstrip(string.digits)
        if not ctype:
            if not text:
                continue
            if style and style in date_styles:
                value = cell_value(None, style, text, ref, number, book)
            else:
                try:
                    value = float(text)
                except ValueError:
                    raise CellError(ref, number,
                                    f"holds {_text(text)[:40]!r} where a number was expected") from None
                if value.is_integer():
                    value = int(value)
        elif ctype == "s":
            if not text:
                continue
            try:
                value = strings[int(text)]
            except (ValueError, IndexError):
                value = cell_value("s", style, text, ref, number, book)  # raises
            if not value:
                continue
        elif ctype == "inlineStr":
            if not inline:
                continue
            value = _text(inline) if "&" in inline or "\r" in inline else inline
        elif ctype == "e":
            errors.append((column_index(col_letters), ref, _text(text) if text else "#ERROR"))
            continue
        else:
            value = cell_value(ctype, style, _text(text) if text else None, ref, number, book)
            if value is None:
                continue
        col = column_index(col_letters)
        n = len(values)
        if col == n:
            values.append(value)
        elif col > n:
            values.extend([None] * (col - n))
            values.append(value)
        else:
            values[col] = value
    return [(number, values, errors)] if values or errors else None


def _text(raw: str) -> str:
    """XML character data as a parser gives it: line ends normalised, references replaced."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in raw:
        return raw
    return REFERENCE.sub(_reference, raw)


def _reference(m: re.Match[str]) -> str:
    hex_code, dec_code, name = m.groups()
    if name is not None:
        if name not in NAMED:
            raise XlsxFormatError(f"the XML refers to an undefined entity &{name};")
        return NAMED[name]
    try:
        return chr(int(hex_code, 16) if hex_code else int(dec_code))
    except (ValueError, OverflowError):
        raise XlsxFormatError(f"the XML has an invalid character reference {m.group(0)}") from None
