"""Streaming row sources (CSV, XLSX, JSON array, JSON Lines) with source row numbers.

    from importdesk.readers import open_source, Limits, ReaderError

    with open_source("products.csv") as src:
        src.info        # SourceInfo(format, encoding, delimiter, sheet, sheets, headers, size)
        src.count()     # data records (a full pre-pass, cached; surfaces fatal errors early)
        for rec in src.records(skip=0):
            rec.number, rec.values, rec.type, rec.error

Fatal problems raise ReaderError, from ``open_source`` or ``count()`` or while iterating
``records()``; a broken single record (ragged row, bad JSON line) is ``rec.error`` instead.
This package never imports Textual.
"""

from __future__ import annotations

import os

from .base import Limits, ReaderError, Record, RowSource, SourceInfo
from .detect import SAMPLE_BYTES, detect_format

__all__ = ["Limits", "ReaderError", "Record", "RowSource", "SourceInfo", "open_source"]


def open_source(path: str | os.PathLike[str], fmt: str | None = None, sheet: str | None = None,
                encoding: str | None = None, delimiter: str | None = None,
                limits: Limits | None = None) -> RowSource:
    """Open ``path`` as a row source.

    ``fmt`` ("csv", "xlsx", "json", "jsonl") overrides the extension; ``sheet`` picks an XLSX
    worksheet by name (default: the first); ``encoding`` and ``delimiter`` override detection
    (CSV; ``encoding`` also for JSON). Raises ReaderError for anything that prevents reading.
    """
    limits = limits if limits is not None else Limits()
    path = os.fspath(path)
    name = os.path.basename(path)
    try:
        size = os.stat(path).st_size
        if os.path.isdir(path):
            raise ReaderError(f"{name}: is a folder, not a file", file=name)
        with open(path, "rb") as f:
            head = f.read(SAMPLE_BYTES)
    except ReaderError:
        raise
    except FileNotFoundError:
        raise ReaderError(f"{name}: file not found", file=name) from None
    except PermissionError:
        raise ReaderError(f"{name}: cannot be read (permission denied)", file=name) from None
    except OSError as exc:
        raise ReaderError(f"{name}: cannot be read: {exc.strerror or exc}", file=name) from None

    if size > limits.max_file_bytes:
        raise ReaderError(f"{name}: is {size:,} bytes, larger than the limit "
                          f"max_file_bytes={limits.max_file_bytes}", file=name)
    if size == 0:
        raise ReaderError(f"{name}: is empty (0 bytes)", file=name)

    try:
        fmt = detect_format(name, head, fmt)
        if fmt == "csv":
            from .csv_source import CsvSource

            return CsvSource(path, head, size, limits, encoding=encoding, delimiter=delimiter)
        if fmt == "xlsx":
            from .xlsx_source import XlsxSource

            return XlsxSource(path, size, limits, sheet=sheet)
        from .json_source import JsonArraySource, JsonLinesSource

        cls = JsonArraySource if fmt == "json" else JsonLinesSource
        return cls(path, head, size, limits, encoding=encoding)
    except ReaderError:
        raise
    except Exception as exc:  # the contract: never a raw library exception
        raise ReaderError(f"{name}: cannot be read: {type(exc).__name__}: {exc}", file=name) from exc
