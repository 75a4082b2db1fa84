"""Formula neutralisation for exported text (OWASP "CSV injection").

A spreadsheet runs a cell as a formula when its text starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return. ``neutralise`` puts an apostrophe in front of such a value, so the program
shows it as text; ``unneutralise`` takes that apostrophe off again when one of our own exports is
imported back, so that export -> re-import gives back exactly the value that was exported.

The rule, precisely (``F`` = one of ``FORMULA_CHARS``)::

    neutralise(v)    = "'" + v   if v matches  '*F  (any number of apostrophes, then F)
                       v         otherwise
    unneutralise(s)  = s[1:]     if s matches  ''*F (at least one apostrophe, then F)
                       s         otherwise

Apostrophes already in front of a formula character count as part of the pattern so that the two
functions are exact inverses for every string: ``unneutralise(neutralise(v)) == v`` always.
Examples:

    "=1+1"  -> "'=1+1"  -> "=1+1"
    "-5.00" -> "'-5.00" -> "-5.00"     (OWASP: negative numbers in text get the prefix too)
    "'=x"   -> "''=x"   -> "'=x"       (a value that really starts with an apostrophe and then
                                         a formula character gets one more: otherwise re-import
                                         would turn it into "=x")
    "'abc"  -> "'abc"   -> "'abc"      (apostrophe then a letter: left alone both ways)
    ""      -> ""       -> ""

``unneutralise`` must only be applied to files we exported (it would eat the apostrophe of a
hand-typed "'=x" otherwise): recognise them by the marker columns of ``failed_rows``, or by the
caller knowing it.
"""

from __future__ import annotations

__all__ = ["FORMULA_CHARS", "is_formula_like", "neutralise", "unneutralise"]

#: First characters that make a spreadsheet evaluate a cell (OWASP CSV injection).
FORMULA_CHARS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = frozenset(FORMULA_CHARS)


def is_formula_like(value: str) -> bool:
    """True when a spreadsheet would run ``value`` as a formula (first character in FORMULA_CHARS)."""
    return bool(value) and value[0] in _FORMULA


def neutralise(value: str) -> str:
    """``value`` with a leading ``'`` when it starts (after any apostrophes) with a formula character."""
    if not value:
        return value
    c = value[0]
    if c in _FORMULA:
        return "'" + value
    if c == "'":
        rest = value.lstrip("'")
        if rest and rest[0] in _FORMULA:
            return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The inverse of ``neutralise``: drops one leading ``'`` when apostrophes lead to a formula character."""
    if len(value) >= 2 and value[0] == "'":
        rest = value.lstrip("'")
        if rest and rest[0] in _FORMULA:
            return value[1:]
    return value
