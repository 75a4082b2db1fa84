"""A batch of a CSV file's physical lines, handed on unparsed, once the file is known to hold one
record on each line.

The byte scan that counts a CSV file (csv_count.py) answers only when every line after the
header is one record as ``csv.reader(strict=True)`` reads it. For such a file the process that
validates a batch may as well be the one that parses it: the runner reads the next lines as
they are (CsvRows.take_lines: no list of cells per row, nothing to marshal cell by cell, nothing
to free) and hands them to the batch writer, which parses them when it validates them raw
(schemas/raw_cells.py); a batch validated in the runner is parsed there (CsvSource.parse_lines).
Both parse the very lines the file's own reader would have, with the same dialect and cell
limit, so the rows are the same. The writer takes a batch only when each line gave one full row
(else "redo": the runner parses it by every rule of CsvSource, blank and ragged lines included).
"""

from __future__ import annotations


class CsvLines:
    """``lines`` (str, line breaks kept) of a CSV file, the first at physical line ``first``."""

    __slots__ = ("delimiter", "first", "limit", "lines", "width")

    def __init__(self, lines: list[str], first: int, delimiter: str, width: int, limit: int) -> None:
        self.lines = lines
        self.first = first
        self.delimiter = delimiter
        self.width = width  # the header's columns
        self.limit = limit  # max_cell_chars, the reader's field size limit

    def __len__(self) -> int:
        return len(self.lines)
