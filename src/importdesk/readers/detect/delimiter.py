"""CSV delimiter: sniffed among , ; TAB | from the first lines, or checked when given."""

from __future__ import annotations

import csv
import io

from ..base import ReaderError

__all__ = ["DELIMITERS", "check_delimiter", "detect_delimiter"]

DELIMITERS = (",", ";", "\t", "|")


def detect_delimiter(text: str, prefer: str | None = None, max_rows: int = 30) -> str:
    """The delimiter among , ; TAB | that splits the first lines most consistently.

    The sample is parsed with the csv module, so delimiters inside quoted fields do not count.
    Score: share of rows with the header's field count, then the field count itself. A header
    that does not split on a candidate rules it out. One column only: ",".
    """
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # probably cut in the middle by the sample size
    sample = "".join(lines[: max_rows * 4])
    best, best_score = ",", (0.0, 0, 0)
    for delim in DELIMITERS:
        rows: list[list[str]] = []
        try:
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delim):
                if any(row):
                    rows.append(row)
                if len(rows) >= max_rows:
                    break
        except csv.Error:
            pass
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (consistent, 1 if delim == prefer else 0, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def check_delimiter(name: str, delimiter: str) -> str:
    aliases = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    delimiter = aliases.get(delimiter.lower(), delimiter) if len(delimiter) > 1 else delimiter
    if len(delimiter) != 1 or delimiter in "\r\n\"":
        raise ReaderError(f"{name}: invalid delimiter {delimiter!r} (one character, e.g. ',' ';' "
                          "'|' or 'tab')", file=name)
    return delimiter
