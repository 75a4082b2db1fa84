"""The number of data records of a CSV file without the csv module: a byte scan, exact or nothing.

``csv.reader`` builds a list of strings for every row; counting needs none of them. Here each
chunk of bytes is matched, record by record, by one regular expression that accepts exactly the
records ``csv.reader(strict=True)`` reads on one physical line: fields unquoted (no quote, no
delimiter) or quoted (doubled quotes inside, the closing quote followed by the delimiter or the
line end). When the matches tile the whole chunk, the chunk's records are its lines, one each,
as the csv module would read them. Anything else — a quoted field over several lines, a quote
inside an unquoted field, text after a closing quote, a lone CR line end, an undecodable byte,
a line that could hold a field over the cell limit, an encoding whose bytes are not ASCII for
ASCII characters — makes the scan answer None, and the caller counts with the csv module, which
also words any fatal problem exactly as the import would.

Blank records (skipped by the reader) are found among the few lines that start with a
delimiter, a quote, white space or a non-ASCII byte: only those can be blank, and each of them
is read with the csv module to apply the reader's own rule.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable

from .read_digest import ReadDigest

CHUNK = 1 << 18
# codecs in which every byte below 0x80 is that ASCII character and never part of a longer
# sequence: a quote, delimiter or line break byte is always that character
_ASCII_SAFE = frozenset({"utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-15", "cp1250", "cp1251",
                         "cp1252", "cp1253", "cp1254", "cp1257", "mac-roman"})
_SPACE = rb" \t\x0b\x0c\x1c-\x1f"  # ASCII characters str.strip() removes, besides line breaks


def _patterns(delimiter: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    d = re.escape(delimiter)
    quoted = rb'"[^"\r\n]*+(?:""[^"\r\n]*+)*+"'
    field = rb"(?:" + quoted + rb'|[^"' + d + rb"\r\n]*+)"
    record = re.compile(field + rb"(?:" + d + field + rb")*+\r?\n")
    # a line that might be blank starts with a line break, delimiter, quote, space or a byte of a
    # non-ASCII character (which may be white space); any other first byte is content
    maybe_blank = re.compile(rb"\n[" + _SPACE + d + rb'"\r\n\x80-\xff]')
    return record, maybe_blank


def count_records(path: str, encoding: str, delimiter: str, header_lines: int, columns: int,
                  max_cell_chars: int, digest: ReadDigest | None = None) -> int | None:
    """Data records after the first ``header_lines`` physical lines, counted as CsvSource does
    (blank records skipped); None when the scan cannot be sure (see the module docstring).
    ``digest``: hashes the bytes read (readers/count_ahead.py)."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        return None
    if codec not in _ASCII_SAFE or len(delimiter) != 1 or ord(delimiter) > 0x7F or max_cell_chars < 2 * CHUNK:
        return None
    record, maybe_blank = _patterns(delimiter.encode("ascii"))
    decode = codecs.getincrementaldecoder(codec)().decode
    blank = _blank_rule(encoding, delimiter, columns)
    longest_carry = max_cell_chars - CHUNK  # so that no complete line can hold a field over the limit
    count = 0
    skip = header_lines
    carry = b""
    pending = False  # the decoder holds the first bytes of a character cut by the chunk's end
    try:
        with open(path, "rb") if digest is None else digest.open(path) as f:
            while True:
                chunk = f.read(CHUNK)
                final = not chunk
                if pending or not chunk.isascii():
                    decode(chunk, final)  # raises on a byte the encoding does not have
                    pending = not final and not chunk[-4:].isascii()
                buf = carry + chunk
                if final:
                    if not buf:
                        return count
                    if buf.endswith(b"\r"):
                        buf = buf[:-1]
                    buf += b"\n"  # the last line without a line break is a record like any other
                while skip and buf:
                    end = buf.find(b"\n")
                    if end < 0:
                        break
                    if b"\r" in buf[:end].rstrip(b"\r") or buf[:end].count(b"\r") > 1:
                        return None  # a lone CR is a line break to the csv module
                    buf = buf[end + 1:]
                    skip -= 1
                if skip:
                    if b"\r" in buf[:-1]:
                        return None
                    if final:
                        return count
                    carry = buf
                    continue
                last = buf.rfind(b"\n") + 1
                done, carry = buf[:last], buf[last:]
                if len(carry) > longest_carry:
                    return None
                rest, lines = record.subn(b"", done)
                if rest:
                    return None
                count += lines
                if maybe_blank.search(b"\n" + done[:1]) or maybe_blank.search(done):
                    count -= sum(map(blank, _first_bytes_match(maybe_blank, done)))
                if final:
                    return count
    except (UnicodeError, OSError):
        return None


def _first_bytes_match(maybe_blank: re.Pattern[bytes], done: bytes) -> list[bytes]:
    """The lines of ``done`` (whole lines) that might be blank."""
    return [line + b"\n" for line in done.split(b"\n")[:-1] if maybe_blank.match(b"\n" + line[:1] + b"\n")]


def _blank_rule(encoding: str, delimiter: str, columns: int) -> Callable[[bytes], bool]:
    """Is this line (one whole record) blank to CsvSource? Its own test, on the csv module's row."""
    def blank(line: bytes) -> bool:
        text = line.decode(encoding)
        row = next(csv.reader([text], delimiter=delimiter, quotechar='"', doublequote=True, strict=True), [])
        if not (row and (row[0] or any(row))):
            return True
        return len(row) == 1 != columns and not row[0].strip()
    return blank
