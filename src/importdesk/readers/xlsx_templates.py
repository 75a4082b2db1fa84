"""Spans of XLSX rows read by a pattern made from a row: the fast path's fastest case.

A program that writes a sheet (an export, openpyxl, XlsxWriter) gives every row the same cells:
the same columns, styles and types; only the values and the row number differ, and some cells
are blank (absent, or ``<c r="D5" s="3"/>``). The first row of a span becomes a pattern of
literal text with each cell optional, its value a group and the row number a back-reference in
its reference (``<c r="B\\2" t="s"><v>([^<]*+)</v></c>``), so one findall reads the span, a tuple
of values per row, and each column is converted by one comprehension of its kind. On the bench's
products sheet this reads a span ~3.5x faster than cell by cell (``xlsx_fastrows._uniform_rows``,
which reads any span this one declines).

The check: the rows matched, back to back, are the whole span (their lengths add up to its
length), so no cell, row or text went unread. A span with any other cell (another type or
style, a formula without a cached value, an error), an entity or a carriage return is declined:
the general paths read it, with the same values. (A formula's cached value is read, as they do.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from .xlsx_sheet import CellError, Row, Workbook, cell_value, letters

TRUE_TEXTS = ("1", "true")  # a boolean cell's text that is True (as cell_value reads it)
COLUMN_LETTERS = [letters(i) for i in range(16_384)]  # A ... XFD, Excel's last column
DATES_KEPT = 20_000  # distinct (style, serial) values remembered per workbook

Converter = Callable[..., list[Any]]  # a column's texts (a styled number's: styles, texts) -> values


def date_cell(style: str, text: str, book: Workbook) -> Any:
    """A date-styled number cell's value (CellError for text that is not a number), remembered."""
    value = cell_value(None, style, text, "", 0, book)
    dates = book.date_values
    if len(dates) >= DATES_KEPT:
        dates.clear()
    dates[style, text] = value
    return value


@cache
def _cell_shape(p: str) -> re.Pattern[str]:
    """A cell's column, style, type, formula (its cached value is read), and whether its value
    is a <v> (else an inline string)."""
    q = re.escape(p)
    return re.compile(rf'<{q}c r="([A-Z]{{1,3}})\d++"(?: s="(\d++)")?+(?: t="(\w++)")?+>({formula_pattern(q)})'
                      rf'(?:(<{q}v>)|<{q}is><{q}t(?: xml:space="preserve")?+>)')


def formula_pattern(q: str) -> str:
    """An optional formula before a cell's value (``q``: the escaped namespace prefix); not
    possessive: a malformed <f/></f> matches whole."""
    return rf"(?:<{q}f\b[^>]*?(?:/>|>[^<]*</{q}f>))?"


class RowTemplate:
    """The pattern of one row's cells, and how each column's text becomes its values."""

    def __init__(self, pattern: re.Pattern[str], converters: list[tuple[Converter, int]]) -> None:
        self.pattern = pattern
        self.converters = converters

    @classmethod
    def of(cls, row_xml: str, p: str, book: Workbook, styled: bool = False) -> RowTemplate | None:
        """The template of ``row_xml`` (one whole row, namespace prefix ``p``), or None when a
        cell of it is not a plain value (a blank, an error, a formula's text, a gap before it).
        A formula's cached value is a value: its formula, different in each row, is skipped.
        A number cell must have the row's style (it may make the number a date); ``styled``: any
        style, read with each number (~35% slower on a sheet with a date column)."""
        cells = _cell_shape(p).findall(row_xml)
        if not cells or len(cells) != row_xml.count(f"<{p}c") or \
                [c[0] for c in cells] != COLUMN_LETTERS[:len(cells)]:
            return None
        q = re.escape(p)
        parts = [rf'(<{q}row r="(\d++)"[^>]*+>']  # (the whole row, and its number)
        converters: list[tuple[Converter, int]] = []  # each column's, and how many groups it reads
        for column, style, ctype, formula, in_v in cells:
            numeric = not ctype or ctype == "n"
            convert = _styled_numbers(book) if styled and numeric and in_v else \
                _converter(style, ctype, bool(in_v), book)
            if convert is None:
                return None
            converters.append((convert, 2 if styled and numeric else 1))
            # a text's style only formats it: any will do (a number's may make it a date: that one,
            # or, styled, any, read with it)
            style_attr = (r'(?: s="(\d++)")?+' if styled else re.escape(f' s="{style}"') if style else "") \
                if numeric else r'(?: s="\d++")?+'
            attrs = style_attr + re.escape(f' t="{ctype}"' if ctype else "")
            value = rf"<{q}v>([^<]*+)</{q}v>" if in_v else \
                rf'<{q}is><{q}t(?: xml:space="preserve")?+>([^<]*+)</{q}t></{q}is>'
            if formula:  # (only where the row has one: an optional formula costs every cell ~40%)
                value = formula_pattern(q) + value
            blank = rf'<{q}c r="{column}\2"(?: s="\d++")?+/>'
            parts.append(rf'(?:<{q}c r="{column}\2"{attrs}>{value}</{q}c>|{blank})?+')
        parts.append(rf"</{q}row>)")
        return cls(re.compile("".join(parts)), converters)

    def read(self, span: str) -> tuple[list[Row], int] | None:
        """The rows of ``span`` (whole rows, back to back) and its last row number, when every
        row has this template's cells (some blank); else None."""
        if "&" in span or "\r" in span:  # (text the general paths decode)
            return None
        found = self.pattern.findall(span)
        if not found:
            return None
        whole, numbers, *texts = zip(*found, strict=True)
        if sum(map(len, whole)) != len(span):
            return None  # something between or in the rows that is not the template's
        columns = []
        at = 0
        try:
            for convert, groups in self.converters:
                columns.append(convert(*texts[at:at + groups]))
                at += groups
        except (ValueError, IndexError, CellError):
            return None  # (a bad number, say: the general paths name the cell)
        by_row = zip(*columns, strict=True)
        rows = [(int(number), list(values), []) for number, values in zip(numbers, by_row, strict=True)]
        return (trimmed_rows(rows) if None in columns[-1] else rows), int(numbers[-1])


def _styled_numbers(book: Workbook) -> Converter:
    """How a column of number cells reads from their styles and texts, as
    ``xlsx_fastrows._plain_values`` reads each: all numbers unless a style in it is a date's."""
    date_styles, dates = book.date_styles, book.date_values

    def convert(styles: tuple[str, ...], col: tuple[str, ...]) -> list[Any]:
        if date_styles.keys().isdisjoint(styles):
            return _numbers(col)
        return [((dates.get((s, x)) or date_cell(s, x, book)) if s in date_styles
                 else int(v) if (v := float(x)).is_integer() else v) if x else None
                for s, x in zip(styles, col, strict=True)]
    return convert


def _converter(style: str, ctype: str, in_v: bool, book: Workbook) -> Converter | None:
    """How a column of cells of this style and type reads, as ``xlsx_fastrows._plain_values``
    reads each cell, and a blank (absent, or one of no value: "") as None, as ``_general_row``
    does; None for a kind left to them."""
    if not in_v:
        return _texts if ctype == "inlineStr" else None
    if not ctype or ctype == "n":
        if style and style in book.date_styles:
            dates = book.date_values
            return lambda col: [(dates.get((style, x)) or date_cell(style, x, book)) if x else None for x in col]
        return _numbers
    if ctype == "s":
        strings = book.strings
        return lambda col: [(strings[int(x)] or None) if x else None for x in col]
    if ctype == "b":
        return _booleans
    if ctype == "str":  # a formula's text (no entity or CR here: the span has none)
        return _texts
    return None


def _texts(col: tuple[str, ...]) -> list[Any]:
    return [x or None for x in col]


def _numbers(col: tuple[str, ...]) -> list[Any]:
    return [(int(v) if (v := float(x)).is_integer() else v) if x else None for x in col]


def _booleans(col: tuple[str, ...]) -> list[Any]:
    return [(x.strip() in TRUE_TEXTS) if x else None for x in col]


def trimmed_rows(rows: list[Row]) -> list[Row]:
    """Rows of a span whose last column has an empty cell: each without its trailing empty
    cells, and dropped when nothing is left (as a row read alone is)."""
    rows = [(number, trimmed(values), errors) for number, values, errors in rows]
    return [row for row in rows if row[1]]


def trimmed(values: list[Any]) -> list[Any]:
    while values and values[-1] is None:
        values.pop()
    return values
