"""Numbers: locale-aware text -> Decimal / int / float, bounds, and the decimal digit limit.

The locale's decimal symbol; its group symbol only between valid groups of three digits
("1.234,56" de, "1,234.56" en, "1 234,56" fr with any space kind); a group symbol used otherwise
("12.50" in de, "12,50" in en) is ``ambiguous_number``. Sign + - or U+2212; an exponent (1.5e3)
is allowed when there are no group symbols. XLSX/JSON ``int`` and ``float`` are taken as they are
(a float goes to Decimal through ``repr``: 0.1 -> Decimal("0.1")); NaN/infinity and yes/no values
are not numbers. Integers: 3.0 is 3, 3.5 is ``not_an_integer``, and within SQLite's 64-bit range.
Decimals keep the digits written ("12.50" -> Decimal("12.50")); ``dbvalues`` stores them without
trailing zeros. ``minor_units``: money as a whole number of the currency's smallest unit.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from pydantic_core import PydanticCustomError

from .. import messages
from .failure import fail

if TYPE_CHECKING:
    from ..field_spec import FieldSpec
    from ..locale_rules import LocaleRules

__all__ = [
    "INT64_MAX", "INT64_MIN", "MAX_DECIMAL_DIGITS", "NumberParser", "check_decimal_digits",
    "decimal_converter", "float_converter", "integer_converter", "minor_units_converter", "written_digits",
]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


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


def _bounds_check(spec: FieldSpec, rules: LocaleRules, lo: Any, hi: Any) -> Callable[[Any], Any]:
    if lo is None and hi is None:
        return lambda n: n

    def check(n: Any) -> Any:
        if lo is not None and n < lo:
            raise fail(spec, rules, "too_small", ge=lo)
        if hi is not None and n > hi:
            raise fail(spec, rules, "too_large", le=hi)
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
                raise fail(spec, rules, d)
            return True, d
        if cls is int or cls is float or cls is Decimal:
            return True, v
        if v is None:
            return False, blank()
        raise fail(spec, rules, "not_a_number")

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
                raise fail(spec, rules, "not_a_number")
            n = Decimal(repr(n))
        elif cls is int:
            n = Decimal(n)
        elif not n.is_finite():
            raise fail(spec, rules, "not_a_number")
        if written_digits(n) > MAX_DECIMAL_DIGITS:
            raise fail(spec, rules, "too_many_digits", max_digits=MAX_DECIMAL_DIGITS)
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
                    raise fail(spec, rules, "not_a_number")
                if not n.is_integer():
                    raise fail(spec, rules, "not_an_integer")
            else:
                if not n.is_finite():
                    raise fail(spec, rules, "not_a_number")
                if n != n.to_integral_value():
                    raise fail(spec, rules, "not_an_integer")
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
            raise fail(spec, rules, "not_a_number")
        return check(f)

    return conv


def minor_units_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    """Money as a whole number of the currency's smallest unit (cents): 1200 is 12.00; never
    negative unless the type allows it with ``min``."""
    return integer_converter(spec if spec.min is not None else _with_min(spec, 0), rules, blank)


def _with_min(spec: FieldSpec, lo: int) -> FieldSpec:
    return dataclasses.replace(spec, min=lo)
