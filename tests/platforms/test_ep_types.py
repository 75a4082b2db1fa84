"""The built-in Elastic Path types (Subscriptions: product, plan, offering, subscriber,
subscription; PXM price books: pricebook, product-price) import files written from the fact
sheets with 0 errors, count per type as Elastic Path does, and reject broken values by path at
the line where the object starts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from importdesk.engine import ImportOptions
from importdesk.models import ItemLevel, JobStatus

EP_FILES = Path(__file__).parent / "ep_files"


def run(engine, path, **options):
    options.setdefault("resource_type", "mixed")
    return engine.run_job(engine.create_job(path, ImportOptions(**options)).uid)


def errors(engine, job):
    return [(e.row_number, e.resource_type, e.field, e.value, e.code)
            for e in engine.list_items(job.uid, level=ItemLevel.ERROR)]


def by_key(engine, rtype, field="external_ref"):
    return {r[field]: r for r in engine.iter_records(rtype)}


def test_subscriptions_file_imports_with_every_type_counted(engine):
    job = run(engine, EP_FILES / "subscriptions.jsonl")
    assert (job.status, job.progress.done, job.progress.error) == (JobStatus.DONE, 9, 0), errors(engine, job)
    counts = {"subscription_offering": 1, "subscription_product": 2, "subscription_plan": 2,
              "subscription_subscriber": 2, "subscription": 2}
    assert job.type_counts.uploaded == counts and job.type_counts.imported == counts
    assert engine.count_items(job.uid, level=ItemLevel.WARNING) == 0  # every attribute is declared

    beans = by_key(engine, "subscription_product")["prod-beans"]
    assert beans["price"] == {"EUR": {"amount": 1490, "includes_tax": True},
                              "USD": {"amount": 1590, "includes_tax": False}}
    assert beans["price_units"] == {"unit": "month", "amount": 1}
    plans = by_key(engine, "subscription_plan")
    assert plans["plan-monthly"]["base_price_percentage"] == Decimal("90.5")
    assert plans["plan-yearly"]["fixed_price"] == {"EUR": {"amount": 14900, "includes_tax": True}}
    assert plans["plan-yearly"]["can_pause"] is False and plans["plan-yearly"]["trial_period"] is None
    offering = by_key(engine, "subscription_offering")["off-morning"]
    assert offering["products"][:2] == ["prod-beans", "prod-filters"]  # names, kept as names
    assert offering["products"][2]["name"] == "Welcome Card"           # a product given inline
    subscriber = by_key(engine, "subscription_subscriber", "account_id")["1f2e3d4c-5b6a-4798-8a9b-c0d1e2f3a4b5"]
    assert subscriber["email"] == "kofi@example.org"
    subs = by_key(engine, "subscription")
    assert subs["sub-0001"]["payment_authority"]["type"] == "elastic_path_payments_stripe"
    assert subs["sub-0001"]["manual_payments"] is False
    assert subs["sub-0002"]["plans"][0]["meta"] == {"selected": True}


def test_price_book_file_back_to_back_pretty_printed(engine):
    text = (EP_FILES / "pricebooks.jsonl").read_text(encoding="utf-8")
    job = run(engine, EP_FILES / "pricebooks.jsonl")
    assert (job.status, job.progress.done, job.progress.error) == (JobStatus.DONE, 5, 0), errors(engine, job)
    assert job.type_counts.imported == {"pricebook": 3, "product-price": 2}
    books = by_key(engine, "pricebook", "name")
    assert set(books) == {"EU Retail", "Wholesale", "Staff (no external ref)"}
    assert books["Staff (no external ref)"]["external_ref"] is None
    prices = {(r["pricebook_external_ref"], r["sku"]): r for r in engine.iter_records("product_price")}
    retail = prices[("pb-eu", "MUG-1")]
    assert retail["currencies"]["EUR"]["tiers"]["ten_plus"] == {"minimum_quantity": 10, "amount": 1099}
    assert retail["sales"]["winter"]["currencies"]["EUR"]["amount"] == 999
    assert retail["shopper_attributes"] == {"badge": "bestseller"}
    wholesale = prices[("pb-wholesale", "MUG-1")]
    assert wholesale["sales"]["clearance"]["schedule"]["valid_to"] is None  # a sale with no currencies
    assert wholesale["admin_attributes"] == {"margin_class": "B", "cost_centre": None}
    assert '"pricebook_external_ref": "pb-wholesale"' in text  # beside "attributes", where the type reads it


PRODUCT = {"external_ref": "p-1", "name": "Tea Box", "price": {"USD": {"amount": 1200, "includes_tax": False}},
           "price_units": {"unit": "month", "amount": 1}}
PLAN = {"external_ref": "pl-1", "name": "Monthly", "billing_interval_type": "month", "billing_frequency": 1,
        "plan_length": 12, "end_behavior": "roll", "can_pause": True, "can_resume": True, "can_cancel": True}
PRICE = {"sku": "MUG-1", "currencies": {"EUR": {"amount": 1299, "tiers": {"ten": {"minimum_quantity": 10,
                                                                                   "amount": 1099}}}}}


def line(kind, attributes, **data):
    return json.dumps({"data": {"type": kind, **data, "attributes": attributes}}, indent=2)


def patched(base, path, value):
    out = json.loads(json.dumps(base))
    *parents, last = path
    node = out
    for p in parents:
        node = node[p]
    node[last] = value
    return out


BROKEN = [  # (type, attributes, envelope members, field path, value, code)
    ("subscription_product", patched(PRODUCT, ["price", "usd"], {"amount": 1200}), {},
     "price.usd", "usd", "invalid_key"),
    ("subscription_product", patched(PRODUCT, ["price", "USD", "amount"], -100), {},
     "price.USD.amount", "-100", "too_small"),
    ("subscription_product", patched(PRODUCT, ["price", "USD", "amount"], 12.5), {},
     "price.USD.amount", "12.5", "not_an_integer"),
    ("subscription_product", patched(PRODUCT, ["price_units", "unit"], "week"), {},
     "price_units.unit", "week", "not_a_choice"),
    ("subscription_plan", patched(PLAN, ["end_behavior"], "renew"), {}, "end_behavior", "renew", "not_a_choice"),
    ("subscription_plan", patched(PLAN, ["fixed_price"], {"EURO": {"amount": 5}}), {},
     "fixed_price.EURO", "EURO", "invalid_key"),
    ("subscription_plan", patched(PLAN, ["base_price_percentage"], 120), {},
     "base_price_percentage", "120", "too_large"),
    ("subscription_subscriber", {"account_id": "acc-1", "name": "Ada", "email": "ada@example.com"}, {},
     "account_id", "acc-1", "pattern_mismatch"),
    ("subscription", {"external_ref": "s-1", "account_id": "8d6c1f3e-2b4a-4c1e-9a7f-0b1e2d3c4f5a",
                      "currency": "EUR", "name": "Ada Brewer", "email": "ada@example.com",
                      "payment_authority": {"type": "paypal"}}, {},
     "payment_authority.type", "paypal", "not_a_choice"),
    ("product-price", patched(PRICE, ["currencies", "eur"], {"amount": 5}), {"pricebook_external_ref": "pb-1"},
     "currencies.eur", "eur", "invalid_key"),
    ("product-price", patched(PRICE, ["currencies", "EUR", "tiers", "ten", "amount"], -1),
     {"pricebook_external_ref": "pb-1"}, "currencies.EUR.tiers.ten.amount", "-1", "too_small"),
    ("product-price", patched(PRICE, ["currencies", "EUR", "tiers", "ten", "minimum_quantity"], 0),
     {"pricebook_external_ref": "pb-1"}, "currencies.EUR.tiers.ten.minimum_quantity", "0", "too_small"),
    ("product-price", PRICE, {}, "pricebook_external_ref", None, "required"),
]


@pytest.mark.parametrize(("kind", "attributes", "data", "path", "value", "code"), BROKEN,
                         ids=[f"{b[0]}:{b[3]}:{b[5]}" for b in BROKEN])
def test_broken_values_are_named_by_path_at_the_objects_first_line(engine, tmp_path, kind, attributes, data,
                                                                    path, value, code):
    good = [line("subscription_product", PRODUCT), line("subscription_plan", PLAN),
            line("pricebook", {"name": "EU", "external_ref": "pb-1"})]
    text = "\n".join([*good, line(kind, attributes, **data)]) + "\n"
    file = tmp_path / "broken.jsonl"
    file.write_text(text, encoding="utf-8")
    job = run(engine, file, skip_errors=True)
    assert (job.status, job.progress.done, job.progress.error) == (JobStatus.DONE, 3, 1)
    starts_at = sum(g.count("\n") + 1 for g in good) + 1
    [(row, rtype, field, got, got_code)] = errors(engine, job)
    assert (row, field, got, got_code) == (starts_at, path, value, code)
    assert rtype == kind
    in_good = {"subscription_product", "subscription_plan", "pricebook"}
    assert job.type_counts.uploaded[kind] == 1 + (kind in in_good)
    assert job.type_counts.imported.get(kind, 0) == (kind in in_good)
