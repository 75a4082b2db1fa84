"""Bytes an encoding cannot decode: where they are (line, column) and how to say so."""

from __future__ import annotations

import codecs

from ..base import make_error

__all__ = ["ENCODING_HINT", "decode_sample", "describe_decode_error", "find_decode_error", "locate_decode_error"]

ENCODING_HINT = "pass the encoding explicitly (--encoding, e.g. cp1252, latin-1, utf-16)"


def decode_sample(name: str, head: bytes, encoding: str, complete: bool) -> str:
    """Decode the detection sample; a bad byte in it is a ReaderError naming line and column."""
    try:
        text = codecs.getincrementaldecoder(encoding)("strict").decode(head, final=complete)
    except UnicodeDecodeError as exc:
        line, column = locate_decode_error(exc, b"")
        raise make_error(name, describe_decode_error(exc, encoding), line=line, column=column) from None
    return text.lstrip("\ufeff")


def describe_decode_error(exc: UnicodeDecodeError, encoding: str, explicit: bool = True) -> str:
    bad = exc.object[exc.start:exc.end][:4]
    shown = " ".join(f"0x{b:02X}" for b in bad)
    text = f"byte {shown} cannot be decoded as {encoding}"
    if explicit:
        return f"{text}; {ENCODING_HINT}"
    return (f"{text} (the encoding was detected from the start of the file, which is not "
            f"what the rest is in); {ENCODING_HINT}")


def locate_decode_error(exc: UnicodeDecodeError, before: bytes) -> tuple[int, int]:
    """1-based (line, column) of the bad byte, given the bytes of the same stream before
    ``exc.object`` (only their count of newlines matters)."""
    data = exc.object[: exc.start]
    line = before.count(b"\n") + data.count(b"\n") + 1
    column = exc.start - (data.rfind(b"\n") + 1) + 1 if b"\n" in data else exc.start + 1
    return line, column


def find_decode_error(path: str, encoding: str, chunk: int = 1 << 20) -> tuple[int, int, UnicodeDecodeError] | None:
    """Scan the file for the first byte ``encoding`` cannot decode: (line, column, exception).

    Used after a TextIOWrapper failed: it decodes ahead in chunks, so where it stopped says
    little about where the bad byte is. Lines and columns count decoded characters.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    column_base = 0
    with open(path, "rb") as f:
        while True:
            data = f.read(chunk)
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                good = _safe_decode(exc.object[: exc.start], encoding)
                last_nl = good.rfind("\n")
                line = lines + good.count("\n") + 1
                column = (len(good) - last_nl) if last_nl >= 0 else column_base + len(good) + 1
                return line, column, exc
            if not data:
                return None
            nl = text.count("\n")
            if nl:
                lines += nl
                column_base = len(text) - text.rfind("\n") - 1
            else:
                column_base += len(text)


def _safe_decode(data: bytes, encoding: str) -> str:
    return data.decode(encoding, "replace").lstrip("\ufeff")
