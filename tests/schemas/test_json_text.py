"""json_text (the stored form of JSON-valued fields) writes what json.dumps writes, compact, with
non-ASCII kept and Decimals as exact numbers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from importdesk.schemas.dbvalues import json_text

VALUES = [
    {"color": "red", "size": "M"}, [], {}, "plain", "é\u2028\x01\"\\/\t\n", 0, -7, 2**80, True, None,
    {"nested": [{"a": [1, [2, {"b": None}]]}], "ünï": "ç"}, 1.5, -0.0, 1e300,
    {"d": dt.date(2026, 12, 2), "t": dt.datetime(2026, 12, 2, 3, 4, 5)},
]


@pytest.mark.parametrize("value", VALUES)
def test_json_text_is_compact_json_dumps(value):
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                          default=lambda v: v.isoformat())
    assert json_text(value) == expected


def test_decimals_are_exact_numbers_and_nan_is_refused():
    assert json_text({"p": Decimal("12345678901234567.89"), "q": [Decimal("1.10"), Decimal("1E+2")]}) == (
        '{"p":12345678901234567.89,"q":[1.10,1E+2]}')
    assert json.loads(json_text([Decimal("-0.50")]), parse_float=Decimal) == [Decimal("-0.50")]
    with pytest.raises(ValueError, match="not JSON compliant"):
        json_text({"x": float("nan")})


def _every_kind_of_character() -> list[str]:
    """Each control character, the JSON specials, the line separators, non-ASCII of every width."""
    return [chr(cp) for cp in (*range(0x20), 0x22, 0x2F, 0x5C, 0x7F, 0x80, 0xA0, 0xE9, 0x2028, 0x2029,
                               0xFEFF, 0xFFFF, 0x1F600, 0x10FFFF)]


def test_an_object_of_text_is_written_as_json_dumps_writes_it_whatever_its_characters():
    """The common value (a line's flat "attributes") takes a faster encoder: the same text for
    every character in keys and values, a lone surrogate (bytes that were not UTF-8) included."""
    for ch in [*_every_kind_of_character(), "\udc80"]:
        value = {f"k{ch}": f"a{ch}b", "plain": ch}
        expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        assert json_text(value) == expected, repr(ch)


def test_an_object_with_other_keys_or_values_is_written_as_before():
    assert json_text({1: "a", "b": "c"}) == '{"1":"a","b":"c"}'
    assert json_text({"a": "x", "n": 1, "d": Decimal("1.50")}) == '{"a":"x","n":1,"d":1.50}'
    assert json_text({"a": "x", "sub": {"b": "y"}}) == '{"a":"x","sub":{"b":"y"}}'
