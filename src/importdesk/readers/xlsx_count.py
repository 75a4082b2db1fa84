"""The number of data records of an XLSX sheet without reading its cells: a scan, exact or nothing.

Reading a sheet's rows costs a Python call and a value per cell (xlsx_fastrows.py); counting
them needs neither. Here the decompressed sheet XML is matched a chunk at a time, in C, by
regular expressions over bytes: one checks that the chunk is nothing but rows of cells in the
shape the reader's fast path reads (the same grammar, narrowed to values that can only read
without error), one counts the row elements, one finds the rows that hold no value (a styled
blank, an empty string, a formula without its cached value), which the reader skips.

A ``<dimension ref="A1:K9">`` tag is not used: it is what the writing program says, and a
workbook may lie (it is not even required).

Anything the scan cannot be sure of makes it answer None, and the caller counts by reading the
rows, which also words any fatal problem exactly as the import would: a row of another shape
(rich text, comments, other attributes), an error cell (#N/A: whether it counts depends on its
column), an ISO date cell, a number or shared-string index that might not read, an entity
reference that might be undefined, a byte that is not UTF-8, a row numbered at or before the
header after it, a prolog that sends the reader to expat (a DTD, another encoding), an unusual
archive. So a count given here is the one ``XlsxSource._count_records`` would give, and
a file it is given for reads without a fatal error in its cells' values.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib

from .xlsx_sheet import EMPTY_KEPT  # empty shared strings spelled out in a pattern; more: not sure

CHUNK = 1 << 20      # decompressed bytes per step (zlib's speed is flat from 64 KiB to 4 MiB)
MAX_PROLOG = 16 << 20
MAX_ROW = 64 << 20
MAX_HEADER_ROW = 20     # rows numbered up to the header's are looked for after it; beyond: not sure

_P = rb"(?:[A-Za-z_][\w.-]*:)?"
SHEET_DATA = re.compile(rb"<(" + _P + rb")sheetData\s*(/?)>")
ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding=["']([\w.-]+)["']""")
ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)(\s[^>]*)?>")
ROW_NUMBER = re.compile(rb'\sr="([0-9]+)"')

# character data that reads to text without an error (the references the reader knows)
_REFERENCE = rb"&(?:lt|gt|amp|quot|apos|#[0-9]{1,5}|#x[0-9A-Fa-f]{1,4});"
TEXT = rb"[^<&]*+(?:" + _REFERENCE + rb"[^<&]*+)*+"
SOME_TEXT = rb"(?=[^<])" + TEXT
BAD_REFERENCE = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos|#[0-9]{1,5}|#x[0-9A-Fa-f]{1,4});)")
NUMBER = rb"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"  # float() reads every one


class _Patterns:
    """The scan's expressions for a namespace prefix and the workbook's empty shared strings."""

    def __init__(self, prefix: bytes, empty_strings: list[int], header_row: int, strings: int) -> None:
        p = re.escape(prefix)
        head = rb'<' + p + rb'c r="[A-Z]{1,3}[0-9]+"(?: s="[0-9]+")?'
        formula = rb"(?:<" + p + rb"f\b(?:[^<>/]|/(?!>))*+(?:/>|>" + TEXT + rb"</" + p + rb"f>))?"

        def v(text: bytes) -> bytes:
            return rb"<" + p + rb"v>" + text + rb"</" + p + rb"v>"

        def inline(text: bytes) -> bytes:
            return (rb"<" + p + rb"is><" + p + rb't(?: xml:space="preserve")?>' + text
                    + rb"</" + p + rb"t></" + p + rb"is>")

        end = rb"</" + p + rb"c>"
        empty_index = (rb"0*(?:" + b"|".join(str(i).encode() for i in sorted(empty_strings)) + rb")"
                       if empty_strings else None)
        s_valued = (rb"(?!" + empty_index + rb"<)[0-9]+" if empty_index else rb"[0-9]+")
        s_empty = v(b"") + b"|" + inline(TEXT) + (b"|" + v(empty_index) if empty_index else b"")
        # per cell type: (type attribute, a body with a value, a body without one), as the fast
        # path reads them: a number's value is its <v>, an inline string's its <is>, the other's <v>
        kinds = [
            (rb' t="inlineStr"', inline(SOME_TEXT), v(TEXT) + b"|" + inline(b"")),
            (rb'(?: t="n")?', v(NUMBER), v(b"") + b"|" + inline(TEXT)),
            (rb' t="s"', v(s_valued), s_empty),
            (rb' t="(?:b|str)"', v(SOME_TEXT), v(b"") + b"|" + inline(TEXT)),
        ]

        def cell(valued: bool, empty: bool) -> bytes:
            alternatives = []
            for kind, with_value, without in kinds:
                bodies = ([with_value] if valued else []) + ([without] if empty else [])
                body = rb">" + formula + rb"(?:" + b"|".join(bodies) + rb")" + end
                if empty:
                    body = rb"(?:/>|" + body + rb"|>" + formula + end + rb")"
                alternatives.append(kind + body)
            return head + rb"(?:" + b"|".join(alternatives) + rb")"

        row_open = rb"<" + p + rb"row(?:\s(?:[^<>/]|/(?!>))*+)?"
        row_close = rb"</" + p + rb"row>"
        self.row_tag = b"<" + prefix + b"row"
        self.sheet_data_end = b"</" + prefix + b"sheetData"
        # a cell whose value cannot be None: a number, a non-empty text, a shared string that is not empty
        v_open, is_open = rb"<" + p + rb"v>", rb"<" + p + rb"is><" + p + rb't(?: xml:space="preserve")?>'
        s_index = rb"(?!" + empty_index + rb"<)[0-9]" if empty_index else rb"[0-9]"
        valued = head + (rb'(?: t="inlineStr">' + formula + is_open + rb"[^<]"
                         + rb'|(?: t="n")?>' + formula + v_open + rb"[-+.0-9]"
                         + rb'| t="s">' + formula + v_open + s_index
                         + rb'| t="(?:b|str)">' + formula + v_open + rb"[^<])")
        # a row holding such a cell before its end (its number, when r= is its first attribute); the
        # scan does not pass a comment, CDATA or processing instruction: such a row is not sure
        self.valued_row = re.compile(rb"<" + p + rb'row(?: r="([0-9]+)")?(?:\s[^<>]*+)?(?<!/)>(?:[^<]*+<(?![!?]|/'
                                     + p + rb"row>|" + p + rb"row[\s/>]))*?" + valued)
        self.empty_row = re.compile(row_open + rb"(?:/>|>(?:" + cell(False, True) + rb")*+" + row_close + rb")")
        self.one_row = re.compile(row_open + rb"(?:/>|>.*?" + row_close + rb")", re.S)
        #: how a row numbered at or before the header starts (no cell reference starts with a digit)
        numbers = b"|".join(str(i).encode() for i in range(1, header_row + 1))
        # shared-string indices as wide as the number of strings (narrower ones are all in range)
        self.wide_index = re.compile(rb' t="s">' + formula + v_open + rb"([0-9]{%d,})<" % len(str(strings)))
        self.low_row = re.compile(rb"<" + p + rb'row\s(?:[^<>]*?\s)?r="0*(?:0|' + numbers + rb')"')


def count_records(path: str, member: str, header_row: int, strings: int,
                  empty_strings: list[int]) -> int | None:
    """Data records of sheet ``member`` after row ``header_row`` (the header), counted as
    XlsxSource does; ``strings``: the workbook's number of shared strings, ``empty_strings``:
    the indices of the empty ones. None when the scan cannot be sure (module docstring)."""
    if len(empty_strings) > EMPTY_KEPT or not 0 < header_row <= MAX_HEADER_ROW:
        return None
    try:
        with zipfile.ZipFile(path) as zf, zf.open(member) as f:
            return _Scan(f, header_row, strings, empty_strings).count()
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, UnicodeError, ValueError,
            NotImplementedError, RuntimeError, KeyError):
        return None


class _Scan:
    def __init__(self, f, header_row: int, strings: int, empty_strings: list[int]) -> None:
        self.f = f
        self.header_row = header_row
        self.strings = strings
        self.empty_strings = empty_strings
        self.decode = codecs.getincrementaldecoder("utf-8")().decode
        self.eof = False
        self.pending = False  # the decoder holds the first bytes of a character cut by a chunk's end

    def read(self) -> bytes:
        chunk = self.f.read(CHUNK)
        self.eof = not chunk
        if self.pending or not chunk.isascii():
            self.decode(chunk, self.eof)  # raises on a byte that is not UTF-8
            self.pending = not self.eof and not chunk[-4:].isascii()
        return chunk

    def count(self) -> int | None:
        buf = b""
        while (m := SHEET_DATA.search(buf)) is None:
            if len(buf) > MAX_PROLOG:
                return None
            chunk = self.read()
            if not chunk:
                return None
            buf += chunk
        prolog = buf[:m.start()].removeprefix(codecs.BOM_UTF8)
        declared = ENCODING.match(prolog)
        if b"<!" in prolog or (declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8")):
            return None
        if ROOT.search(prolog, prolog.find(b"?>") + 2 if prolog.lstrip().startswith(b"<?") else 0) is None:
            return None
        if m.group(2):
            return 0
        pat = _Patterns(m.group(1), self.empty_strings, self.header_row, self.strings)
        buf = buf[m.end():]
        buf = self._skip_header(buf, pat)
        if buf is None:
            return None
        count = 0
        while True:
            end = buf.find(pat.sheet_data_end)
            if end >= 0:
                done, buf = buf[:end], b""
            else:
                cut = buf.rfind(pat.row_tag)
                if self.eof:
                    return None  # the sheet ends without </sheetData>: the reader says so
                if cut <= 0:
                    if len(buf) > MAX_ROW:
                        return None
                    buf += self.read()
                    continue
                done, buf = buf[:cut], buf[cut:]
            rows = self._rows(done, pat)
            if rows is None:
                return None
            count += rows
            if end >= 0:
                return count
            buf += self.read()

    def _skip_header(self, buf: bytes, pat: _Patterns) -> bytes | None:
        """``buf`` after the header row (rows before it hold no value), or None."""
        number = 0
        while True:
            start = len(buf) - len(buf.lstrip())
            if not pat.row_tag.startswith(buf[start:start + len(pat.row_tag)]):
                return None  # something else than a row: the reader says what
            m = pat.one_row.match(buf, start)
            if m is None:
                if self.eof or len(buf) > MAX_ROW or pat.sheet_data_end in buf:
                    return None
                buf += self.read()
                continue
            found = ROW_NUMBER.search(buf, m.start(), buf.find(b">", m.start()))
            number = int(found.group(1)) if found else number + 1
            empty = pat.empty_row.fullmatch(buf, m.start(), m.end()) is not None
            if number == self.header_row:
                return None if empty else buf[m.end():]
            if not empty or number > self.header_row:
                return None
            buf = buf[m.end():]

    def _rows(self, done: bytes, pat: _Patterns) -> int | None:
        """The rows of ``done`` (whole rows) that hold a value; None when not sure."""
        numbers = pat.valued_row.findall(done)
        valued = len(numbers)
        if (numbers and (min(numbers) == b"" or min(map(int, numbers)) <= self.header_row)
                and pat.low_row.search(done)):
            return None  # a row numbered at or before the header: the reader skips it
        if b"&" in done and BAD_REFERENCE.search(done):
            return None
        if b"<!--" in done:
            return None  # a comment between rows might look like one
        if b' t="s">' in done and (wide := pat.wide_index.findall(done)):
            most = str(self.strings).encode()
            if max(map(len, wide)) > len(most) or max(wide) >= most:
                return None  # an index the workbook may not have (or leading zeros: not sure)
        rows = done.count(pat.row_tag)
        if valued == rows or valued + len(pat.empty_row.findall(done)) == rows:
            return valued
        return None  # a row of another shape: read it to know
