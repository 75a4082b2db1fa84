"""A user type with nested fields and a platform wire name, through a whole import: a
pretty-printed stream, errors named by path at the line where the object starts, JSON in the
store that SQL reads."""

from __future__ import annotations

import json
import sqlite3

from importdesk.engine import Engine, ImportOptions
from importdesk.models import ItemLevel, JobStatus

from support import FixedClock, counting_uids

PRICE_TYPE = '''
[resource]
name = "item_price"
wire_name = "item-price"
key = ["sku"]

[fields.sku]
type = "string"

[fields.currencies]
type = "map"
key_pattern = '^[A-Z]{3}$'
key_message = "must be a 3-letter ISO currency code in capitals"
values = "object"
[fields.currencies.fields.amount]
type = "minor_units"
required = true
[fields.currencies.fields.includes_tax]
type = "boolean"
'''


def pretty(sku, currencies):
    return json.dumps({"data": {"type": "item-price", "attributes": {"sku": sku, "currencies": currencies}}},
                      indent=2)


def test_pretty_printed_stream_with_nested_errors_named_by_path(workspace, tmp_path):
    (workspace.schemas / "item_price.toml").write_text(PRICE_TYPE, encoding="utf-8")
    engine = Engine(workspace, clock=FixedClock(), uid_factory=counting_uids())
    try:
        objects = [pretty("A", {"USD": {"amount": 1200, "includes_tax": False}}),
                   pretty("B", {"usd": {"amount": 100}}),
                   pretty("C", {"EUR": {"amount": -5}})]
        path = tmp_path / "prices.jsonl"
        path.write_text("\n".join(objects) + "\n", encoding="utf-8")
        starts = [1, 1 + objects[0].count("\n") + 1]
        starts.append(starts[1] + objects[1].count("\n") + 1)
        job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="mixed", skip_errors=True)).uid)
        assert job.status is JobStatus.DONE and (job.progress.done, job.progress.error) == (1, 2)
        assert job.type_counts.uploaded == {"item-price": 3} and job.type_counts.imported == {"item-price": 1}
        errors = engine.list_items(job.uid, level=ItemLevel.ERROR)
        assert [(e.row_number, e.field, e.value, e.code) for e in errors] == [
            (starts[1], "currencies.usd", "usd", "invalid_key"),
            (starts[2], "currencies.EUR.amount", "-5", "too_small"),
        ]
        db = sqlite3.connect(workspace.root / "importdesk.db")
        try:
            assert db.execute("SELECT json_extract(currencies, '$.USD.amount') FROM records_item_price").fetchall() \
                == [(1200,)]
        finally:
            db.close()
    finally:
        engine.close()


SOURCED_TYPE = '''
[resource]
name = "book_price"
wire_name = "book-price"
key = ["pricebook_external_ref", "sku"]

[fields.pricebook_external_ref]
type = "string"
source = "data.pricebook_external_ref"

[fields.sku]
type = "string"

[fields.width]
type = "integer"
source = "dimensions.width"
'''


def test_values_from_source_paths_outside_and_deep_inside_the_attributes(workspace, tmp_path):
    (workspace.schemas / "book_price.toml").write_text(SOURCED_TYPE, encoding="utf-8")
    engine = Engine(workspace, clock=FixedClock(), uid_factory=counting_uids())
    try:
        line = {"data": {"type": "book-price", "id": "9f2c", "pricebook_external_ref": "retail",
                         "attributes": {"sku": "A", "dimensions": {"width": 30, "height": 20}}}}
        path = tmp_path / "p.jsonl"
        path.write_text(json.dumps(line) + "\n", encoding="utf-8")
        job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="mixed")).uid)
        assert (job.status, job.progress.done) == (JobStatus.DONE, 1)
        [record] = engine.iter_records("book_price")
        assert (record["pricebook_external_ref"], record["sku"], record["width"]) == ("retail", "A", 30)
        # nothing dropped: the rest of "dimensions" and the envelope's id stay with the record
        assert record["_extra"] == {"dimensions": {"width": 30, "height": 20}, "data.id": "9f2c"}
    finally:
        engine.close()
