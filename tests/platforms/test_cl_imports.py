"""Commerce Layer imports: the items of an import's ``inputs`` (a JSON array of flat objects, or its
CSV) for skus, prices, stock items, customers and addresses, upserted on their documented keys,
with the parent (price list, stock location) from ``parent_resource_id`` where an item names none."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from importdesk.engine import ImportOptions
from importdesk.models import ItemLevel, JobStatus
from importdesk.schemas import EXTRA

FIXTURES = Path(__file__).parent / "fixtures"
PARENTS = {"prices": "PlEuro0001", "stock_items": "SlMilan001"}
COUNTS = {"skus": (3, 2), "prices": (3, 2), "stock_items": (3, 2), "customers": (2, 2), "addresses": (2, 2)}


def run(engine, path, rtype, **options):
    return engine.run_job(engine.create_job(path, ImportOptions(resource_type=rtype, **options)).uid)


def records(engine, kind):
    return list(engine.iter_records(f"commercelayer_{kind}"))


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("kind", list(COUNTS))
def test_every_fixture_imports_with_no_errors(engine, kind, fmt):
    job = run(engine, FIXTURES / f"cl_{kind}.{fmt}", f"commercelayer_{kind}",
              parent_resource_id=PARENTS.get(kind))
    assert job.status is JobStatus.DONE, job.error_message
    assert engine.list_items(job.uid, level=ItemLevel.ERROR) == []
    n = COUNTS[kind][0 if fmt == "json" else 1]
    assert (job.progress.total, job.progress.done, job.progress.error) == (n, n, 0)
    assert len(records(engine, kind)) == n


def test_prices_take_the_parent_unless_the_item_names_its_price_list(engine):
    job = run(engine, FIXTURES / "cl_prices.json", "commercelayer_prices", parent_resource_id="PlEuro0001")
    assert job.summary.create == 3
    got = {(r["sku_code"], r["price_list_id"]): r for r in records(engine, "prices")}
    assert set(got) == {("TEE-BLK-XL", "PlEuro0001"), ("MUGSTONE000", "PlEuro0001"), ("MUGSTONE000", "vLrWQSwZjE")}
    mug = got[("MUGSTONE000", "PlEuro0001")]
    assert mug["amount_cents"] == 1250
    assert mug["price_tiers"] == [
        {"type": "PriceVolumeTier", "name": "six or more", "up_to": Decimal("12"), "price_amount_cents": 1100},
        {"type": "PriceVolumeTier", "name": "a dozen or more", "up_to": None, "price_amount_cents": 990}]


def test_csv_dotted_headers_make_a_tier(engine):
    run(engine, FIXTURES / "cl_prices.csv", "commercelayer_prices", parent_resource_id="PlEuro0001")
    got = {r["sku_code"]: r for r in records(engine, "prices")}
    assert got["MUGSTONE000"]["price_tiers"] == [
        {"type": "PriceVolumeTier", "name": "six or more", "up_to": Decimal("12"), "price_amount_cents": 1100}]
    assert got["TEE-BLK-XL"]["price_tiers"] is None


def test_upserts_on_the_documented_keys(engine, tmp_path):
    run(engine, FIXTURES / "cl_stock_items.json", "commercelayer_stock_items", parent_resource_id="SlMilan001")
    again = tmp_path / "recount.json"
    again.write_text(json.dumps([{"sku_code": "MUGSTONE000", "quantity": 7},
                                 {"sku_code": "MUGSTONE000", "stock_location_id": "WkbRfDVmQx", "quantity": 12},
                                 {"sku_code": "NEW-SKU", "quantity": 1}]), encoding="utf-8")
    job = run(engine, again, "commercelayer_stock_items", parent_resource_id="SlMilan001")
    assert (job.summary.create, job.summary.update, job.summary.unchanged) == (1, 1, 1)
    got = {(r["sku_code"], r["stock_location_id"]): r["quantity"] for r in records(engine, "stock_items")}
    assert got[("MUGSTONE000", "SlMilan001")] == 7 and len(got) == 4


def test_customers_are_keyed_by_email_and_keep_undeclared_attributes(engine):
    run(engine, FIXTURES / "cl_customers.json", "commercelayer_customers")
    got = {r["email"]: r for r in records(engine, "customers")}
    assert set(got) == {"giulia.rossi@example.com", "Mark.Doe@example.com"}
    skus = run(engine, FIXTURES / "cl_skus.json", "commercelayer_skus")
    tee = next(r for r in records(engine, "skus") if r["code"] == "TEE-BLK-XL")
    assert tee[EXTRA] == {"tags": [{"name": "summer"}]} and tee["weight"] == Decimal("180.5")
    assert [w.field for w in engine.list_items(skus.uid, code="undeclared_attribute")] == ["tags"]


BROKEN = [
    # (type, items, parent, (row, field, code), words in the message)
    ("prices", [{"sku_code": "A", "amount_cents": -100}], "PlEuro0001", (1, "amount_cents", None), "cents"),
    ("prices", [{"sku_code": "A", "amount_cents": 5, "price_tiers": [
        {"name": "t", "price_amount_cents": 4}, {"name": "u", "price_amount_cents": -5}]}], "PlEuro0001",
     (1, "price_tiers[1].price_amount_cents", None), "cents"),
    ("prices", [{"sku_code": "A", "amount_cents": 100}], None, (1, "price_list_id", "required"), ""),
    ("prices", [{"sku_code": "A", "amount_cents": 100, "currency_code": "eur"}], "PlEuro0001",
     (1, "currency_code", None), "currency"),
    ("skus", [{"code": "A", "name": "a", "unit_of_weight": "kg"}], None, (1, "unit_of_weight", "not_a_choice"), "gr"),
    ("stock_items", [{"sku_code": "A", "quantity": 3}], None, (1, "stock_location_id", "required"), ""),
    ("addresses", [{"line_1": "x", "city": "y", "country_code": "ITA", "phone": "1"}], None,
     (1, "country_code", None), "2-letter"),
]


@pytest.mark.parametrize(("kind", "items", "parent", "where", "words"), BROKEN)
def test_broken_items_name_row_and_path(engine, tmp_path, kind, items, parent, where, words):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    job = run(engine, path, f"commercelayer_{kind}", parent_resource_id=parent, skip_errors=True)
    assert job.status is JobStatus.DONE and job.progress.error == 1
    [err] = engine.list_items(job.uid, level=ItemLevel.ERROR)
    row, field, code = where
    assert (err.row_number, err.field) == (row, field)
    assert code is None or err.code == code
    assert words in err.message


def test_a_broken_csv_cell_names_row_and_column(engine, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("sku_code,amount_cents,price_tiers.name,price_tiers.price_amount_cents\n"
                    "A,100,,\nB,100,bulk,-3\n", encoding="utf-8")
    job = run(engine, path, "commercelayer_prices", parent_resource_id="PlEuro0001", skip_errors=True)
    [err] = engine.list_items(job.uid, level=ItemLevel.ERROR)
    assert (err.row_number, err.field) == (3, "price_tiers[0].price_amount_cents")
    assert "column 'price_tiers.price_amount_cents'" in err.message
