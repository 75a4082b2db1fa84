"""Numbers from a file reach the store exactly, whatever the format; oversized ones are row errors."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

from importdesk.engine import ImportOptions
from importdesk.models import ItemLevel, JobStatus

from support import PRODUCTS_HEADER


def run(engine, path, **options):
    job = engine.create_job(path, ImportOptions(**options))
    return engine.run_job(job.uid)


def stored(engine, sku):
    db = sqlite3.connect(engine.workspace.root / "importdesk.db")
    try:
        return db.execute("SELECT _exact_price, attributes FROM records_products WHERE sku = ?", (sku,)).fetchone()
    finally:
        db.close()


def test_json_decimal_is_stored_as_written_like_the_same_value_in_a_csv(engine, tmp_path):
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text('{"sku": "J-1", "name": "Big", "price": 12345678901234567.89,'
                     ' "attributes": {"weight": 0.10, "n": 12345678901234567.89}}\n', encoding="utf-8")
    csv = tmp_path / "p.csv"
    csv.write_text(PRODUCTS_HEADER + "\nC-1,Big,,,12345678901234567.89,,,,,,\n", encoding="utf-8")
    assert run(engine, jsonl, resource_type="products").status is JobStatus.DONE
    assert run(engine, csv, resource_type="products").status is JobStatus.DONE
    price, attributes = stored(engine, "J-1")
    assert price == "12345678901234567.89" == stored(engine, "C-1")[0]
    assert attributes == '{"weight":0.10,"n":12345678901234567.89}'
    record = next(r for r in engine.iter_records("products") if r["sku"] == "J-1")
    assert record["price"] == Decimal("12345678901234567.89")
    assert record["attributes"] == {"weight": Decimal("0.10"), "n": Decimal("12345678901234567.89")}


def test_a_43_byte_exponent_cell_is_a_row_error_not_a_200_mb_value(engine, tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text(PRODUCTS_HEADER + "\nC-1,Big,,,1e200000000,,,,,,\nC-2,Ok,,,2.50,,,,,,\n", encoding="utf-8")
    job = run(engine, csv, resource_type="products", skip_errors=True)
    assert (job.progress.done, job.progress.error) == (1, 1)
    [item] = engine.list_items(job.uid, level=ItemLevel.ERROR)
    assert (item.row_number, item.field, item.value, item.code) == (2, "price", "1e200000000", "too_many_digits")


def test_a_huge_json_integer_fails_only_its_own_line(engine, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"sku": "A", "name": "a", "price": 1}\n{"sku": "B", "name": "b", "price": ' + "9" * 5000
                    + '}\n{"sku": "C", "name": "c", "price": 2.5}\n', encoding="utf-8")
    job = run(engine, path, resource_type="products", skip_errors=True)
    assert job.status is JobStatus.DONE and (job.progress.done, job.progress.error) == (2, 1)
    [item] = engine.list_items(job.uid, level=ItemLevel.ERROR)
    assert item.row_number == 2 and "max_number_digits" in item.message
    assert json.dumps(item.raw_row) == "{}"


def test_record_browser_reads_the_exact_decimal_and_the_kept_attributes(engine, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"sku": "J-1", "name": "Big", "price": 12345678901234567.89, "colour": "red"}\n'
                    '{"sku": "J-2", "name": "Small", "price": 0.5}\n', encoding="utf-8")
    assert run(engine, path, resource_type="products").status is JobStatus.DONE
    record = engine.records.get("products", "J-1")
    assert record["price"] == Decimal("12345678901234567.89") and record["_extra"] == {"colour": "red"}
    assert "_extra" not in engine.records.get("products", "J-2")
    q = engine.records.query("products", order=["-price"])
    assert [r["sku"] for r in engine.records.iter(q)] == ["J-1", "J-2"]
    assert next(engine.records.iter(q, fields=["price"])) == {"price": Decimal("12345678901234567.89")}
