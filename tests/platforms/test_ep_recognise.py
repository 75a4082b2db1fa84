"""A file is recognised by its shape when no type is given: Elastic Path envelopes by the types
they name, tables by the columns a type declares in [recognise] (or, failing that, by clearly
leading header scores); a file that fits several types is refused with the candidates named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from importdesk.engine import Engine, ImportOptions, UsageError
from importdesk.models import JobStatus
from importdesk.schemas import Registry

from support import FixedClock, counting_uids

EP_FILES = Path(__file__).parent / "ep_files"


def create(engine, path):
    return engine.create_job(path, ImportOptions(resource_type=None))


def envelopes(tmp_path, objects, name="file.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps({"data": {"type": t, **extra, "attributes": a}}) + "\n"
                            for t, a, extra in objects), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["subscriptions.jsonl", "pricebooks.jsonl"])
def test_elastic_path_files_of_several_types_import_without_a_type(engine, name):
    job = engine.run_job(create(engine, EP_FILES / name).uid)
    assert job.resource_type == "mixed" and job.status is JobStatus.DONE and job.progress.error == 0


def test_a_small_file_of_one_type_is_that_type(engine, tmp_path):
    books = envelopes(tmp_path, [("pricebook", {"name": "EU", "external_ref": "pb-1"}, {})], "books.jsonl")
    assert engine.run_job(create(engine, books).uid).resource_type == "pricebook"
    path = envelopes(tmp_path, [("product-price", {"sku": "A", "currencies": {"EUR": {"amount": 5}}},
                                 {"pricebook_external_ref": "pb-1"})])
    job = engine.run_job(create(engine, path).uid)
    assert job.resource_type == "product-price" and (job.progress.done, job.progress.error) == (1, 0)


def test_a_long_file_whose_start_shows_one_type_is_read_as_typed_records(engine, tmp_path):
    books = [("pricebook", {"name": f"Book {i}"}, {}) for i in range(60)]
    plan = ("subscription_plan", {"external_ref": "pl-1", "name": "Monthly", "billing_interval_type": "month",
                                  "billing_frequency": 1, "plan_length": 1, "end_behavior": "roll",
                                  "can_pause": True, "can_resume": True, "can_cancel": True}, {})
    job = engine.run_job(create(engine, envelopes(tmp_path, [*books, plan])).uid)
    assert job.resource_type == "mixed" and (job.progress.done, job.progress.error) == (61, 0)


def test_envelopes_of_an_unknown_type_are_not_guessed(engine, tmp_path):
    path = envelopes(tmp_path, [("subscription_import", {"status": "pending"}, {})])
    with pytest.raises(UsageError, match="its objects are of type 'subscription_import', which is not a known"):
        create(engine, path)


SHOP_TYPE = '''
[resource]
name = "{name}"
key = ["handle"]

[recognise]
headers = [{headers}]

[fields.handle]
type = "string"
aliases = ["Product Handle"]

[fields.title]
type = "string"
aliases = ["Product Title"]

[fields.sku]
type = "string"
aliases = ["Variant Sku"]
'''


def engine_with(tmp_path, **types):
    root = tmp_path / "ws"
    (root / "schemas").mkdir(parents=True)
    for name, headers in types.items():
        (root / "schemas" / f"{name}.toml").write_text(
            SHOP_TYPE.format(name=name, headers=", ".join(json.dumps(h) for h in headers)), encoding="utf-8")
    from importdesk.workspace import Workspace

    return Engine(Workspace.open(root), clock=FixedClock(), uid_factory=counting_uids())


def test_declared_columns_tell_a_table_and_the_most_specific_declaration_wins(tmp_path):
    engine = engine_with(tmp_path, shop_products=["Product Handle"],
                         shop_variants=["Product Handle", "Variant Sku"])
    try:
        variants = tmp_path / "export.csv"
        variants.write_text("Product Handle,Product Title,Variant Sku\ntee,Tee,TEE-S\n", encoding="utf-8")
        products = tmp_path / "products-only.csv"
        products.write_text("Product Handle,Product Title\ntee,Tee\n", encoding="utf-8")
        assert create(engine, variants).resource_type == "shop_variants"
        assert create(engine, products).resource_type == "shop_products"
    finally:
        engine.close()


def test_two_types_declaring_the_same_shape_are_named_as_candidates(tmp_path):
    engine = engine_with(tmp_path, shop_a=["Product Handle", "Variant Sku"], shop_b=["Variant Sku", "Product Handle"])
    try:
        path = tmp_path / "export.csv"
        path.write_text("Product Handle,Variant Sku\ntee,TEE-S\n", encoding="utf-8")
        with pytest.raises(UsageError) as info:
            create(engine, path)
        assert str(info.value) == ("export.csv: cannot tell the resource type: its columns fit the declared shapes "
                                   "of several types (shop_a, shop_b); choose one with --type")
    finally:
        engine.close()


def test_header_scores_that_tie_name_the_candidates(engine, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,email\nAda,ada@example.com\n", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        create(engine, path)
    assert str(info.value) == ("people.csv: cannot tell the resource type: its columns fit several types about as "
                               "well (subscription_subscriber, pricebook, commercelayer_customers); choose one with --type")


@pytest.mark.parametrize(("table", "problem"), [
    ('headers = "Product Handle"', "[recognise]: headers must be a non-empty list of column names"),
    ('headers = ["Variant Sku", "variant_sku"]', "[recognise]: headers names a column twice"),
    ('columns = ["x"]', "[recognise]: unknown key 'columns' (allowed: headers)"),
])
def test_bad_recognise_tables_are_reported_when_loaded(tmp_path, table, problem):
    (tmp_path / "shop.toml").write_text(f'''
[resource]
name = "shop"
key = ["handle"]

[recognise]
{table}

[fields.handle]
type = "string"
''', encoding="utf-8")
    [error] = Registry.load(tmp_path).errors
    assert problem in str(error)
