"""CSV/TSV source: detected encoding and delimiter, strict quoting, physical line numbers.

Values are the strings the csv module returns ("" for an empty field). A record's number is
the physical line where it starts (the header is usually line 1), so a quoted field spanning
lines does not shift the numbers of the records after it.

Blank records are skipped by ``count()`` and ``records()`` alike: an empty line, a line of
only delimiters (",,,," as spreadsheet exports write) and a line of only spaces.
"""

from __future__ import annotations

import codecs
import csv
import inspect
import os
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

from .base import Limits, ReaderError, Record, RowSource, SourceInfo, clean_headers
from .csv_count import count_records
from .csv_lines import CsvLines
from .detect import (
    MAX_LINE_BYTES,
    check_delimiter,
    check_encoding_name,
    check_line_lengths,
    decode_sample,
    describe_decode_error,
    detect_delimiter,
    detect_encoding,
    find_decode_error,
)

BUFFER = 1 << 20
_SEP_LINE = re.compile(r"sep=([,;\t|])[ \t]*(?:\r\n|\r|\n|$)", re.IGNORECASE)


class CsvSource(RowSource):
    unit = "line"

    def __init__(self, path: str, head: bytes, size: int, limits: Limits,
                 encoding: str | None = None, delimiter: str | None = None) -> None:
        super().__init__(path, limits)
        complete = size <= len(head)
        self._explicit_encoding = encoding is not None
        if encoding is not None:
            enc = check_encoding_name(self.name, encoding)
            if enc == "utf-8" and head.startswith(codecs.BOM_UTF8):
                enc = "utf-8-sig"  # never let the BOM reach the first header
        else:
            enc = detect_encoding(self.name, head)
        text = decode_sample(self.name, head, enc, complete)
        if complete and not text.strip():
            raise self._error("is empty")
        if size > MAX_LINE_BYTES:
            check_line_lengths(self.path, self.name, MAX_LINE_BYTES)
        # Excel's "sep=;" first line names the delimiter; it is not the header.
        sep = _SEP_LINE.match(text)
        self._sep_line = sep is not None
        if delimiter is not None:
            delim = check_delimiter(self.name, delimiter)
        elif sep is not None:
            delim = sep.group(1)
        else:
            prefer = "\t" if os.path.splitext(self.name)[1].lower() == ".tsv" else None
            delim = detect_delimiter(text, prefer=prefer)
        self._encoding = enc
        self._delimiter = delim
        self.lines_are_records = False  # (take_count)
        headers, self._header_line = self._read_header()
        self.info = SourceInfo(format="csv", encoding=enc, delimiter=delim, headers=headers, size=size)

    # --- reading --------------------------------------------------------------------------------

    def _open(self) -> tuple[Any, Any]:
        try:
            # kept open for the reader that returns it; _track closes it with the source
            f = open(self.path, encoding=self._encoding, newline="", errors="strict", buffering=BUFFER)  # noqa: SIM115
        except OSError as exc:
            raise self._error(f"cannot be read: {exc.strerror or exc}") from None
        self._track(f)
        return f, self._csv_reader(f)

    def _csv_reader(self, lines: Any) -> Any:
        """The csv module's reader of ``lines`` (a file, or lines of one) in this file's dialect."""
        # Process-wide setting of the csv module: bound it before each reader starts.
        csv.field_size_limit(self.limits.max_cell_chars)
        return csv.reader(lines, delimiter=self._delimiter, quotechar='"', doublequote=True,
                          skipinitialspace=False, strict=True)

    def _read_header(self) -> tuple[list[str], int]:
        f, reader = self._open()
        prev = 0
        try:
            for row in reader:
                if self._sep_line and reader.line_num == 1:
                    prev = 1
                    continue
                if any(row) and not (len(row) == 1 and not row[0].strip()):
                    header_line = reader.line_num
                    headers = clean_headers(row, lambda m, line=prev + 1: self._error(m, line=line), self.limits)
                    return headers, header_line
                prev = reader.line_num
        except Exception as exc:  # converted, never raw
            raise self._convert(exc, prev + 1) from exc
        finally:
            self._untrack(f)
        raise self._error("is empty (no header row)")

    def _skip_header(self, reader: Any) -> None:
        for _row in reader:
            if reader.line_num >= self._header_line:
                return

    def _count_records(self) -> int:
        fast = count_records(*self._count_args())
        return fast if fast is not None else self._count_with_reader()

    def _count_args(self) -> tuple[Any, ...]:
        return (self.path, self._encoding, self._delimiter, self._header_line, len(self.info.headers),
                self.limits.max_cell_chars)

    def count_elsewhere(self) -> tuple[str, str, tuple[Any, ...]] | None:
        return count_records.__module__, count_records.__name__, self._count_args()

    def _count_with_reader(self) -> int:
        f, reader = self._open()
        n = len(self.info.headers)
        prev = self._header_line
        count = 0
        try:
            self._skip_header(reader)
            for row in reader:
                prev = reader.line_num
                # Same rule as _records: not blank -> one record.
                if row and (row[0] or any(row)):
                    if len(row) == 1 != n and not row[0].strip():
                        continue
                    count += 1
        except Exception as exc:
            raise self._convert(exc, prev + 1) from exc
        finally:
            self._untrack(f)
        return count

    def take_count(self, n: int) -> int:
        """The byte scan's count (count_elsewhere): it answers only for a file whose every line
        after the header is one record, so from now on its lines may be handed on unparsed."""
        n = super().take_count(n)
        self.lines_are_records = True
        return n

    def _numbered_rows(self, skip: int) -> CsvRows:
        return CsvRows(self, skip)

    def _records(self, skip: int, numbered: bool = False, opened: tuple[Any, Any] | None = None) -> Iterator[Any]:
        f, reader = opened or self._open()
        prev = self._header_line  # physical line where the previous row ended
        try:
            self._skip_header(reader)
            if skip:
                seen = 0
                n = len(self.info.headers)
                for row in reader:
                    prev = reader.line_num
                    if row and (row[0] or any(row)):
                        if len(row) == 1 != n and not row[0].strip():
                            continue
                        seen += 1
                        if seen >= skip:
                            break
            yield from self._rows(reader, prev, 0, numbered)
        except Exception as exc:
            raise self._convert(exc, prev + 1) from exc
        finally:
            self._untrack(f)

    def parse_lines(self, batch: CsvLines) -> list[Any]:
        """The numbered rows of lines CsvRows.take_lines handed on, by the rules of ``_records``."""
        return list(self._rows(self._csv_reader(batch.lines), batch.first - 1, batch.first - 1, True))

    def _rows(self, reader: Any, prev: int, base: int, numbered: bool) -> Iterator[Any]:
        """The records ``reader`` gives after physical line ``prev``; its line numbers count from ``base``."""
        n = len(self.info.headers)
        # Record k starts at line >= header_line + k, so while prev < cap the max_rows limit
        # cannot have been passed: the hot loop needs no counter. Past it (10M+ lines), count()
        # settles the exact number once.
        cap = self._header_line + self.limits.max_rows
        new = Record
        try:
            # The hot loop: a length test, a truthiness test, a compare and one small object
            # (numbered: the row number appended to the row instead).
            for row in reader:
                if len(row) == n and (row[0] or any(row)) and prev < cap:
                    if numbered:
                        row.append(prev + 1)
                        yield row
                    else:
                        yield new(prev + 1, row)
                elif row and any(row) and not (len(row) == 1 != n and not row[0].strip()):
                    if prev >= cap:
                        self._check_rows(self.count())
                        cap = float("inf")
                    if len(row) == n:
                        if numbered:
                            row.append(prev + 1)
                            yield row
                        else:
                            yield new(prev + 1, row)
                    else:
                        yield new(prev + 1, row, None, _ragged(len(row), n))
                prev = base + reader.line_num
        except Exception as exc:
            raise self._convert(exc, prev + 1) from exc

    # --- errors ---------------------------------------------------------------------------------

    def _convert(self, exc: BaseException, line: int) -> Exception:
        """A ReaderError for ``exc``, raised while reading the record that starts at ``line``."""
        if isinstance(exc, ReaderError):
            return exc
        if isinstance(exc, UnicodeDecodeError):
            found = find_decode_error(self.path, self._encoding)
            if found is not None:
                bad_line, column, exc = found
            else:
                bad_line, column = line, None
            return self._error(describe_decode_error(exc, self._encoding, self._explicit_encoding),
                               line=bad_line, column=column)
        if isinstance(exc, csv.Error):
            text = str(exc)
            limit = self.limits.max_cell_chars
            if "unexpected end of data" in text:
                return self._error("unbalanced quote: a quoted field that starts in this record "
                                   "is never closed", line=line)
            if "field larger than field limit" in text:
                return self._error(f"a field is longer than {limit:,} characters (limit "
                                   f"max_cell_chars={limit}); an unclosed quote in this record "
                                   "can cause this", line=line)
            if "expected after" in text:
                return self._error(f"malformed quoting: {text} (a quote inside a quoted field "
                                   "must be doubled, \"\")", line=line)
            return self._error(f"malformed CSV: {text}", line=line)
        if isinstance(exc, ValueError) and self._closed:
            return self._error("the source was closed while reading")
        if isinstance(exc, OSError):
            return self._error(f"cannot be read: {exc.strerror or exc}", line=line)
        return self._error(f"unexpected error while reading: {type(exc).__name__}: {exc}", line=line)


class CsvRows:
    """CsvSource.numbered_rows. Iterating it gives the rows (the reader's generator itself: no
    call added per row); ``take_lines`` the next lines unparsed, once the source knows each line
    is one record (then only lines: the reader's line numbers no longer count them all)."""

    def __init__(self, source: CsvSource, skip: int) -> None:
        self._source = source
        self._f, self._reader = source._open()
        self._rows = source._records(skip, True, (self._f, self._reader))
        self._taken = 0  # lines take_lines read past the reader
        self._lines = False

    def __iter__(self) -> Iterator[Any]:
        if self._lines:
            raise RuntimeError("rows asked for after lines")
        return self._rows

    def __next__(self) -> Any:
        return next(iter(self))

    @property
    def taking_lines(self) -> bool:
        """take_lines has been called: rows can no longer be read."""
        return self._lines

    def close(self) -> None:
        self._rows.close()
        self._source._untrack(self._f)  # (a generator closed before it started runs no finally)

    def take_lines(self, n: int) -> CsvLines | None:
        """The next ``n`` lines (fewer at the end of the file), or None when rows must be read
        instead: the source does not know its lines are records, or the reader has not started
        (its header lines are not read yet) or has ended."""
        source = self._source
        if not source.lines_are_records or inspect.getgeneratorstate(self._rows) != inspect.GEN_SUSPENDED:
            return None
        self._lines = True
        first = self._reader.line_num + self._taken + 1
        try:
            lines = list(islice(self._f, n))
        except Exception as exc:
            raise source._convert(exc, first) from exc
        self._taken += len(lines)
        return CsvLines(lines, first, source._delimiter, len(source.info.headers), source.limits.max_cell_chars)


def _ragged(k: int, n: int) -> str:
    return f"row has {k} value{'s' if k != 1 else ''}, the header has {n}"
