"""How a person writes an error threshold: `10%` or the fraction `0.1` — never a number that could be either.

A bare `1` or `5` could mean 1 % / 5 % or 100 % / 500 %; guessing wrong silently changes when a job
stops, so those are refused with the two readings spelled out. The rule:

- `N%` is N percent (`10%`, `0.5%`, `100%`);
- a bare number below 1 is a fraction (`0.1` is 10 %, `0` never tolerates an error);
- a bare number of 1 or more is refused: write `1%` or `100%`.
"""

from __future__ import annotations

RULE = "write a percentage like 10% or a fraction below 1 like 0.1"


def parse_threshold(text: str) -> float:
    """The threshold as a fraction of the rows (0.0 – 1.0); ValueError with a message for the user."""
    raw = text.strip()
    percent = raw.endswith("%")
    number_text = raw[:-1].strip() if percent else raw
    try:
        value = float(number_text)
    except ValueError:
        raise ValueError(f"{text!r} is not a threshold: {RULE}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not a threshold: {RULE}")
    if percent:
        value /= 100
    elif value >= 1:
        raise ValueError(f"{text!r} is ambiguous: write {number_text}% for {number_text} percent "
                         f"(a bare number is a fraction and must be below 1: 0.1 is 10%)")
    if not 0 <= value <= 1:
        raise ValueError(f"{text!r}: the threshold must be between 0% and 100%")
    return value
