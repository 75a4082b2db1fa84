"""The records a person filters and sorts (``importdesk records``, the app's records view) come out
the same on both stores: any-case contains, != keeping records without a value, empty and not
empty on text and number fields, decimals sorted as numbers with empty values first ascending,
and every record when no limit is given."""

from __future__ import annotations

from decimal import Decimal

import pytest

from importdesk.engine import ImportOptions

HEADER = "sku,name,description,category,price,currency,weight_kg,active,ean,launched_on,attributes"
ROWS = [  # sku, name, description, price, weight
    ("A-1", "Desk Lamp", "bright", "4971.75", "2.5"),
    ("A-2", "Standing DESK", "", "99.97", ""),
    ("A-3", "Chair", "soft", "1000.10", "10"),
    ("A-4", "Mug", "", "7", ""),
    ("A-5", "Ünïcode desk", "x", "12345678901234567.89", "1"),
]


@pytest.fixture
def products(engine, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "\n" + "".join(f"{sku},{name},{desc},office,{price},EUR,{weight},true,,,\n"
                                            for sku, name, desc, price, weight in ROWS), encoding="utf-8")
    job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="products")).uid)
    assert job.progress.done == len(ROWS)
    return engine.records


def skus(browser, where=(), order=(), **page):
    return [r["sku"] for r in browser.iter(browser.query("products", where=where, order=order), **page)]


@pytest.mark.parametrize(("where", "expected"), [
    (["name~desk"], ["A-1", "A-2", "A-5"]),
    (["name~DESK"], ["A-1", "A-2", "A-5"]),
    (["description!=soft"], ["A-1", "A-2", "A-4", "A-5"]),  # the empty ones too
    (["description="], ["A-2", "A-4"]),
    (["description!="], ["A-1", "A-3", "A-5"]),
    (["weight_kg="], ["A-2", "A-4"]),
    (["weight_kg!="], ["A-1", "A-3", "A-5"]),
    (["weight_kg!=1"], ["A-1", "A-2", "A-3", "A-4"]),
    (["price>=1000"], ["A-1", "A-3", "A-5"]),
    (["price~.9"], ["A-2"]),
    (["price~4567.89"], ["A-5"]),  # the exact text, not its float
])
def test_filters_match_on_both_stores(products, where, expected):
    assert skus(products, where) == expected


def test_decimals_sort_as_numbers_with_empty_values_first(products):
    assert skus(products, order=["price"]) == ["A-4", "A-2", "A-3", "A-1", "A-5"]
    assert skus(products, order=["-price"]) == ["A-5", "A-1", "A-3", "A-2", "A-4"]
    assert skus(products, order=["weight_kg"]) == ["A-2", "A-4", "A-5", "A-1", "A-3"]
    assert skus(products, order=["-weight_kg"]) == ["A-3", "A-1", "A-5", "A-2", "A-4"]


def test_no_limit_means_every_record_and_an_offset_skips(products):
    assert skus(products) == [sku for sku, *_ in ROWS]
    assert skus(products, offset=3) == ["A-4", "A-5"]
    [exact] = [r["price"] for r in products.iter(products.query("products", where=["sku=A-5"]))]
    assert exact == Decimal("12345678901234567.89")
