"""Dates and datetimes: ISO or the locale's day/month/year order -> ``date`` / ``datetime``.

Dates: YYYY-MM-DD always, or the locale's order (DMY, MDY, YMD) with separator . / or - and a
4-digit year; a first part of 4 digits is always read as year-month-day. ``date`` objects as they
are, a ``datetime`` at midnight as its date.
Datetimes: ISO 8601 (``T`` or space, optional seconds/fraction/offset), or a local date followed
by HH:MM[:SS]; a date alone is midnight. ``datetime``/``date`` objects accepted.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .failure import fail

if TYPE_CHECKING:
    from ..field_spec import FieldSpec
    from ..locale_rules import LocaleRules

__all__ = ["DateParser", "date_converter", "datetime_converter"]

_date = _dt.date
_datetime = _dt.datetime


class DateParser:
    """Text -> date by the locale's day/month/year order (see module docstring)."""

    _iso = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})").fullmatch
    _local = re.compile(r"(\d{1,4})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{1,4})\.?").fullmatch
    _time = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?").fullmatch

    def __init__(self, rules: LocaleRules) -> None:
        self.order = rules.date_order

    def parse_date(self, s: str) -> _date | str:
        """A date, or a reason (str) why not."""
        if len(s) == 10 and s.isascii():  # quick paths: YYYY-MM-DD and the locale's DD.MM.YYYY
            try:
                if s[4] == "-" and s[7] == "-":
                    return _date.fromisoformat(s)
                if s[2] == s[5] and s[2] in "./-" and self.order != "YMD":
                    a, b = (s[:2], s[3:5]) if self.order == "DMY" else (s[3:5], s[:2])
                    return _date.fromisoformat(f"{s[6:]}-{b}-{a}")
            except ValueError:
                pass
        m = self._iso(s)
        if m:
            y, mo, d = m.groups()
        else:
            m = self._local(s)
            if m is None:
                return ""
            a, _sep, b, c = m.groups()
            if len(a) == 4:
                y, mo, d = a, b, c
                if len(c) > 2:
                    return ""
            elif self.order == "DMY":
                d, mo, y = a, b, c
            elif self.order == "MDY":
                mo, d, y = a, b, c
            else:
                return "use a 4-digit year"
            if len(y) != 4:
                return "use a 4-digit year"
        try:
            return _date(int(y), int(mo), int(d))
        except ValueError:
            return "no such day"

    def parse_time(self, s: str) -> _dt.time | None:
        m = self._time(s)
        if m is None:
            return None
        hh, mm, ss, frac = m.groups()
        try:
            micro = int((frac or "0").ljust(6, "0"))
            return _dt.time(int(hh), int(mm), int(ss or 0), micro)
        except ValueError:
            return None

    def parse_datetime(self, s: str) -> _datetime | None:
        try:
            return _datetime.fromisoformat(s)
        except ValueError:
            pass
        parts = s.replace("T", " ").split(None, 1)
        if not parts:
            return None
        day = self.parse_date(parts[0])
        if not isinstance(day, _date):
            return None
        if len(parts) == 1:
            return _datetime.combine(day, _dt.time())
        t = self.parse_time(parts[1].strip())
        if t is None:
            return None
        return _datetime.combine(day, t)


def date_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    parser = DateParser(rules)

    def conv(v: Any) -> Any:
        if isinstance(v, str):
            s = v.strip()
            if not s:
                return blank()
            d = parser.parse_date(s)
            if d.__class__ is _date:
                return d
            if not d:  # maybe a date with a midnight time ("31.12.2026 00:00", ISO with T00:00)
                dt = parser.parse_datetime(s)
                if dt is not None and (dt.hour, dt.minute, dt.second, dt.microsecond) == (0, 0, 0, 0):
                    return dt.date()
            raise fail(spec, rules, "invalid_date", reason=d or None)
        if isinstance(v, _datetime):
            if v.time() != _dt.time():
                raise fail(spec, rules, "invalid_date", reason="it has a time of day")
            return v.date()
        if isinstance(v, _date):
            return v
        if v is None:
            return blank()
        raise fail(spec, rules, "invalid_date")

    return conv


def datetime_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    parser = DateParser(rules)

    def conv(v: Any) -> Any:
        if isinstance(v, _datetime):
            return v
        if isinstance(v, _date):
            return _datetime.combine(v, _dt.time())
        if isinstance(v, str):
            s = v.strip()
            if not s:
                return blank()
            dt = parser.parse_datetime(s)
            if dt is not None:
                return dt
            raise fail(spec, rules, "invalid_datetime")
        if v is None:
            return blank()
        raise fail(spec, rules, "invalid_datetime")

    return conv
