"""A rejected nested value is corrected by the path its error names, and the retry imports the row
whole: the members of the envelope beside the attributes (a price's price book) come back with it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from importdesk.engine import ImportOptions
from importdesk.engine.row_corrections import apply_correction, path_steps
from importdesk.models import ItemLevel, JobStatus


def price_file(tmp_path, amount, *, currency="EUR"):
    objects = [
        {"data": {"type": "pricebook", "attributes": {"external_ref": "pb-eu", "name": "EU Retail"}}},
        {"data": {"type": "product-price", "pricebook_external_ref": "pb-eu",
                  "attributes": {"sku": "MUG-1", "external_ref": "pb-eu-MUG-1",
                                 "currencies": {currency: {"amount": amount, "includes_tax": True}}}}},
    ]
    path = tmp_path / "prices.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return path


def run(engine, path):
    return engine.run_job(engine.create_job(path, ImportOptions(resource_type="mixed", skip_errors=True)).uid)


def error_fields(engine, job):
    return [(e.row_number, e.field, e.code) for e in engine.list_items(job.uid, level=ItemLevel.ERROR)]


def the_price(engine):
    [record] = list(engine.iter_records("product_price"))
    return record


def test_a_nested_amount_corrected_by_its_path_imports_on_retry_with_its_price_book(engine, tmp_path):
    first = run(engine, price_file(tmp_path, -5))
    assert [(r, f) for r, f, _c in error_fields(engine, first)] == [(2, "currencies.EUR.amount")]
    engine.edit_failed_value(first.uid, 2, "currencies.EUR.amount", "1299")
    retry = engine.run_job(engine.retry_failed(first.uid).uid)
    assert (retry.status, retry.progress.done, retry.progress.error) == (JobStatus.DONE, 1, 0), \
        error_fields(engine, retry)
    price = the_price(engine)
    assert price["pricebook_external_ref"] == "pb-eu"
    assert price["currencies"]["EUR"] == {"amount": 1299, "includes_tax": True}


def test_a_retry_without_corrections_still_reads_the_envelope(engine, tmp_path):
    first = run(engine, price_file(tmp_path, 100, currency="euro"))  # a bad currency key
    assert [f for _r, f, _c in error_fields(engine, first)] == ["currencies.euro"]
    retry = engine.run_job(engine.retry_failed(first.uid).uid)
    # the same error again, and not "pricebook_external_ref: is required"
    assert [f for _r, f, _c in error_fields(engine, retry)] == ["currencies.euro"]


def test_correcting_a_field_read_from_the_envelope_puts_it_back_there(engine, tmp_path):
    path = tmp_path / "prices.jsonl"
    path.write_text(json.dumps({"data": {"type": "product-price", "pricebook_external_ref": "pb-nowhere",
                                         "attributes": {"sku": "MUG-1", "external_ref": "p-1",
                                                        "currencies": {"EUR": {"amount": 5}}}}}) + "\n"
                    + json.dumps({"data": {"type": "pricebook",
                                           "attributes": {"external_ref": "pb-eu", "name": "EU"}}}) + "\n",
                    encoding="utf-8")
    first = run(engine, path)
    assert [f for _r, f, _c in error_fields(engine, first)] == ["pricebook_external_ref"]
    engine.edit_failed_value(first.uid, 1, "pricebook_external_ref", "pb-eu")
    retry = engine.run_job(engine.retry_failed(first.uid).uid)
    assert (retry.progress.done, retry.progress.error) == (1, 0), error_fields(engine, retry)
    assert the_price(engine)["pricebook_external_ref"] == "pb-eu"


@pytest.mark.parametrize(("path", "steps"), [
    ("price", ["price"]),
    ("currencies.EUR.amount", ["currencies", "EUR", "amount"]),
    ("products[1]", ["products", 1]),
    ("tiers[0].amount", ["tiers", 0, "amount"]),
])
def test_a_path_reads_as_the_errors_write_it(path, steps):
    assert path_steps(path) == steps


def test_a_correction_keeps_the_json_type_of_what_it_replaces():
    row = {"Price": "-5.00", "qty": -1, "info": {"tags": ["a", "b"]}}
    outer: dict = {}
    header_of = {"price": "Price"}
    apply_correction(row, outer, "price", "5.00", header_of=header_of, sources={})
    apply_correction(row, outer, "qty", "3", header_of=header_of, sources={})
    apply_correction(row, outer, "info.tags[1]", "c", header_of=header_of, sources={})
    apply_correction(row, outer, "info.size.width", "12.50", header_of=header_of, sources={})
    apply_correction(row, outer, "ref", "pb-1", header_of=header_of, sources={"ref": ("data", "book")})
    assert row == {"Price": "5.00", "qty": 3, "info": {"tags": ["a", "c"], "size": {"width": "12.50"}}}
    assert outer == {"book": "pb-1"}
    exact = {"amount": 1}
    apply_correction(exact, outer, "amount", "12345678901234567.89", header_of={}, sources={})
    assert exact["amount"] == Decimal("12345678901234567.89")
