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

These functions are the complete path. ``field_schemas`` puts pydantic-core's own parsing in front
wherever it means the same thing (plain text, enum choices, ISO dates and datetimes, JSON, English
yes/no words, numbers where "." is the decimal mark), and memoises the converters of numbers,
dates and booleans with ``cached()``: where Python is needed ("1.234,56", "31.12.2026", "ja"),
values repeat a lot in import files, and a dict hit costs ~0.1 µs.

Jobs: ``numbers``, ``dates``, ``booleans``, ``text`` (text, choices, e-mail, URLs, JSON) and
``nested`` (object/map/list) hold the converter factories of their types; ``scalars`` picks a
one-value type's factory, ``converter`` any type's; ``blank``, ``failure`` and ``memo`` are what
they all share (blank input, the error raised, the memo cache).

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

from .blank import is_blank
from .converter import converter
from .dates import DateParser
from .memo import cached
from .numbers import INT64_MAX, INT64_MIN, MAX_DECIMAL_DIGITS, NumberParser, check_decimal_digits, written_digits

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_DECIMAL_DIGITS",
    "DateParser",
    "NumberParser",
    "cached",
    "check_decimal_digits",
    "converter",
    "is_blank",
    "written_digits",
]
