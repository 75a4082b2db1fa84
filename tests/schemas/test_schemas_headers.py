"""Header mapping and header scores."""

from __future__ import annotations

import pytest

from importdesk.schemas import Registry, normalize_header


@pytest.fixture(scope="module")
def reg():
    return Registry.load(None)


@pytest.mark.parametrize("header", ["unit_price", "Unit Price", "unit-price", "UNIT PRICE", " unitprice ",
                                    "Unit_Price"])
def test_header_variants_match_the_same_alias(reg, header):
    m = reg.get("products").map_headers([header])
    assert m.columns == ["price"]
    assert m.unknown == []


def test_normalize_header():
    assert normalize_header("Unit Price") == normalize_header("unit_price") == normalize_header("unit-price")
    assert normalize_header("\ufeffSKU") == "sku"
    assert normalize_header("Gültig ab") == "gültigab"


def test_names_and_aliases_map_in_column_order(reg):
    rt = reg.get("products")
    m = rt.map_headers(["Artikelnummer", "Bezeichnung", "Preis", "Währung", "colour", "weight"])
    assert m.columns == ["sku", "name", "price", "currency", None, "weight_kg"]
    assert m.unknown == ["colour"]
    assert m.missing_required == []
    assert m.duplicates == []
    assert m.ok
    assert m.fields == ["sku", "name", "price", "currency", "weight_kg"]


def test_missing_required_fields(reg):
    m = reg.get("products").map_headers(["name", "category"])
    assert m.missing_required == ["sku", "price"]  # currency/active have defaults: not listed
    assert not m.ok


def test_second_column_for_a_field_is_unknown_and_a_duplicate(reg):
    m = reg.get("products").map_headers(["sku", "SKU code", "name", "price", "Preis"])
    assert m.columns == ["sku", None, "name", "price", None]
    assert m.unknown == ["SKU code", "Preis"]
    assert m.duplicates == ["SKU code", "Preis"]


def test_parent_field_is_not_reported_missing(reg):
    m = reg.get("prices").map_headers(["sku", "Betrag", "Währung", "gültig ab"])
    assert m.columns == ["sku", "amount", "currency", "valid_from"]
    assert m.missing_required == []
    m = reg.get("stock_items").map_headers(["sku"])
    assert m.missing_required == ["quantity"]


def test_to_raw_builds_the_validator_input(reg):
    rt = reg.get("products")
    m = rt.map_headers(["SKU code", "junk", "name", "price"])
    assert m.to_raw(["A1", "x", "Widget", "9.99"]) == {"sku": "A1", "name": "Widget", "price": "9.99"}
    assert m.to_raw(["A1", "x"]) == {"sku": "A1"}  # short row
    assert m.to_raw({"SKU code": "A1", "name": "W"}) == {"sku": "A1", "name": "W", "price": None}
    assert rt.validator("en").validate(m.to_raw(["A1", "x", "Widget", "9.99"]))["price"] == rt.from_db(
        rt.to_db(rt.validator("en").validate({"sku": "A1", "name": "Widget", "price": "9.99"}))
    )["price"]


def test_score_picks_products_for_product_like_headers(reg):
    headers = ["SKU code", "Name", "Unit Price", "Currency", "Weight", "Category"]
    scores = {name: reg.get(name).score_headers(headers) for name in reg.names()}
    assert max(scores, key=scores.get) == "products"
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    assert scores["products"] > 0.8
    assert scores["customers"] < 0.5


def test_score_picks_the_right_type_for_other_files(reg):
    def best(headers):
        scores = {name: reg.get(name).score_headers(headers) for name in reg.names()}
        return max(scores, key=scores.get)

    assert best(["E-Mail", "First Name", "Last Name", "City", "Country"]) == "customers"
    assert best(["sku", "quantity", "bin"]) == "stock_items"
    assert best(["price_list", "sku", "amount", "currency"]) == "prices"
    assert best(["external_ref", "name", "billing_interval_type", "billing_frequency"]) == "subscription_plan"


def test_score_edge_cases(reg):
    rt = reg.get("products")
    assert rt.score_headers([]) == 0.0
    assert rt.score_headers(["", "  "]) == 0.0
    assert rt.score_headers(["foo", "bar"]) == 0.0
    assert rt.score_headers(list(rt.columns)) == 1.0
