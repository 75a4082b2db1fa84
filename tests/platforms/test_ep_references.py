"""References: a field naming a record of another type (an offering's products and plans, a
subscription's offering, a price's price book) resolves against the same file in any order and
against the store; an unresolved name is a row error naming the reference, and the counters
stay exact (the row is rejected whole, nothing of it is written)."""

from __future__ import annotations

import json

import pytest

from importdesk.engine import ImportOptions
from importdesk.models import ItemLevel, JobStatus, JobType
from importdesk.schemas import Registry

ACCOUNT = "8d6c1f3e-2b4a-4c1e-9a7f-0b1e2d3c4f5a"
EP_PRODUCT_ID = "0b5c7a2e-1d3f-4e6a-8b9c-0d1e2f3a4b5c"


def product(ref, amount=1200):
    return ("subscription_product", {"external_ref": ref, "name": f"Product {ref}",
                                     "price": {"USD": {"amount": amount}}})


def plan(ref):
    return ("subscription_plan", {"external_ref": ref, "name": f"Plan {ref}", "billing_interval_type": "month",
                                  "billing_frequency": 1, "plan_length": 12, "end_behavior": "roll",
                                  "can_pause": True, "can_resume": True, "can_cancel": True})


def offering(ref, products, plans):
    return ("subscription_offering", {"external_ref": ref, "name": f"Offering {ref}", "products": products,
                                      "plans": plans})


def subscription(ref, offering_ref):
    return ("subscription", {"external_ref": ref, "account_id": ACCOUNT, "offering_external_ref": offering_ref,
                             "currency": "USD", "name": "Ada Brewer", "email": "ada@example.com"})


def write(tmp_path, objects, name="file.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps({"data": {"type": kind, "attributes": attrs, **data}}) + "\n"
                            for kind, attrs, *rest in objects for data in [rest[0] if rest else {}]),
                    encoding="utf-8")
    return path


def run(engine, path, **options):
    options.setdefault("resource_type", "mixed")
    options.setdefault("skip_errors", True)
    return engine.run_job(engine.create_job(path, ImportOptions(**options)).uid)


def errors(engine, job):
    return [(e.row_number, e.resource_type, e.field, e.value, e.code)
            for e in engine.list_items(job.uid, level=ItemLevel.ERROR)]


def keys(engine, rtype):
    return sorted(r["external_ref"] for r in engine.iter_records(rtype))


def test_names_point_forward_across_batches(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 2)  # referrer and named in different batches
    path = write(tmp_path, [subscription("s-1", "o-1"), offering("o-1", ["p-1", "p-2"], ["pl-1"]),
                            product("p-1"), product("p-2"), plan("pl-1")])
    job = run(engine, path, skip_errors=False)
    assert (job.status, job.progress.done, job.progress.error) == (JobStatus.DONE, 5, 0), errors(engine, job)
    assert keys(engine, "subscription") == ["s-1"]


def test_an_unresolved_name_rejects_the_row_and_says_what_it_names(engine, tmp_path):
    path = write(tmp_path, [offering("o-1", ["p-1", "p-9"], ["pl-1"]), product("p-1"), plan("pl-1")])
    job = run(engine, path)
    assert (job.status, job.progress.total, job.progress.done, job.progress.error, job.progress.pending) == (
        JobStatus.DONE, 3, 2, 1, 0)
    assert errors(engine, job) == [(1, "subscription_offering", "products[1]", "p-9", "unresolved_reference")]
    [item] = engine.list_items(job.uid, level=ItemLevel.ERROR)
    assert item.message == ("names subscription_product 'p-9' (external_ref), which is neither in this file "
                            "nor in the store")
    assert item.raw_row is not None  # kept for fixing and retrying
    assert keys(engine, "subscription_offering") == []  # nothing of the row is written
    assert job.type_counts.uploaded["subscription_offering"] == 1
    assert job.type_counts.imported.get("subscription_offering", 0) == 0


def test_a_named_record_that_is_itself_rejected_does_not_count(engine, tmp_path):
    # p-1 has a bad price, so o-1 (naming it) is rejected, and so is s-1 (naming o-1)
    path = write(tmp_path, [subscription("s-1", "o-1"), offering("o-1", ["p-1"], ["pl-1"]),
                            product("p-1", amount=-5), plan("pl-1")])
    job = run(engine, path)
    assert (job.progress.done, job.progress.error) == (1, 3)
    assert errors(engine, job) == [
        (1, "subscription", "offering_external_ref", "o-1", "unresolved_reference"),
        (2, "subscription_offering", "products[0]", "p-1", "unresolved_reference"),
        (3, "subscription_product", "price.USD.amount", "-5", "too_small"),
    ]


def test_names_resolve_against_the_store_and_platform_ids_pass(engine, tmp_path):
    first = run(engine, write(tmp_path, [product("p-1"), plan("pl-1")], "first.jsonl"))
    assert first.progress.error == 0
    later = write(tmp_path, [offering("o-1", ["p-1", EP_PRODUCT_ID], ["pl-1"]),
                             offering("o-2", ["p-1"], ["pl-2"])], "later.jsonl")
    job = run(engine, later)
    assert errors(engine, job) == [(2, "subscription_offering", "plans[0]", "pl-2", "unresolved_reference")]
    assert keys(engine, "subscription_offering") == ["o-1"]


def test_a_validate_job_resolves_from_the_file_too(engine, tmp_path):
    path = write(tmp_path, [offering("o-1", ["p-1"], ["pl-1"]), product("p-1"), plan("pl-1"),
                            offering("o-2", ["p-2"], ["pl-1"])])
    job = run(engine, path, job_type=JobType.VALIDATE)
    assert (job.progress.done, job.progress.error) == (3, 1)
    assert errors(engine, job) == [(4, "subscription_offering", "products[0]", "p-2", "unresolved_reference")]
    assert keys(engine, "subscription_product") == []


def test_a_price_names_its_price_book(engine, tmp_path):
    price = {"sku": "MUG-1", "currencies": {"EUR": {"amount": 1299}}}
    path = write(tmp_path, [("product-price", price, {"pricebook_external_ref": "pb-eu"}),
                            ("product-price", price, {"pricebook_external_ref": "pb-us"}),
                            ("pricebook", {"name": "EU Retail", "external_ref": "pb-eu"})])
    job = run(engine, path)
    assert errors(engine, job) == [(2, "product-price", "pricebook_external_ref", "pb-us", "unresolved_reference")]
    again = run(engine, write(tmp_path, [("product-price", price, {"pricebook_external_ref": "pb-eu"})], "b.jsonl"))
    assert again.progress.error == 0  # the price book is in the store now (found by a field that is not its key)


def test_a_csv_of_one_type_resolves_against_the_store(engine, tmp_path):
    run(engine, write(tmp_path, [offering("o-1", ["p-1"], ["pl-1"]), product("p-1"), plan("pl-1")], "a.jsonl"))
    csv = tmp_path / "subscriptions.csv"
    csv.write_text("external_ref,account_id,offering_external_ref,currency,name,email\n"
                   f"s-1,{ACCOUNT},o-1,USD,Ada Brewer,ada@example.com\n"
                   f"s-2,{ACCOUNT},o-7,USD,Ada Brewer,ada@example.com\n", encoding="utf-8")
    job = run(engine, csv, resource_type="subscription")
    assert errors(engine, job) == [(3, "subscription", "offering_external_ref", "o-7", "unresolved_reference")]
    assert keys(engine, "subscription") == ["s-1"]


BAD_DECLARATIONS = [
    ('references = "warehouse.code"', "references warehouse.code: there is no type 'warehouse'"),
    ('references = "subscription_product.colour"', "subscription_product has no field 'colour'"),
    ('references = "subscription_product"', "references must name a type and its field"),
    ('references = "subscription_offering.products"', "a list field cannot be named by a reference"),
    ("platform_id_pattern = '^x'", "platform_id_pattern is for references"),
]


@pytest.mark.parametrize(("option", "problem"), BAD_DECLARATIONS, ids=[b[0] for b in BAD_DECLARATIONS])
def test_bad_declarations_are_reported_when_the_file_is_loaded(tmp_path, option, problem):
    (tmp_path / "bundle.toml").write_text(f'''
[resource]
name = "bundle"
key = ["code"]

[fields.code]
type = "string"

[fields.product]
type = "string"
{option}
''', encoding="utf-8")
    reg = Registry.load(tmp_path)
    assert "bundle" not in reg
    [error] = reg.errors
    assert error.file_name == "bundle.toml" and problem in str(error)


def test_a_reference_inside_an_object_or_to_a_list_of_numbers_is_refused(tmp_path):
    (tmp_path / "kit.toml").write_text('''
[resource]
name = "kit"
key = ["code"]

[fields.code]
type = "string"

[fields.part]
type = "object"
[fields.part.fields.sku]
type = "string"
references = "products.sku"

[fields.sizes]
type = "list"
items = "integer"
references = "products.sku"
''', encoding="utf-8")
    [error] = Registry.load(tmp_path).errors
    assert "field 'part.fields.sku': references is for a record's own fields" in str(error)
    assert "field 'sizes': references needs items = \"string\" or \"object\"" in str(error)


def test_a_file_whose_names_are_all_in_the_store_is_not_read_twice(engine, tmp_path, monkeypatch):
    run(engine, write(tmp_path, [product("p-1"), plan("pl-1")], "first.jsonl"))
    from importdesk.engine.references import ReferenceCheck

    def no_second_pass(self, mapper, records):
        raise AssertionError("the file was read a second time")

    monkeypatch.setattr(ReferenceCheck, "_names_in_file", no_second_pass)
    job = run(engine, write(tmp_path, [offering("o-1", ["p-1"], ["pl-1"])], "later.jsonl"), skip_errors=False)
    assert (job.status, job.progress.done) == (JobStatus.DONE, 1)
