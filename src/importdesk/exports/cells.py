"""Python values -> the text of a CSV cell, a JSON value, or an XLSX-ready value.

One place for the rendering rules every writer shares:

============  =========================  ==============================  =====================
value         CSV text (``csv_text``)    JSONL (``json_value``)          XLSX (``xlsx_value``)
============  =========================  ==============================  =====================
None          ""                         null                            empty cell
bool          "true" / "false"           true / false                    boolean
int           str(v)                     number                          number (text past 2**53)
float         repr(v) (round-trips)      number                          number
Decimal       exact, no exponent         string (exact, no exponent)     text (keeps precision)
date          ISO "2026-11-23"           ISO string                      date cell
datetime      ISO "2026-11-23T09:00:00"  ISO string                      date-time cell (naive);
                                                                         ISO text when it has
                                                                         a UTC offset
dict / list   compact JSON               as is                           compact JSON text
str           as is                      as is                           text
============  =========================  ==============================  =====================

A field of type ``json`` is always written as JSON text in CSV/XLSX, whatever the Python value (a
JSON string "abc" becomes ``"abc"`` with the quotes, so that it reads back as the same JSON).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from decimal import Decimal
from typing import Any

__all__ = ["NUMERIC_TYPES", "csv_text", "decimal_text", "json_default", "json_text", "json_value", "raw_text",
           "xlsx_value"]

#: Field types whose values are numbers (never text, never a formula).
NUMERIC_TYPES = frozenset({"decimal", "integer", "float"})
#: Largest integer a spreadsheet's double-precision number holds exactly.
MAX_EXACT_INT = 2**53


def decimal_text(d: Decimal) -> str:
    """Exact text of a Decimal without exponent: Decimal("1E+2") -> "100", "12.50" stays "12.50"."""
    return format(d, "f") if d.is_finite() else str(d)


def json_default(v: Any) -> Any:
    """``json.dumps(default=...)`` for values nested in json fields: Decimal as exact text, dates ISO."""
    if isinstance(v, Decimal):
        return decimal_text(v)
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    raise TypeError(f"cannot write {type(v).__name__} as JSON")


def json_text(v: Any) -> str:
    """Compact JSON, non-ASCII kept as is."""
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=json_default)


def csv_text(v: Any, ftype: str | None = None) -> str:
    """The text a CSV cell carries for ``v`` (not neutralised: the caller decides)."""
    if v is None:
        return ""
    if ftype == "json":
        return json_text(v)
    cls = v.__class__
    if cls is str:
        return v
    if cls is bool:
        return "true" if v else "false"
    if cls is int:
        return str(v)
    if cls is float:
        return repr(v)
    if cls is Decimal:
        return decimal_text(v)
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    if isinstance(v, (dict, list, tuple)):
        return json_text(v)
    return str(v)


def raw_text(v: Any) -> str:
    """Text of a value as a file had it (a failed row's raw value): like ``csv_text``, except that a
    whole float from a spreadsheet shows without ".0" (12345.0 -> "12345", as the importer reads it)."""
    if v.__class__ is float and math.isfinite(v) and v.is_integer():
        return str(int(v))
    return csv_text(v)


def json_value(v: Any) -> Any:
    """A JSON-native value: Decimal as an exact string, dates and date-times as ISO strings."""
    cls = v.__class__
    if v is None or cls is str or cls is bool or cls is int or cls is float:
        return v
    if cls is Decimal:
        return decimal_text(v)
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    return v  # dict / list: json.dumps handles nested Decimal/date through its default


def xlsx_value(v: Any, ftype: str | None = None) -> Any:
    """A value the XLSX writers take as it is: None, str, bool, int, float, date or naive datetime.
    Everything else becomes text (see the table in the module docstring)."""
    if v is None:
        return None
    if ftype == "json":
        return json_text(v)
    cls = v.__class__
    if cls is str or cls is bool:
        return v
    if cls is int:
        return v if -MAX_EXACT_INT <= v <= MAX_EXACT_INT else str(v)
    if cls is float:
        return v if math.isfinite(v) else repr(v)
    if cls is Decimal:
        return decimal_text(v)
    if cls is _dt.datetime:
        return v if v.tzinfo is None else v.isoformat()
    if cls is _dt.date:
        return v
    if isinstance(v, (dict, list, tuple)):
        return json_text(v)
    return csv_text(v)
