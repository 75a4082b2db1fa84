"""The speed paths must not change results: memoised conversions, blank branch, to_raw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from importdesk.schemas import Registry, RowInvalid
from importdesk.schemas.coerce import cached


@pytest.fixture(scope="module")
def reg():
    return Registry.load(None)


def test_memoised_values_stay_right_and_errors_are_not_memoised(reg):
    v = reg.get("products").validator("de")
    for _ in range(3):
        clean = v.validate({"sku": "A", "name": "n", "price": "1.234,50", "launched_on": "31.12.2026",
                            "active": "nein"})
        assert clean["price"] == Decimal("1234.5") and clean["launched_on"] == dt.date(2026, 12, 31)
        assert clean["active"] is False
        with pytest.raises(RowInvalid) as info:
            v.validate({"sku": "A", "name": "n", "price": "-1,00", "launched_on": "31.02.2026"})
        assert [e.code for e in info.value.errors] == ["too_small", "invalid_date"]


def test_cached_wrapper_bounds_its_size():
    calls = []

    def conv(v):
        calls.append(v)
        return str(v).upper()

    c = cached(conv, size=4)
    for i in range(10):
        assert c(f"v{i}") == f"V{i}"
    assert c("v9") == "V9" and calls.count("v9") == 1  # memoised
    assert c("v0") == "V0" and calls.count("v0") == 2  # forgotten: the memo was emptied at 4
    c(5)
    c(5)
    assert calls.count(5) == 2  # only text is memoised


def test_a_memo_that_gives_up_stops_where_values_do_not_recur():
    calls = []

    def conv(v):
        calls.append(v)
        return v.upper()

    recurring = cached(conv, size=4, give_up=True)
    for v in ("a", "b", "c", "a", "b", "c", "a", "b", "d", "e"):  # full at "e", after 5 hits
        assert recurring(v) == v.upper()
    assert recurring("e") == "E" and calls.count("e") == 1  # hits as many as entries: it goes on
    rare = cached(conv, size=4, give_up=True)
    for i in range(5):
        assert rare(f"u{i}") == f"U{i}"  # 4 kept and no hit: from the fifth on it stops
    assert rare("u4") == "U4" and rare("u4") == "U4" and calls.count("u4") == 3
    keeps = cached(conv, size=4)  # without give_up it never stops
    for i in range(5):
        keeps(f"k{i}")
    assert keeps("k4") == "K4" and calls.count("k4") == 1


def test_blank_branch_gives_each_default(reg):
    stock = reg.get("stock_items")
    for loc in ("en", "de"):
        for blank in ("", "  ", None):
            clean = stock.validator(loc).validate({"stock_location": "L", "sku": "A", "quantity": "1",
                                                   "reserved": blank, "bin": blank})
            assert clean["reserved"] == 0 and clean["bin"] is None


def test_parent_validators_share_memo_caches(reg):
    rt = reg.get("prices")
    a, b = rt.validator("de", parent="A"), rt.validator("de", parent="B")
    assert a is not b
    assert a.validate({"sku": "s", "amount": "1,50", "currency": "EUR"})["price_list"] == "A"
    assert b.validate({"sku": "s", "amount": "1,50", "currency": "EUR"})["price_list"] == "B"
    shared = [k for k in rt._converters if k[0] == "amount" and k[1] == "de"]
    assert len(shared) == 1


def test_to_raw_fast_and_fallback_paths(reg):
    m = reg.get("products").map_headers(["sku", "x", "price"])
    assert m.to_raw(["A", "junk", "1"]) == {"sku": "A", "price": "1"}
    assert m.to_raw(("A", "junk", "1")) == {"sku": "A", "price": "1"}
    assert m.to_raw(["A"]) == {"sku": "A"}
    assert m.to_raw({"sku": "A", "price": 2}) == {"sku": "A", "price": 2}


def test_same_results_for_fast_and_python_branches(reg):
    """Values the fast (pydantic-core) branch takes and values only Python takes agree."""
    v = reg.get("customers").validator("en")
    base = {"email": "a@b.de", "first_name": "A", "last_name": "B"}
    fast = v.validate(dict(base, signed_up_at="2026-01-02T03:04:00", customer_group="vip"))
    slow = v.validate(dict(base, signed_up_at="02/01/2026 03:04", customer_group=" VIP "))
    assert fast == slow
    assert v.validate(dict(base, email="A@B.DE"))["email"] == "A@b.de"
