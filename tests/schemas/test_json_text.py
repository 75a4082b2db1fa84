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
