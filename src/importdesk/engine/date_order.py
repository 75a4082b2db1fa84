"""Notice when a file's slash dates never say which order they are in.

`03/04/2024` is 3 April day first and 4 March month first; a job reads it by its locale's order
(plain `en` day first, `en_US` month first). A single `25/04/2024` settles the question for its
column (it only fits one order; if that is not the locale's, the row is rejected anyway). When every
slash date of a date column could be read both ways, the job ends with one warning saying which
order it used, so a month-first file imported under `en` does not pass unnoticed.

Watches the columns of tabular files (CSV, XLSX text cells) whose field is a date or date-time,
from the job's first row (a resumed job cannot know what the rows before it held, so it does not
warn). A column that shows no slash date in its first batch is not looked at again: its dates are
ISO or cells, and the watch costs nothing on them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

_SLASH_DATE = re.compile(r"^[ \t]*(\d{1,2})/(\d{1,2})/\d{2,4}(?:$|[ \tT])", re.M).finditer
# a slash date with a part over 12: it fits only one order
_SETTLES = re.compile(r"^[ \t]*(?:(?:1[3-9]|[2-9]\d)/\d{1,2}|\d{1,2}/(?:1[3-9]|[2-9]\d))/\d{2,4}(?:$|[ \tT])",
                      re.M).search
CODE = "ambiguous_date_order"
_ORDER_TEXT = {"DMY": ("day first", "DD/MM/YYYY", "en_US"), "MDY": ("month first", "MM/DD/YYYY", "en_GB")}


class DateOrderWatch:
    """Feed it each batch of rows (value lists aligned with the file's columns, or Records)."""

    def __init__(self, columns: dict[int, str], order: str, locale: str):
        self.order = order
        self.locale = locale
        self._names = dict(columns)  # column index -> field name
        self._watching = dict(columns) if order in _ORDER_TEXT else {}
        self._ambiguous: dict[int, bool] = {}  # columns with a date that reads two ways
        self._settled: set[int] = set()
        self._batches = 0

    @classmethod
    def for_job(cls, mapper, rules, starts_at_first_row: bool) -> DateOrderWatch | None:
        """The watch for a job's file, or None when there is nothing to watch."""
        if not starts_at_first_row or not mapper.tabular or mapper.mapping is None:
            return None
        rt = mapper.resource(mapper.job.resource_type)
        columns = {i: f for i, f in enumerate(mapper.mapping.columns)
                   if f is not None and rt.stored_fields[f].type in ("date", "datetime")}
        if not columns or rules.date_order not in _ORDER_TEXT:
            return None
        return cls(columns, rules.date_order, rules.locale)

    @property
    def watching(self) -> bool:
        """Some column's next batches are still to be observed."""
        return bool(self._watching)

    def observe(self, batch: Sequence[Any]) -> None:
        self._batches += 1
        for column in list(self._watching):
            text = _column_text(batch, column)  # one string, a line per value: the regexes scan it in C
            if _SETTLES(text):
                self._settled.add(column)
                del self._watching[column]
                continue
            if column not in self._ambiguous:
                slash = [m.group(1, 2) for m in _SLASH_DATE(text)]
                if any(a != b for a, b in slash):
                    self._ambiguous[column] = True
                elif self._batches == 1 and not slash:
                    del self._watching[column]  # ISO dates or date cells: nothing to watch

    def warning(self) -> tuple[str, str, str] | None:
        """(fields, code, message) of the one warning to add, or None."""
        columns = sorted(c for c, n in self._ambiguous.items() if n and c not in self._settled)
        if not columns:
            return None
        fields = [self._names[c] for c in columns]
        first, pattern, other = _ORDER_TEXT[self.order]
        return (", ".join(fields), CODE,
                f"every date like 03/04/2024 in {', '.join(fields)} could be read either way round; they were "
                f"read {first} ({pattern}), the order of locale {self.locale}. If they are "
                f"{'month' if self.order == 'DMY' else 'day'} first, import the file again with locale {other}")


def _column_text(batch: Sequence[Any], column: int) -> str:
    """The text values of one column, a line each (row lists; Records of tabular files; other cells skipped)."""
    try:
        return "\n".join(map(itemgetter(column), batch))  # the usual case: CSV row lists
    except (TypeError, IndexError):
        pass
    texts = []
    for row in batch:
        values = row if row.__class__ is list else getattr(row, "values", None)
        if values.__class__ is list and column < len(values) and values[column].__class__ is str:
            texts.append(values[column])
    return "\n".join(texts)
