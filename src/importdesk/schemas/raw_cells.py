"""Raw cells through the batch writer's pipe: XLSX dates and times as tuples ``marshal`` carries,
and CSV lines to parse (``csv_lines``).

``marshal`` (the pipe's format, store/batch_writer.py) cannot carry ``datetime.date`` or
``datetime.datetime``, which XLSX rows hold; a raw batch with one was validated in the runner
instead (for a products sheet with a date column: every batch). ``packed`` turns each such cell
into a tuple of its fields — no raw cell is ever a tuple (readers give str, int, float, bool,
None, date, datetime) — and ``unpacked``, in the writer, makes it the same value again, so both
processes validate the very same cells (schemas/positional_recipe.py).

A batch of CSV lines known to be one record each (readers/csv_lines.py) goes as the lines
themselves, and ``unpacked`` parses them into the rows the runner's reader would have given, or
raises (NotOneRowALine, csv.Error) when a line is not one full row: the runner parses that batch.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

_DATE, _DATETIME = dt.date, dt.datetime
_CSV_LINES = "csv_lines"


class NotOneRowALine(ValueError):
    """A line of a ``csv_lines`` batch that is not one row of the header's width, or a blank one."""


def csv_lines(lines: list[str], first: int, delimiter: str, width: int, limit: int) -> tuple[Any, ...]:
    """A batch of ``lines`` as sent (``unpacked`` gives its rows): the first at physical line
    ``first``, ``width`` cells each, read with ``delimiter`` and the field size limit ``limit``."""
    return (_CSV_LINES, lines, first, delimiter, width, limit)


def packed(rows: list[list[Any]]) -> list[list[Any]]:
    """``rows`` with their date and datetime cells as tuples (the same lists when none has one);
    the columns looked at are those holding one in the first row, where XLSX dates are a
    column's (a date elsewhere stays as it is, and the batch cannot be sent: the runner
    validates it)."""
    if not rows:
        return rows
    columns = [i for i, v in enumerate(rows[0]) if _packable(v)]  # so the first row has a tuple in each
    if not columns:
        return rows
    out = []
    for row in rows:
        row = row[:]
        for i in columns:
            v = row[i]
            if type(v) is _DATE:
                row[i] = (v.year, v.month, v.day)
            elif _packable(v):
                row[i] = (v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond)
        out.append(row)
    return out


def _packable(v: Any) -> bool:
    return type(v) is _DATE or (type(v) is _DATETIME and v.tzinfo is None and not v.fold)


def unpacked(rows: list[list[Any]] | tuple[Any, ...]) -> list[list[Any]]:
    """The rows ``packed`` sent, their tuples made dates and datetimes again (in the columns
    where the first row has one: those are the columns ``packed`` looked at); or the rows of
    the lines ``csv_lines`` sent."""
    if rows.__class__ is tuple:
        return _rows_of_lines(*rows[1:])
    columns = [i for i, v in enumerate(rows[0]) if type(v) is tuple] if rows else []
    for row in rows:
        for i in columns:
            v = row[i]
            if type(v) is tuple:
                row[i] = _DATE(*v) if len(v) == 3 else _DATETIME(*v)
    return rows


def _rows_of_lines(lines: list[str], first: int, delimiter: str, width: int, limit: int) -> list[list[Any]]:
    """The rows of ``lines`` as CsvSource.numbered_rows gives them (cells, then the row number),
    provided each line is one row of ``width`` cells, not blank (else NotOneRowALine)."""
    csv.field_size_limit(limit)
    rows = list(csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True,
                           skipinitialspace=False, strict=True))
    if len(rows) != len(lines) or any(len(row) != width for row in rows):
        raise NotOneRowALine(f"a line of rows {first}-{first + len(lines) - 1} is not one row of {width} cells")
    for number, row in enumerate(rows, first):
        if not row[0] and not any(row):
            raise NotOneRowALine(f"line {number} is blank")
        row.append(number)
    return rows
