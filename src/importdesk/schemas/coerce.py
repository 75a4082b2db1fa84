"""Locale-aware conversions of raw cell values, used as pydantic-core validator functions.

``converter(spec, rules)`` returns ``conv(value) -> python value`` for one field and one locale. It
accepts everything a reader can hand over (CSV: ``str``; XLSX: ``str``/``int``/``float``/``bool``/
``date``/``datetime``/``None``; JSON: decoded values) and either returns the value in the field's
Python type (``str``, ``int``, ``Decimal``, ``float``, ``bool``, ``date``, ``datetime``, JSON value)
or raises ``PydanticCustomError(code, message)`` with one of ``errors.CODES`` and the final
plain-words message. String length/pattern constraints are *not* checked here: the pydantic-core
schema the value goes on to checks them.

Blank input (``None``, ``""``, whitespace only) returns the field's default (``None`` if it has
none) for optional fields and raises a ``required`` error otherwise. Numbers are also checked
against min/max here (and integers against SQLite's 64-bit range), so that ``cached()`` only
ever keeps valid results.

These functions are the complete path. ``validator.py`` puts pydantic-core's own parsing in front
wherever it means the same thing (plain text, enum choices, ISO dates and datetimes, JSON, English
yes/no words, numbers where "." is the decimal mark), and memoises the converters of numbers,
dates and booleans with ``cached()``: where Python is needed ("1.234,56", "31.12.2026", "ja"),
values repeat a lot in import files, and a dict hit costs ~0.1 µs.

Rules
-----
Numbers  the locale's decimal symbol; its group symbol only between valid groups of three digits
         ("1.234,56" de, "1,234.56" en, "1 234,56" fr with any space kind); a group symbol used
         otherwise ("12.50" in de, "12,50" in en) is ``ambiguous_number``. Sign + - or U+2212;
         an exponent (1.5e3) is allowed when there are no group symbols. XLSX/JSON ``int`` and
         ``float`` are taken as they are (a float goes to Decimal through ``repr``: 0.1 ->
         Decimal("0.1")); NaN/infinity and yes/no values are not numbers. Integers: 3.0 is 3,
         3.5 is ``not_an_integer``. Decimals keep the digits written ("12.50" ->
         Decimal("12.50")); ``dbvalues`` stores them without trailing zeros.
Dates    YYYY-MM-DD always, or the locale's order (DMY, MDY, YMD) with separator . / or - and a
         4-digit year; a first part of 4 digits is always read as year-month-day. ``date``
         objects as they are, a ``datetime`` at midnight as its date.
Datetime ISO 8601 (``T`` or space, optional seconds/fraction/offset), or a local date followed by
         HH:MM[:SS]; a date alone is midnight. ``datetime``/``date`` objects accepted.
Booleans true/false yes/no y/n 1/0 on/off t/f, plus the locale language's words (de ja/nein/
         wahr/falsch, fr oui/non/vrai/faux, ...), case-insensitive; ``bool``; numbers 0/1.
Text     stripped; XLSX numbers become text (12345.0 -> "12345"), dates ISO text.
Enum     exact choice, else a case-insensitive match gives the choice as written in the schema.
Email    email-validator's syntax rules (no DNS); the domain is lower-cased (its normalised form).
JSON     a JSON text, or an already decoded dict/list/number/bool.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from pydantic_core import PydanticCustomError

from . import messages
from .nested import nested_converter

if TYPE_CHECKING:
    from .locale_rules import LocaleRules
    from .spec import FieldSpec

__all__ = ["DateParser", "NumberParser", "cached", "converter", "is_blank"]

_date = _dt.date
_datetime = _dt.datetime


def is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _fail(spec: FieldSpec, rules: LocaleRules | None, code: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(code, messages.message(spec, rules, code, ctx))


def _on_blank(required: bool, default: Any) -> Callable[[], Any]:
    """What a converter returns (or raises) for blank input."""
    if required:
        def blank() -> Any:
            raise PydanticCustomError("required", "is required")
    elif isinstance(default, (dict, list)):
        def blank() -> Any:
            return copy.deepcopy(default)
    else:
        def blank() -> Any:
            return default
    return blank


class NumberParser:
    """Text -> Decimal by the locale's number symbols (see module docstring)."""

    def __init__(self, rules: LocaleRules) -> None:
        dec = re.escape(rules.decimal)
        grp = "".join(re.escape(g) for g in rules.groups)
        minus = "".join(re.escape(m) for m in rules.minus)
        self.minus = frozenset(rules.minus)
        self.groups = tuple(rules.groups)
        self._plain = re.compile(
            rf"(?P<sign>[+{minus}]?)(?P<int>\d*)(?:{dec}(?P<frac>\d*))?(?:[eE](?P<exp>[+\-]?\d+))?"
        ).fullmatch
        self._numberish = re.compile(rf"[\d+{minus}{grp}{dec}]+").fullmatch
        self._grouped = re.compile(
            rf"(?P<sign>[+{minus}]?)(?P<int>\d{{1,3}}(?P<g>[{grp}])\d{{3}}(?:(?P=g)\d{{3}})*)"
            rf"(?:{dec}(?P<frac>\d*))?"
        ).fullmatch

    def parse(self, text: str) -> Decimal | str:
        """A Decimal, or an error code ("not_a_number" / "ambiguous_number")."""
        s = text.strip()
        m = self._plain(s)
        grouped = False
        if m is None:
            m = self._grouped(s)
            grouped = True
        if m is None:
            if self._numberish(s) and any(g in s for g in self.groups):
                return "ambiguous_number"
            return "not_a_number"
        whole = m["int"]
        frac = m["frac"]
        if not whole and not frac:
            return "not_a_number"
        if grouped:
            whole = whole.replace(m["g"], "")
        sign = "-" if m["sign"] in self.minus and m["sign"] else ""
        exp = None if grouped else m["exp"]
        literal = f"{sign}{whole or '0'}.{frac or '0'}" + (f"e{exp}" if exp else "")
        try:
            return Decimal(literal)
        except InvalidOperation:  # pragma: no cover - the regexes only let digits through
            return "not_a_number"


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


# --------------------------------------------------------------------------- converters

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
CACHE_SIZE = 4096
_MISS = object()


def cached(conv: Callable[[Any], Any], size: int = CACHE_SIZE) -> Callable[[Any], Any]:
    """Memoise ``conv`` for ``str`` input (results must be immutable; errors are not kept).

    The cache is emptied when it reaches ``size`` entries: cheap, bounded, and a file's
    recurring values are back in it after a few rows."""
    cache: dict[str, Any] = {}
    get = cache.get

    def conv_cached(v: Any) -> Any:
        if v.__class__ is str:
            r = get(v, _MISS)
            if r is not _MISS:
                return r
            r = conv(v)
            if len(cache) >= size:
                cache.clear()
            cache[v] = r
            return r
        return conv(v)

    conv_cached.__wrapped__ = conv  # type: ignore[attr-defined]
    return conv_cached


def _text_of(v: Any) -> str | None:
    """XLSX/JSON non-text values that have an obvious text form; None if there is none."""
    cls = v.__class__
    if cls is str:
        return v
    if cls is bool:
        return None
    if cls is int:
        return str(v)
    if cls is float:
        if not math.isfinite(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    if cls is Decimal:
        return format(v, "f") if v.is_finite() else None
    if cls is _datetime or cls is _date:
        return v.isoformat()
    if isinstance(v, str):
        return str(v)
    return None


def string_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    def conv(v: Any) -> Any:
        if v.__class__ is str:
            s = v.strip()
            return s if s else blank()
        if v is None:
            return blank()
        s = _text_of(v)
        if s is None:
            reason = "got a yes/no value" if isinstance(v, bool) else f"got {type(v).__name__}"
            raise _fail(spec, rules, "invalid_string", reason=reason)
        return s.strip() or blank()

    return conv


def enum_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    exact = frozenset(spec.choices)
    folded = {c.casefold(): c for c in spec.choices}

    def conv(v: Any) -> Any:
        if v is None:
            return blank()
        s = _text_of(v)
        if s is not None:
            s = s.strip()
            if not s:
                return blank()
            if s in exact:
                return s
            hit = folded.get(s.casefold())
            if hit is not None:
                return hit
        raise _fail(spec, rules, "not_a_choice")

    return conv


def _bounds_check(spec: FieldSpec, rules: LocaleRules, lo: Any, hi: Any) -> Callable[[Any], Any]:
    if lo is None and hi is None:
        return lambda n: n

    def check(n: Any) -> Any:
        if lo is not None and n < lo:
            raise _fail(spec, rules, "too_small", ge=lo)
        if hi is not None and n > hi:
            raise _fail(spec, rules, "too_large", le=hi)
        return n

    return check


def _number_text(rules: LocaleRules) -> Callable[[str], str | None]:
    """Quick path: stripped text -> text Python's Decimal/float/int read the same way (groups
    removed, decimal mark made "."), or None when the full parser has to look at it (which also
    phrases the error)."""
    dec = rules.decimal
    groups = rules.groups
    dot = rules.dot_decimal
    grp = "".join(re.escape(g) for g in groups)
    grouped = re.compile(
        rf"[+\-]?\d{{1,3}}(?P<g>[{grp}])\d{{3}}(?:(?P=g)\d{{3}})*(?:{re.escape(dec)}\d*)?"
    ).fullmatch
    drop_groups = str.maketrans(dict.fromkeys(groups))
    single = groups[0] if len(groups) == 1 else None

    def quick(t: str) -> str | None:
        has_group = single in t if single is not None else any(g in t for g in groups)
        if has_group:
            if grouped(t) is None:
                return None
            t = t.replace(single, "") if single is not None else t.translate(drop_groups)
        if dot:
            return t
        if "." in t:
            return None
        return t.replace(dec, ".")

    return quick


def _number_reader(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any], make: Callable[[str], Any]):
    """raw -> (number, or the blank result), raising for non-numbers. ``make`` reads quick text."""
    parser = NumberParser(rules)
    quick = _number_text(rules)

    def read(v: Any) -> tuple[bool, Any]:
        cls = v.__class__
        if cls is str or isinstance(v, str):
            t = v.strip()
            if not t:
                return False, blank()
            q = quick(t)
            if q is not None:
                try:
                    return True, make(q)
                except (ValueError, ArithmeticError):
                    pass
            d = parser.parse(t)
            if d.__class__ is str:
                raise _fail(spec, rules, d)
            return True, d
        if cls is int or cls is float or cls is Decimal:
            return True, v
        if v is None:
            return False, blank()
        raise _fail(spec, rules, "not_a_number")

    return read


#: Most digits a decimal may have written out without an exponent (integer + fraction digits),
#: as the store keeps it: far more than SQL's DECIMAL(38) or any price, while ``1e200000000``
#: (a 200 MB text once written out) is refused as it arrives.
MAX_DECIMAL_DIGITS = 100


def written_digits(d: Decimal) -> int:
    """Digits of ``d`` written out in plain notation (as the store keeps it)."""
    _sign, digits, exponent = d.as_tuple()
    if exponent >= 0:  # type: ignore[operator]
        return len(digits) + exponent  # type: ignore[operator]
    return max(len(digits), -exponent)  # type: ignore[operator]


def check_decimal_digits(d: Decimal) -> Decimal:
    """``d``, or a ``too_many_digits`` error (for pydantic's own decimal parsing, whose
    ``max_digits`` does not count the zeros a negative exponent writes out)."""
    if written_digits(d) > MAX_DECIMAL_DIGITS:
        raise PydanticCustomError("too_many_digits", messages.message(None, None, "too_many_digits",  # type: ignore[arg-type]
                                                                      {"max_digits": MAX_DECIMAL_DIGITS}))
    return d


def decimal_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    read = _number_reader(spec, rules, blank, Decimal)
    check = _bounds_check(spec, rules, spec.min, spec.max)
    lo, hi = spec.min, spec.max
    quick = _number_text(rules)

    def slow(v: Any) -> Any:
        is_num, n = read(v)
        if not is_num:
            return n
        cls = n.__class__
        if cls is float:
            if not math.isfinite(n):
                raise _fail(spec, rules, "not_a_number")
            n = Decimal(repr(n))
        elif cls is int:
            n = Decimal(n)
        elif not n.is_finite():
            raise _fail(spec, rules, "not_a_number")
        if written_digits(n) > MAX_DECIMAL_DIGITS:
            raise _fail(spec, rules, "too_many_digits", max_digits=MAX_DECIMAL_DIGITS)
        return check(n)

    def conv(v: Any) -> Any:
        # Quick path for the usual text ("1234.50", "19,99" in de): groups removed, decimal
        # mark made ".", Decimal reads it; anything else -> slow(), which phrases errors.
        if v.__class__ is str:
            q = quick(v.strip())
            if q:
                try:
                    d = Decimal(q)
                except (ValueError, ArithmeticError):
                    return slow(v)
                if (d.is_finite() and (lo is None or d >= lo) and (hi is None or d <= hi)
                        and ((len(q) <= MAX_DECIMAL_DIGITS and "e" not in q and "E" not in q)
                             or written_digits(d) <= MAX_DECIMAL_DIGITS)):
                    return d
        return slow(v)

    return conv


def integer_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    read = _number_reader(spec, rules, blank, lambda q: int(q) if "." not in q else Decimal(q))
    lo = INT64_MIN if spec.min is None else max(INT64_MIN, spec.min)
    hi = INT64_MAX if spec.max is None else min(INT64_MAX, spec.max)
    check = _bounds_check(spec, rules, lo, hi)

    def conv(v: Any) -> Any:
        is_num, n = read(v)
        if not is_num:
            return n
        cls = n.__class__
        if cls is not int:
            if cls is float:
                if not math.isfinite(n):
                    raise _fail(spec, rules, "not_a_number")
                if not n.is_integer():
                    raise _fail(spec, rules, "not_an_integer")
            else:
                if not n.is_finite():
                    raise _fail(spec, rules, "not_a_number")
                if n != n.to_integral_value():
                    raise _fail(spec, rules, "not_an_integer")
                check(n)  # before int(): "1e200000000" would become a 200-million-digit int
            n = int(n)
        return check(n)

    return conv


def float_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    read = _number_reader(spec, rules, blank, float)
    check = _bounds_check(spec, rules, spec.min, spec.max)

    def conv(v: Any) -> Any:
        is_num, n = read(v)
        if not is_num:
            return n
        f = float(n)
        if not math.isfinite(f):
            raise _fail(spec, rules, "not_a_number")
        return check(f)

    return conv


def boolean_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    true_words = rules.true_words
    false_words = rules.false_words

    def conv(v: Any) -> Any:
        cls = v.__class__
        if cls is bool:
            return v
        if cls is str or isinstance(v, str):
            s = v.strip().casefold()
            if not s:
                return blank()
            if s in true_words:
                return True
            if s in false_words:
                return False
        elif v is None:
            return blank()
        elif cls in (int, float, Decimal) and v in (0, 1):
            return bool(v)
        raise _fail(spec, rules, "invalid_boolean")

    return conv


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
            raise _fail(spec, rules, "invalid_date", reason=d or None)
        if isinstance(v, _datetime):
            if v.time() != _dt.time():
                raise _fail(spec, rules, "invalid_date", reason="it has a time of day")
            return v.date()
        if isinstance(v, _date):
            return v
        if v is None:
            return blank()
        raise _fail(spec, rules, "invalid_date")

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
            raise _fail(spec, rules, "invalid_datetime")
        if v is None:
            return blank()
        raise _fail(spec, rules, "invalid_datetime")

    return conv


def email_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    from email_validator import EmailNotValidError, validate_email

    def conv(v: Any) -> Any:
        if not isinstance(v, str):
            if v is None:
                return blank()
            raise _fail(spec, rules, "invalid_email")
        s = v.strip()
        if not s:
            return blank()
        try:
            return validate_email(s, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            reason = str(exc).rstrip(".")
            reason = reason[:1].lower() + reason[1:]
            raise _fail(spec, rules, "invalid_email", reason=reason) from None

    return conv


def json_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    def conv(v: Any) -> Any:
        if isinstance(v, str):
            s = v.strip()
            if not s:
                return blank()
            try:
                return json.loads(s)
            except ValueError as exc:
                msg = getattr(exc, "msg", str(exc))
                pos = getattr(exc, "pos", None)
                reason = f"{msg.lower()} at character {pos + 1}" if pos is not None else msg
                raise _fail(spec, rules, "invalid_json", reason=reason) from None
        if v is None:
            return blank()
        if isinstance(v, Decimal) and v.is_finite():
            return v
        if isinstance(v, (dict, list, int, float)) and not (isinstance(v, float) and not math.isfinite(v)):
            return v
        raise _fail(spec, rules, "invalid_json", reason=f"got {type(v).__name__}")

    return conv


_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?::\d+)?(?:[/?#]\S*)?$|^https?://localhost(?::\d+)?(?:[/?#]\S*)?$",
                  re.IGNORECASE)


def url_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    """An absolute http(s) address (an image, a page); surrounding spaces removed."""
    text = string_converter(spec, rules, blank)

    def conv(v: Any) -> Any:
        s = text(v)
        if s is None or s == blank():
            return s
        if not _URL.match(s):
            raise _fail(spec, rules, "invalid_url")
        return s

    return conv


def minor_units_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    """Money as a whole number of the currency's smallest unit (cents): 1200 is 12.00; never
    negative unless the type allows it with ``min``."""
    return integer_converter(spec if spec.min is not None else _with_min(spec, 0), rules, blank)


def _with_min(spec: FieldSpec, lo: int) -> FieldSpec:
    import dataclasses

    return dataclasses.replace(spec, min=lo)


_FACTORIES = {
    "string": string_converter,
    "enum": enum_converter,
    "integer": integer_converter,
    "decimal": decimal_converter,
    "float": float_converter,
    "boolean": boolean_converter,
    "date": date_converter,
    "datetime": datetime_converter,
    "email": email_converter,
    "json": json_converter,
    "url": url_converter,
    "minor_units": minor_units_converter,
    "object": nested_converter,
    "map": nested_converter,
    "list": nested_converter,
}


def converter(spec: FieldSpec, rules: LocaleRules, required: bool | None = None,
              default: Any = None) -> Callable[[Any], Any]:
    """The complete conversion for ``spec`` in ``rules``' locale.

    ``required``: blank input raises a ``required`` error (default: ``spec.required``);
    otherwise blank input returns ``default``.
    """
    required = spec.required if required is None else required
    return _FACTORIES[spec.type](spec, rules, _on_blank(required, default))
