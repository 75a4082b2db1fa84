"""JSON sources: a stream of JSON values placed back to back (format "jsonl": one per line,
pretty-printed over many lines, or several on one line) and an array of objects ("json").

One scanner reads both, in chunks (constant memory whatever the layout): ``raw_decode`` walks
the buffer value by value; a value cut by the end of a chunk is retried with more text. A
record's number is the line where its value starts (stream) or its 1-based index (array).

Numbers are exact: integers are ``int``, other numbers ``Decimal`` (never float), so
``12345678901234567.89`` reaches the store as written. A number with more digits than
``Limits.max_number_digits`` or a larger exponent than ``Limits.max_number_exponent``, and the
non-JSON constants NaN/Infinity, make their record an error (the rest of the file goes on; a
5,000-digit integer used to fail the whole file).

A broken value in a stream is a record error at the line where it starts; reading resumes at
the next line that can start a value at the same or a smaller indentation (for JSON Lines, the
next line). In an array a syntax error is fatal (the element boundaries are lost).

An Elastic Path value ``{"data": {"type": T, "attributes": {...}}}`` yields ``type=T`` and the
attributes dict as values.

JSON Lines are read line by line while each line holds one whole value (the usual file), without
the scanner's walk; from the first line that is anything else (a value over several lines, two on
one, a broken one) the scanner reads on from that line. A line is decoded by msgspec (integers
and ``Decimal`` from the digits written, 2-3x the standard library's speed) where its chunk holds
no number a limit could refuse (no long run of digits, no exponent: found in C per chunk); msgspec
refuses what strict JSON refuses (NaN, lone surrogates, control characters), and such a line, or
a chunk with such numbers, is decoded as before, by the standard library's C scanner.

Nesting deeper than ``Limits.max_json_depth`` (the record object is level 1): a record error in
a stream, fatal in an array. Absurd depth never reaches Python recursion: the C scanner raises
RecursionError itself (caught); otherwise depth is checked iteratively, and only for values
holding more brackets than the limit (a ``str.count`` in C), so flat values pay nothing.
"""

from __future__ import annotations

import io
import json
import json.scanner
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import msgspec
from pydantic_core import from_json

from .base import Limits, ReaderError, Record, RowSource, SourceInfo
from .detect import (
    MAX_LINE_BYTES,
    bom_encoding,
    check_encoding_name,
    describe_decode_error,
    find_decode_error,
    looks_binary,
    strip_bom,
)
from .read_digest import ReadDigest

PREVIEW_RECORDS = 100
CHUNK_CHARS = 1 << 20
MAX_VALUE_CHARS = MAX_LINE_BYTES  # one value may not span more text than this
_NON_SPACE = re.compile(r"[^ \t\r\n]")
# a line's indentation and first character (where reading may resume after a broken value)
_LINE_START = re.compile(r"\n([ \t]*)([^ \t\r\n])")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
# a mantissa's digits as a run of zeros, and either exponent letter as "e": one search (~1 ms a
# chunk) then finds a digit followed by an exponent
_NUMBER_CHARS_AS_ZERO = bytes.maketrans(b"123456789.E", b"0000000000e")
_EXPONENT = b"0e"  # after _NUMBER_CHARS_AS_ZERO: a digit followed by an exponent
_msgspec_decode = msgspec.json.Decoder(float_hook=Decimal).decode
_raw_decode = msgspec.json.Decoder(msgspec.Raw).decode  # checks one whole value, makes no objects
_Raw = msgspec.Raw
_MsgspecError = msgspec.DecodeError
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)


class _JsonBase(RowSource):
    format = "json"

    def __init__(self, path: str, head: bytes, size: int, limits: Limits,
                 encoding: str | None) -> None:
        super().__init__(path, limits)
        what = "JSON" if self.format == "json" else "JSON Lines"
        bom = bom_encoding(head)
        if encoding is not None:
            enc = check_encoding_name(self.name, encoding)
            if enc == "utf-8" and bom == "utf-8-sig":
                enc = "utf-8-sig"
        else:
            enc = bom or "utf-8"
        if enc in ("utf-8", "utf-8-sig") and bom in (None, "utf-8-sig"):
            if looks_binary(head):
                raise self._error(f"is not a text file (binary content), not {what}")
            sample = head.decode("utf-8", "replace")
            if sample.count("\ufffd") > max(3, len(sample) // 100):
                raise self._error(f"is not a text file in UTF-8, not {what}; if it is text in "
                                  "another encoding, pass it explicitly (--encoding)")
        # else: UTF-16/32 (BOM) or an explicit other encoding, transcoded to UTF-8 on the fly
        self._encoding = enc
        self._utf8 = enc in ("utf-8", "utf-8-sig")
        complete = size <= len(head)
        if complete and not strip_bom(head).strip():
            raise self._error("is empty")
        self.info = SourceInfo(format=self.format, encoding=enc, size=size)

    def _open_text(self) -> Any:
        """The file as text (BOM removed); bytes that are not UTF-8 become lone surrogates, which
        the scanner reports as a record error instead of failing the file."""
        try:
            errors = "surrogateescape" if self._utf8 else "strict"
            encoding = "utf-8-sig" if self._utf8 else self._encoding
            f = open(self.path, encoding=encoding, errors=errors, newline="")  # noqa: SIM115 - closed by _untrack/close
        except OSError as exc:
            raise self._error(f"cannot be read: {exc.strerror or exc}") from exc
        return self._track(f)

    def _values(self) -> Iterator[tuple[int, Any, str | None]]:
        """(number, value, error) for every value of the file; fatal problems raise."""
        f = self._open_text()
        try:
            yield from self._scanned(_Scanner(f.read, self.limits, array=self.format == "json"))
        finally:
            self._untrack(f)

    def _line_values(self, lazy: bool = False) -> Iterator[tuple[int, Any, str | None, str | None]]:
        """``_values`` of a JSON Lines file, line by line (see the module docstring), each with
        the line it was read from (None once the scanner reads on). ``lazy``: a line msgspec
        would decode is only checked to be one whole value (its value is a ``msgspec.Raw``),
        decoded when it is needed (``decode_lines``)."""
        f = self._open_text()
        limits = self.limits
        problems: list[str] = []
        checked = _exact_decoder(limits, problems)
        plain = _exact_decoder(limits, problems, check_ints=False)
        long_digits = b"0" * (limits.max_number_digits + 1)
        max_depth = limits.max_json_depth
        fast = _raw_decode if lazy else _msgspec_decode
        number = 0  # the line being read
        rest = ""  # the start of a line the chunk cut
        try:
            while True:
                chunk = f.read(CHUNK_CHARS)
                text = rest + chunk
                if not chunk:  # the last line, without a line break
                    whole, lines, rest = text, [text] if text else [], ""
                else:
                    cut = text.rfind("\n")
                    if cut < 0 and len(text) < MAX_VALUE_CHARS:
                        rest = text
                        continue
                    whole = text[:cut]
                    lines, rest = (whole.split("\n"), text[cut + 1:]) if cut >= 0 else ([], text)
                simple = text.isascii() or not _UNDECODABLE.search(text)
                numbers = whole.encode("utf-8", "surrogatepass").translate(_NUMBER_CHARS_AS_ZERO)
                decode = checked if long_digits in numbers else plain  # (a run may hold a '.': checked)
                exact = decode is plain and _EXPONENT not in numbers
                for i, line in enumerate(lines):
                    number += 1
                    start = 0
                    if line[:1] in (" ", "\t", "\r"):
                        start = len(line) - len(line.lstrip(" \t\r"))
                        if start == len(line):
                            continue  # a blank line
                    elif not line:
                        continue
                    end = -1
                    if simple and len(line) < MAX_VALUE_CHARS:
                        if exact:
                            try:
                                value = fast(line)
                            except (_MsgspecError, UnicodeError, RecursionError):
                                pass
                            else:
                                end = len(line)
                        if end < 0:
                            try:
                                value, end = decode(line, start)
                            except (json.JSONDecodeError, RecursionError):
                                end = -1
                    if end != len(line) and (end < 0 or line[end:].strip(" \t\r")):
                        problems.clear()  # not one whole value: the scanner reads on from this line
                        left = "\n".join(lines[i:]) + ("\n" + rest if chunk else "")
                        yield from _no_line(self._scan_from(f, left, number))
                        return
                    error = None
                    if problems:
                        error = problems[0]
                        problems.clear()
                    elif end - start > max_depth and line.count("{") + line.count("[") > max_depth:
                        if value.__class__ is _Raw:  # (lazy) could be too deep: decoded now
                            value = _msgspec_decode(line)
                        if _deeper_than(value, max_depth):
                            error = _too_deep(max_depth)
                    yield number, value, error, line
                if not chunk:
                    return
                if not lines:  # one line longer than any value may be: the scanner says so
                    yield from _no_line(self._scan_from(f, rest, number + 1))
                    return
        except ReaderError:
            raise
        except Exception as exc:
            raise self._convert(exc, number) from exc
        finally:
            self._untrack(f)

    def _scan_from(self, f: Any, text: str, line: int) -> Iterator[tuple[int, Any, str | None]]:
        """The scanner's values from ``text`` (the file from the start of line ``line`` up to what
        ``f`` has not yet given) on."""
        first = [text]

        def read(n: int) -> str:
            return first.pop() if first else f.read(n)

        scan = _Scanner(read, self.limits, array=False)
        scan.line = line
        yield from self._scanned(scan)

    def _scanned(self, scan: _Scanner) -> Iterator[tuple[int, Any, str | None]]:
        """The scanner's values, its problems as the reader's errors (with the line they are on)."""
        try:
            yield from scan.values()
        except _Fatal as exc:
            raise self._error(exc.message, line=exc.number) from None
        except ReaderError:
            raise
        except Exception as exc:
            raise self._convert(exc, scan.number) from exc

    def _count_records(self) -> int:
        if self.format == "jsonl":
            lines = self._count_json_lines()
            if lines is not None:
                return lines
        count = 0
        for count, _ in enumerate(self._values(), start=1):
            if count > self.limits.max_rows:
                self._check_rows(count)
        return count

    def _count_json_lines(self) -> int | None:
        """``count_json_lines`` of this file."""
        return count_json_lines(self.path, self._encoding, self._utf8, self.limits.max_rows)

    def _records(self, skip: int) -> Iterator[Record]:
        if self.format == "json":
            self.count()  # fatal problems anywhere surface before the first record
        return self._iter_records(skip)

    def lazy_records(self, skip: int = 0) -> Iterator[Record]:
        """``records()`` where a record read from a line that msgspec would decode is a
        ``LazyLine`` (only checked to be one whole value): ``decode_lines`` makes it the record
        ``records()`` gives. What the import reads when the batch writer may decode the lines."""
        self._check_open()
        return self._iter_records(skip, lazy=True)

    def _iter_records(self, skip: int, lazy: bool = False) -> Iterator[Record]:
        max_rows = self.limits.max_rows
        if self.format != "jsonl":
            for seen, (number, value, error) in enumerate(self._values(), start=1):
                if seen <= skip:
                    continue
                if seen > max_rows:
                    self._check_rows(seen)
                yield Record(number, {}, None, error) if error is not None else _element_record(number, value)
            return
        for seen, (number, value, error, line) in enumerate(self._line_values(lazy), start=1):
            if seen <= skip:
                continue
            if seen > max_rows:
                self._check_rows(seen)
            if error is not None:
                yield Record(number, {}, None, error)
            elif value.__class__ is _Raw:
                yield LazyLine(number, None, line=line)  # type: ignore[arg-type]
            elif line is None:
                yield _element_record(number, value)
            else:
                yield _element_record(number, value, line)

    def _preview(self) -> Iterator[Record]:
        limit = min(PREVIEW_RECORDS, self.limits.max_rows)
        for i, rec in enumerate(self._iter_records(0), start=1):
            yield rec
            if i >= limit:
                return

    def _convert(self, exc: BaseException, where: int | None) -> ReaderError:
        if isinstance(exc, ReaderError):
            return exc
        if isinstance(exc, UnicodeError):
            found = find_decode_error(self.path, self._encoding)
            if found is not None:
                line, column, exc = found
                return ReaderError(
                    f"{self.name}, line {line}, column {column}: "
                    f"{describe_decode_error(exc, self._encoding)}", file=self.name, line=line,
                    column=column)
            return self._error(describe_decode_error(exc, self._encoding), line=where)
        if isinstance(exc, ValueError) and self._closed:
            return self._error("the source was closed while reading")
        if isinstance(exc, OSError):
            return self._error(f"cannot be read: {exc.strerror or exc}", line=where)
        return self._error(f"unexpected error while reading: {type(exc).__name__}: {exc}", line=where)

    def _collect_headers(self) -> list[str]:
        keys: dict[str, None] = {}
        records = self._preview()
        try:
            for rec in records:
                if rec.error is None:
                    keys.update(dict.fromkeys(rec.values))
        finally:
            close = getattr(records, "close", None)
            if close:
                close()
        return list(keys)


class JsonLinesSource(_JsonBase):
    """JSON values back to back: JSON Lines, pretty-printed objects, or both mixed."""

    format = "jsonl"
    unit = "line"

    def __init__(self, path: str, head: bytes, size: int, limits: Limits,
                 encoding: str | None = None) -> None:
        super().__init__(path, head, size, limits, encoding)
        self.info.headers = self._collect_headers()

    def count_elsewhere(self) -> tuple[str, str, tuple[Any, ...]] | None:
        return (count_json_lines.__module__, count_json_lines.__name__,
                (self.path, self._encoding, self._utf8, self.limits.max_rows))


class JsonArraySource(_JsonBase):
    format = "json"
    unit = "element"

    def __init__(self, path: str, head: bytes, size: int, limits: Limits,
                 encoding: str | None = None) -> None:
        super().__init__(path, head, size, limits, encoding)
        self.info.headers = self._collect_headers()


class _Fatal(Exception):
    def __init__(self, message: str, number: int | None) -> None:
        self.message = message
        self.number = number


class _Scanner:
    """Walks a text stream value by value (see the module docstring)."""

    def __init__(self, read: Callable[[int], str], limits: Limits, array: bool) -> None:
        self.read = read
        self.limits = limits
        self.array = array
        self.buf = ""
        self.pos = 0          # where reading goes on in buf
        self.line = 1         # line number at pos
        self.line_start = 0   # index in buf where pos's line starts (may be < 0 after a trim)
        self.eof = False
        self.undecodable = False
        self.number = 0       # the record being read (its line, or its element index)
        self.problems: list[str] = []
        self._checked = _exact_decoder(limits, self.problems)
        self._plain = _exact_decoder(limits, self.problems, check_ints=False)
        self._long_digits = b"0" * (limits.max_number_digits + 1)
        self.decode = self._checked

    def _more(self) -> bool:
        """Append the next chunk (dropping what was read); False at the end of the file."""
        chunk = self.read(CHUNK_CHARS)
        if not chunk:
            self.eof = True
            return False
        if not self.undecodable and not chunk.isascii() and _UNDECODABLE.search(chunk):
            self.undecodable = True
        pos = self.pos
        self.buf = self.buf[pos:] + chunk
        self.pos = 0
        self.line_start -= pos
        self.decode = self._checked if self._has_long_digits() else self._plain
        return True

    def _has_long_digits(self) -> bool:
        """Could an integer in buf have more digits than the limit? (A longer run of digits,
        found in C: ~1 ms a chunk, where a regex takes 15.)"""
        ascii_digits = self.buf.encode("utf-8", "surrogatepass").translate(_DIGITS_AS_ZERO)
        return self._long_digits in ascii_digits

    def _advance(self, to: int) -> None:
        """Move pos forward to ``to``, counting the line breaks passed."""
        buf = self.buf
        breaks = buf.count("\n", self.pos, to)
        if breaks:
            self.line += breaks
            self.line_start = buf.rindex("\n", self.pos, to) + 1
        self.pos = to

    def _where(self, index: int) -> tuple[int, int]:
        """(line, 1-based column) of buf[index], index >= pos."""
        buf = self.buf
        breaks = buf.count("\n", self.pos, index)
        if breaks:
            return self.line + breaks, index - buf.rindex("\n", self.pos, index)
        return self.line, index - self.line_start + 1

    def values(self) -> Iterator[tuple[int, Any, str | None]]:
        array = self.array
        opened = closed = after_value = False
        element = 0
        max_depth = self.limits.max_json_depth
        while True:
            buf, pos = self.buf, self.pos
            ch = buf[pos + 1:pos + 2]
            if buf[pos:pos + 1] == "\n" and ch and ch not in " \t\r\n":  # the usual: one line break
                self.line += 1
                self.pos = self.line_start = pos + 1
            else:
                m = _NON_SPACE.search(buf, pos)
                if m is None:
                    self._advance(len(buf))
                    if self._more():
                        continue
                    if array and not closed:
                        raise _Fatal("invalid JSON: the array is not closed (the file ends early)",
                                     element + (0 if after_value else 1))
                    return
                self._advance(m.start())
                ch = m.group()
            if array:
                if closed:
                    raise _Fatal("invalid JSON: extra data after the array", element)
                if not opened:
                    if ch != "[":
                        raise _Fatal("the top level is not an array", None)
                    opened = True
                    self.pos += 1
                    continue
                if ch == "]" and (after_value or element == 0):
                    closed = True
                    self.pos += 1
                    continue
                if after_value:
                    if ch != ",":
                        raise _Fatal("invalid JSON: expected ',' or ']' after the element", element)
                    after_value = False
                    self.pos += 1
                    continue
                element += 1
                self.number = element
            else:
                self.number = self.line
            column = self.pos - self.line_start
            failure: BaseException | None = None
            while True:  # a value cut by the end of the chunk is decoded again with more text
                try:
                    value, end = self.decode(self.buf, self.pos)
                except json.JSONDecodeError as exc:
                    if self._may_be_cut(exc) and self._more():
                        self.problems.clear()
                        continue
                    failure = exc
                except RecursionError as exc:
                    failure = exc
                else:
                    if (end == len(self.buf) and type(value) is not dict and type(value) is not list
                            and not self.eof and self._more()):  # a number may go on
                        self.problems.clear()
                        continue
                break
            if failure is not None:
                self.problems.clear()
                if isinstance(failure, json.JSONDecodeError) and len(self.buf) - self.pos > MAX_VALUE_CHARS:
                    message = (f"a value longer than {MAX_VALUE_CHARS:,} characters, or one that is "
                               "not closed")
                elif isinstance(failure, json.JSONDecodeError):
                    line, col = self._where(failure.pos)
                    where = f"column {col}" if line == self.line else f"line {line}, column {col}"
                    message = f"invalid JSON: {failure.msg} ({where})"
                else:
                    message = _too_deep(max_depth)
                if array:
                    raise _Fatal(message, element)
                yield self.number, None, message
                one_line = isinstance(failure, json.JSONDecodeError) and self._where(failure.pos)[0] == self.line
                self._resume(None if one_line else column)
                continue
            buf = self.buf
            start = self.pos
            error = None
            if self.problems:
                error = self.problems[0]
                self.problems.clear()
            elif self.undecodable and (bad := _UNDECODABLE.search(self.buf, start, end)):
                line, col = self._where(bad.start())
                error = (f"not valid UTF-8 (byte 0x{ord(bad.group()) - 0xDC00:02X} at "
                         + (f"column {col})" if line == self.line else f"line {line}, column {col})"))
            elif (end - start > max_depth and buf.count("{", start, end) + buf.count("[", start, end) > max_depth
                  and _deeper_than(value, max_depth)):
                if array:
                    raise _Fatal(_too_deep(max_depth), element)
                error = _too_deep(max_depth)
            number = self.number
            breaks = buf.count("\n", start, end)  # self._advance(end), inlined: the hot path
            if breaks:
                self.line += breaks
                self.line_start = buf.rindex("\n", start, end) + 1
            self.pos = end
            after_value = True
            yield number, value, error

    def _may_be_cut(self, exc: json.JSONDecodeError) -> bool:
        """Could the value be complete with more text? (It failed at the end of what is read.)"""
        if self.eof or len(self.buf) - self.pos > MAX_VALUE_CHARS:
            return False
        return exc.pos >= len(self.buf) - 8 or exc.msg.startswith("Unterminated string")

    def _resume(self, indent: int | None) -> None:
        """After a broken value: go to the next line that can start a value (not a closing
        bracket, a key or a comma). When the broken value spans lines, its inner lines (indented
        more than its start) are skipped until a closing bracket at its indentation; when it broke
        on its first line (JSON Lines), any next line will do."""
        while True:
            for m in _LINE_START.finditer(self.buf, self.pos):
                first = m.group(2)
                if first in '}]' and indent is not None and len(m.group(1)) <= indent:
                    indent = None  # the broken value's closing line: what follows is new
                    continue
                if first in '}],:"' or (indent is not None and len(m.group(1)) > indent):
                    continue
                self._advance(m.start(2))
                return
            cut = self.buf.rfind("\n", self.pos)
            if cut > self.pos:
                self._advance(cut)  # keep the last (partial) line: it may be where we resume
            if not self._more():
                self._advance(len(self.buf))
                return


def _exact_decoder(limits: Limits, problems: list[str], check_ints: bool = True,
                   ) -> Callable[[str, int], tuple[Any, int]]:
    """raw_decode keeping numbers exact; numbers over the limits and NaN/Infinity are noted in
    ``problems`` (the value still decodes, so the scanner knows where it ends). Without
    ``check_ints`` (text with no run of digits longer than the limit) integers are made in C,
    without a Python call each."""
    max_digits = limits.max_number_digits
    max_exponent = limits.max_number_exponent

    def too_long(text: str, digits: int) -> None:
        shown = text if len(text) <= 24 else text[:20] + "…"
        problems.append(f"the number {shown} has {digits:,} digits, more than the limit "
                        f"max_number_digits={max_digits}")

    def parse_int(text: str) -> int:
        if len(text) > max_digits:
            digits = len(text) - (text[0] == "-")
            if digits > max_digits:
                too_long(text, digits)
                return 0
        return int(text)

    def parse_float(text: str) -> Any:
        if len(text) <= max_digits and "e" not in text and "E" not in text:
            return Decimal(text)
        mantissa, _, exponent = text.lower().partition("e")
        digits = sum(c.isdigit() for c in mantissa)
        if digits > max_digits:
            too_long(text, digits)
            return 0
        if exponent and (len(exponent) > 12 or abs(int(exponent)) > max_exponent):
            shown = text if len(text) <= 24 else text[:20] + "…"
            problems.append(f"the number {shown} has an exponent beyond ±{max_exponent:,} "
                            f"(limit max_number_exponent={max_exponent})")
            return 0
        return Decimal(text)

    def parse_constant(text: str) -> None:
        problems.append(f"{text} is not a JSON number")

    scan_once = json.scanner.make_scanner(json.JSONDecoder(
        parse_int=parse_int if check_ints else None, parse_float=parse_float, parse_constant=parse_constant))

    def decode(text: str, index: int) -> tuple[Any, int]:
        """``JSONDecoder.raw_decode`` without its Python frame around the C scanner."""
        try:
            return scan_once(text, index)
        except StopIteration as err:
            raise json.JSONDecodeError("Expecting value", text, err.value) from None

    return decode


def count_json_lines(path: str, encoding: str, utf8: bool, max_rows: int,
                     digest: ReadDigest | None = None) -> int | None:
    """The count of a JSON Lines file of one whole value per line (or blank lines), the usual
    file, without building a record: msgspec checks each line into a ``Raw`` (no objects made;
    ~5x the standard library's scanner), and a line it refuses (NaN, a lone surrogate, a byte
    that is not UTF-8 …) is asked of pydantic-core and the C scanner, as the reader would read
    it. None at the first line that is anything else (a value over several lines, two on one,
    a broken one, a line longer than a value may be): the scanner counts the file then. (A
    value with bytes that are not UTF-8 is one record either way.) Also what the batch writer
    runs (``count_elsewhere``) while the import reads its first batches. ``digest``: hashes the
    bytes read (readers/count_ahead.py)."""
    scan_once = json.scanner.make_scanner(json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str))
    whole = _raw_decode
    strict = _strict_json_value
    count = 0
    rest = ""
    try:
        text_options = {"encoding": "utf-8-sig" if utf8 else encoding,
                        "errors": "surrogateescape" if utf8 else "strict", "newline": ""}
        with (open(path, **text_options) if digest is None
              else io.TextIOWrapper(digest.open(path), **text_options)) as f:
            while True:
                chunk = f.read(CHUNK_CHARS)
                text = rest + chunk
                if chunk:
                    cut = text.rfind("\n")
                    lines, rest = text[:cut].split("\n") if cut >= 0 else [], text[cut + 1:]
                    if len(rest) >= MAX_VALUE_CHARS:
                        return None  # the scanner bounds what it holds of a value
                else:
                    lines, rest = [text], ""
                for line in lines:
                    if len(line) >= MAX_VALUE_CHARS:
                        return None
                    try:
                        whole(line)
                    except (_MsgspecError, UnicodeError):
                        text = line.strip(" \t\r")
                        if not text:
                            continue
                        if not strict(text) and scan_once(text, 0)[1] != len(text):
                            return None
                    count += 1
                    if count > max_rows:
                        return count  # count() says what limit it is
                if not chunk:
                    return count
    except Exception:  # StopIteration, JSONDecodeError, RecursionError, a bad byte...: the scanner words it
        return None


def line_records(rows: list[tuple[str, int]], limits: Limits) -> list[Record] | None:
    """The records of JSON Lines ``rows`` ((line, number) each: lines the reader read line by
    line, each one whole value), decoded as the reader decodes them — or None when a line would
    not read as such a value here (not one whole value, a number over a limit, too deep, a byte
    that is not UTF-8, not an object): the batch writer then hands the batch back, and the
    runner's records, read by the reader itself, are what counts."""
    text = "\n".join([line for line, _ in rows])
    if not text.isascii() and _UNDECODABLE.search(text):
        return None
    numbers = text.encode("utf-8", "surrogatepass").translate(_NUMBER_CHARS_AS_ZERO)
    problems: list[str] = []
    long_digits = b"0" * (limits.max_number_digits + 1) in numbers
    exact = not long_digits and _EXPONENT not in numbers
    decode = _exact_decoder(limits, problems, check_ints=long_digits)
    fast = _msgspec_decode
    max_depth = limits.max_json_depth
    out: list[Record] = []
    try:
        for line, number in rows:
            if len(line) >= MAX_VALUE_CHARS:
                return None
            start = len(line) - len(line.lstrip(" \t\r"))
            if exact:
                value = fast(line)
            else:
                value, end = decode(line, start)
                if problems or (end != len(line) and line[end:].strip(" \t\r")):
                    return None
            if (len(line) - start > max_depth and line.count("{") + line.count("[") > max_depth
                    and _deeper_than(value, max_depth)):
                return None
            rec = _element_record(number, value)
            if rec.error is not None:
                return None
            out.append(rec)
    except (_MsgspecError, json.JSONDecodeError, UnicodeError, RecursionError):
        return None
    return out


# --- helpers --------------------------------------------------------------------------------------

class LineRecord(Record):
    """A record read from one line that is one whole value (JSON Lines read line by line), with
    that line: what the batch writer is handed to decode and validate itself (``line_records``)."""

    __slots__ = ("line",)

    def __init__(self, number: int, values: Any, type: str | None = None, error: str | None = None,
                 outer: dict | None = None, line: str = "") -> None:
        # Record.__init__'s assignments, inline: two records a line (lazy, then decoded) made one
        # call each instead of two (~0.1 µs a record)
        self.number = number
        self.values = values
        self.type = type
        self.error = error
        self.outer = outer
        self.line = line


class LazyLine(LineRecord):
    """A ``LineRecord`` not decoded yet: its line is one whole value (``lazy_records``)."""

    __slots__ = ()


def decode_lines(records: list) -> list:
    """``records`` (in place) with each ``LazyLine`` decoded into the record the reader reads."""
    for i, rec in enumerate(records):
        if rec.__class__ is LazyLine:
            records[i] = _decoded_line(rec.number, rec.line)
    return records


def _decoded_line(number: int, line: str) -> Record:
    try:
        value = _msgspec_decode(line)
    except (_MsgspecError, UnicodeError, RecursionError):  # (what the line pass would decode next)
        start = len(line) - len(line.lstrip(" \t\r"))
        try:
            value, end = _exact_decoder(Limits(), [], check_ints=False)(line, start)
        except (json.JSONDecodeError, RecursionError) as exc:
            return Record(number, {}, None, f"invalid JSON: {exc}")
        if line[end:].strip(" \t\r"):
            return Record(number, {}, None, "invalid JSON: more than one value on the line")
    return _element_record(number, value, line)


def _element_record(number: int, obj: Any, line: str | None = None) -> Record:
    if type(obj) is not dict:
        return Record(number, {}, None, f"expected a JSON object, got {_kind(obj)}")
    if "data" in obj:
        typ, values, error = _elastic_path(obj)
        if error:
            return Record(number, {}, None, error)
        if typ is None:
            return Record(number, values) if line is None else LineRecord(number, values, line=line)
        outer = {k: v for k, v in obj["data"].items() if k != "attributes"}
        if line is None:
            return Record(number, values, typ, outer=outer)
        return LineRecord(number, values, typ, None, outer, line)
    return Record(number, obj) if line is None else LineRecord(number, obj, line=line)


def _no_line(values: Iterator[tuple[int, Any, str | None]]) -> Iterator[tuple[int, Any, str | None, None]]:
    for number, value, error in values:
        yield number, value, error, None


def _elastic_path(obj: dict[str, Any]) -> tuple[str | None, dict[str, Any], str | None]:
    """``{"data": {"type": T, "attributes": {...}}}`` -> (T, attributes, None); other objects
    that merely have a "data" field are returned as they are."""
    data = obj["data"]
    if type(data) is not dict or "type" not in data or "attributes" not in data:
        return None, obj, None
    typ, attributes = data["type"], data["attributes"]
    if not isinstance(typ, str) or not typ:
        return None, {}, "data.type must be a non-empty string"
    if type(attributes) is not dict:
        return None, {}, f"data.attributes must be an object, got {_kind(attributes)}"
    return typ, attributes, None


def _strict_json_value(text: str) -> bool:
    """Is ``text`` one whole value of strict JSON (RFC 8259)? pydantic-core's Rust parser
    answers ~1.5x faster than the C scanner; what it accepts, the scanner reads as one value too
    (NaN, lone surrogates, deep nesting: it says no, and the scanner decides)."""
    try:
        from_json(text, cache_strings=False, allow_inf_nan=False)
    except (ValueError, TypeError):  # TypeError: text with bytes that were not UTF-8
        return False
    return True


def _deeper_than(obj: Any, limit: int) -> bool:
    """Iterative (no recursion): is ``obj`` nested more than ``limit`` levels?"""
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if type(value) is dict else value
        for child in children:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


def _too_deep(limit: int) -> str:
    return f"JSON nested deeper than {limit} levels (limit max_json_depth={limit})"


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
