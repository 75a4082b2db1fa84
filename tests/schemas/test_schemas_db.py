"""to_db / from_db / key_of / sql_types."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest

from importdesk.schemas import Registry, load_text
from importdesk.schemas.dbvalues import decimal_to_db


@pytest.fixture(scope="module")
def reg():
    return Registry.load(None)


PRODUCT = {
    "sku": "AB-1",
    "name": "Widget",
    "description": "",
    "category": "tools",
    "price": "19.99",
    "currency": "",
    "weight_kg": "1.5",
    "active": "no",
    "ean": "4006381333931",
    "launched_on": "2026-01-02",
    "attributes": '{"colour": "rot", "sizes": [1, 2]}',
}


def test_to_db_values_in_column_order(reg):
    rt = reg.get("products")
    row = rt.to_db(rt.validator("en").validate(PRODUCT))
    assert row == (
        "AB-1",
        "Widget",
        None,
        "tools",
        "19.99",
        "EUR",
        1.5,
        0,
        "4006381333931",
        "2026-01-02",
        '{"colour":"rot","sizes":[1,2]}',
        None,
    )
    assert len(row) == len(rt.stored_columns)


def test_round_trip_through_sqlite(reg, tmp_path):
    rt = reg.get("products")
    clean = rt.validator("en").validate(PRODUCT)
    db = sqlite3.connect(tmp_path / "t.db")
    cols = ", ".join(f"{c} {t}" for c, t in rt.sql_types().items())
    db.execute(f"CREATE TABLE products ({cols})")
    db.execute(f"INSERT INTO products VALUES ({', '.join('?' * len(rt.stored_columns))})", rt.to_db(clean))
    stored = db.execute("SELECT * FROM products").fetchone()
    back = rt.from_db(stored)
    assert back == clean
    assert back["price"] == Decimal("19.99") and str(back["price"]) == "19.99"
    assert back["active"] is False
    assert back["launched_on"] == dt.date(2026, 1, 2)
    assert back["attributes"] == {"colour": "rot", "sizes": [1, 2]}
    assert db.execute("SELECT typeof(price), typeof(active), typeof(weight_kg) FROM products").fetchone() == (
        "text",
        "integer",
        "real",
    )


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("19.99", "19.99"),
        ("12.50", "12.5"),
        ("100", "100"),
        ("1e2", "100"),
        ("0.000", "0"),
        ("-0", "0"),
        ("0.00000001", "0.00000001"),
        ("1234567890123456789012345678901234.5", "1234567890123456789012345678901234.5"),
        (0.1, "0.1"),
        (19.99, "19.99"),
    ],
)
def test_decimals_are_stored_exactly(raw, stored):
    rt = load_text('[resource]\nname="t"\nkey=["k"]\n[fields.k]\ntype="string"\n[fields.d]\ntype="decimal"\n')
    clean = rt.validator("en").validate({"k": "x", "d": raw})
    assert rt.to_db(clean)[1] == stored
    assert rt.from_db(rt.to_db(clean)) == clean


@pytest.mark.parametrize(
    "d, text",
    [
        (Decimal("12.50"), "12.5"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("-0.00"), "0"),
        (Decimal("10"), "10"),
        (Decimal("100.00"), "100"),
        (Decimal("-0"), "0"),
        (Decimal("-1.50"), "-1.5"),
        (Decimal("0.000"), "0"),
        (Decimal("-10.0"), "-10"),
        (None, None),
    ],
)
def test_decimal_to_db(d, text):
    assert decimal_to_db(d) == text
    rt = load_text('[resource]\nname="t"\nkey=["k"]\n[fields.k]\ntype="string"\n[fields.d]\ntype="decimal"\n')
    assert rt.to_db({"k": "x", "d": d}) == ("x", text, None)  # the inlined version agrees


def test_to_db_accepts_unnormalised_decimals(reg):
    rt = reg.get("prices")
    clean = {
        "price_list": "P",
        "sku": "S",
        "amount": Decimal("12.50"),
        "currency": "EUR",
        "compare_at_amount": Decimal("1E+2"),
        "valid_from": None,
        "valid_to": None,
    }
    assert rt.to_db(clean)[2:5] == ("12.5", "EUR", "100")


def test_all_types_round_trip():
    rt = load_text("""
[resource]
name = "t"
key = ["k"]
[fields.k]
type = "string"
[fields.i]
type = "integer"
[fields.f]
type = "float"
[fields.b]
type = "boolean"
[fields.d]
type = "date"
[fields.dt]
type = "datetime"
[fields.e]
type = "email"
[fields.en]
type = "enum"
choices = ["a", "b"]
[fields.j]
type = "json"
""")
    clean = rt.validator("en").validate(
        {
            "k": "x",
            "i": "42",
            "f": "2.5",
            "b": "yes",
            "d": "2026-03-04",
            "dt": "2026-03-04T05:06:07+01:00",
            "e": "a@b.de",
            "en": "B",
            "j": '{"ä": 1}',
        }
    )
    row = rt.to_db(clean)
    assert row == ("x", 42, 2.5, 1, "2026-03-04", "2026-03-04T05:06:07+01:00", "a@b.de", "b", '{"ä":1}', None)
    assert rt.from_db(row) == clean
    empty = rt.validator("en").validate({"k": "y"})
    assert rt.to_db(empty) == ("y",) + (None,) * 9
    assert rt.from_db(rt.to_db(empty)) == empty
    assert rt.sql_types() == {
        "k": "TEXT",
        "i": "INTEGER",
        "f": "REAL",
        "b": "INTEGER",
        "d": "TEXT",
        "dt": "TEXT",
        "e": "TEXT",
        "en": "TEXT",
        "j": "TEXT",
        "_extra": "TEXT",
    }


def test_key_of_single_and_composite(reg):
    products = reg.get("products")
    assert products.key_of(products.validator("en").validate(PRODUCT)) == "AB-1"
    prices = reg.get("prices")
    clean = prices.validator("de").validate({"price_list": "B2B", "sku": "AB-1", "amount": "9,99", "currency": "EUR"})
    assert prices.key_of(clean) == "B2B\x1fAB-1"
    stock = reg.get("stock_items")
    clean = stock.validator("en").validate({"stock_location": "WH1", "sku": "X", "quantity": "5"})
    assert stock.key_of(clean) == "WH1\x1fX"


def test_key_of_uses_db_values():
    rt = load_text(
        '[resource]\nname="t"\nkey=["d", "n", "p"]\n[fields.d]\ntype="date"\n'
        '[fields.n]\ntype="integer"\n[fields.p]\ntype="decimal"\n'
    )
    clean = rt.validator("de").validate({"d": "31.12.2026", "n": "7", "p": "1,50"})
    assert rt.key_of(clean) == "2026-12-31\x1f7\x1f1.5"


def test_to_db_of_clean_values_from_every_path(reg):
    """Fast (pydantic-core) and Python branches give values to_db stores the same way."""
    rt = reg.get("products")
    en, de = rt.validator("en"), rt.validator("de")
    a = rt.to_db(
        en.validate({"sku": "A", "name": "n", "price": "1234.50", "launched_on": "2026-01-02", "active": "yes"})
    )
    b = rt.to_db(
        en.validate({"sku": "A", "name": "n", "price": "1,234.5", "launched_on": "02/01/2026", "active": " YES "})
    )
    c = rt.to_db(
        de.validate({"sku": "A", "name": "n", "price": "1.234,50", "launched_on": "02.01.2026", "active": "ja"})
    )
    d = rt.to_db(
        de.validate({"sku": "A", "name": "n", "price": 1234.5, "launched_on": dt.datetime(2026, 1, 2), "active": True})
    )
    assert a == b == c == d
    assert a[4] == "1234.5" and a[7] == 1 and a[9] == "2026-01-02"
