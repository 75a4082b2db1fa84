"""File format: the extension (or the content, without one), confirmed by magic bytes."""

from __future__ import annotations

import os

from ..base import ReaderError
from .encoding import looks_binary, strip_bom

__all__ = ["EMPTY_ZIP_MAGIC", "EXTENSIONS", "FORMATS", "OLE2_MAGIC", "ZIP_MAGIC", "detect_format"]

FORMATS = ("csv", "xlsx", "json", "jsonl")
EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted (password) xlsx


def detect_format(name: str, head: bytes, fmt: str | None = None) -> str:
    """The format to read ``name`` as: ``fmt`` if given, else the extension, else the content.

    The content must agree: an .xlsx must be a ZIP, a text format must not be a ZIP or binary.
    A ``.json`` file that starts with an object is a stream of values (read as JSON Lines).
    """
    if fmt is not None:
        fmt = fmt.lower().lstrip(".")
        fmt = {"ndjson": "jsonl", "tsv": "csv", "txt": "csv", "xlsm": "xlsx"}.get(fmt, fmt)
        if fmt not in FORMATS:
            raise ReaderError(f"{name}: unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})",
                              file=name)
    else:
        fmt = EXTENSIONS.get(os.path.splitext(name)[1].lower()) or _sniff_format(name, head)

    if fmt == "xlsx":
        if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
            return fmt
        if head.startswith(OLE2_MAGIC):
            raise ReaderError(f"{name}: is not an XLSX workbook: it is a legacy .xls file or a "
                              "password-protected workbook; save it as .xlsx without a password",
                              file=name)
        raise ReaderError(f"{name}: is not an XLSX workbook (the file is not a ZIP archive)", file=name)

    if head.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        raise ReaderError(f"{name}: looks like an Excel workbook, not {fmt.upper()}; "
                          "rename it to .xlsx or choose the xlsx format", file=name)
    if fmt == "json":
        return _json_or_jsonl(name, head)
    return fmt


def _sniff_format(name: str, head: bytes) -> str:
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    text = strip_bom(head).lstrip()
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "jsonl"
    if head and not looks_binary(head):
        return "csv"
    raise ReaderError(f"{name}: unknown format: not a text file and not an XLSX workbook "
                      "(expected .csv, .tsv, .txt, .xlsx, .xlsm, .json, .jsonl or .ndjson)", file=name)


def _json_or_jsonl(name: str, head: bytes) -> str:
    """A .json file: an array is JSON; objects (one per line, pretty-printed, back to back) are
    a stream of values, read like JSON Lines."""
    text = strip_bom(head).lstrip()
    if not text or text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "jsonl"
    if looks_binary(head):
        raise ReaderError(f"{name}: is not a text file (binary content), not JSON", file=name)
    raise ReaderError(f"{name}: is not JSON: expected an array of objects starting with '[' "
                      "or objects starting with '{'", file=name)
