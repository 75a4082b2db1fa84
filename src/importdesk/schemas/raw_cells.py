"""Raw cells through the batch writer's pipe: XLSX dates and times as tuples ``marshal`` carries.

``marshal`` (the pipe's format, store/batch_writer.py) cannot carry ``datetime.date`` or
``datetime.datetime``, which XLSX rows hold; a raw batch with one was validated in the runner
instead (for a products sheet with a date column: every batch). ``packed`` turns each such cell
into a tuple of its fields — no raw cell is ever a tuple (readers give str, int, float, bool,
None, date, datetime) — and ``unpacked``, in the writer, makes it the same value again, so both
processes validate the very same cells (schemas/positional_recipe.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

_DATE, _DATETIME = dt.date, dt.datetime


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


def unpacked(rows: list[list[Any]]) -> list[list[Any]]:
    """The rows ``packed`` sent, their tuples made dates and datetimes again (in the columns
    where the first row has one: those are the columns ``packed`` looked at)."""
    columns = [i for i, v in enumerate(rows[0]) if type(v) is tuple] if rows else []
    for row in rows:
        for i in columns:
            v = row[i]
            if type(v) is tuple:
                row[i] = _DATE(*v) if len(v) == 3 else _DATETIME(*v)
    return rows
