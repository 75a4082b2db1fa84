"""The records tables answer plain SQL as numbers where the values are numbers, JSON where nested."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from importdesk.engine import ImportOptions
from importdesk.models import JobStatus
from importdesk.schemas import Registry
from importdesk.store.database import Database
from importdesk.store.records import RecordStore

from support import PRODUCTS_HEADER

PRICES = ["99.97", "4972.74", "5.00", "12345678901234567.89", "0.10", ""]


def products_csv(tmp_path):
    rows = [f"S-{i},P{i},,c,{p or '1'},EUR,{i}.5,yes,,2026-01-0{i + 1},\"{{\"\"colour\"\": \"\"c{i}\"\"}}\""
            for i, p in enumerate(PRICES)]
    path = tmp_path / "p.csv"
    path.write_text(PRODUCTS_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def query(engine, sql):
    db = sqlite3.connect(engine.workspace.root / "importdesk.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_sql_aggregates_and_sorts_decimals_as_numbers_and_reads_json(engine, tmp_path):
    job = engine.run_job(engine.create_job(products_csv(tmp_path), ImportOptions(resource_type="products")).uid)
    assert job.status is JobStatus.DONE and job.progress.error == 0
    assert query(engine, "SELECT max(price), min(price) FROM records_products") == [(1.2345678901234568e16, 0.1)]
    assert query(engine, "SELECT sku FROM records_products WHERE price < 100 ORDER BY price DESC") == [
        ("S-0",), ("S-2",), ("S-5",), ("S-4",)]
    assert query(engine, "SELECT _exact_price FROM records_products WHERE sku = 'S-3'") == [("12345678901234567.89",)]
    assert query(engine, "SELECT typeof(weight_kg), typeof(active), max(launched_on) FROM records_products") == [
        ("real", "integer", "2026-01-06")]
    assert query(engine, "SELECT json_extract(attributes, '$.colour') FROM records_products WHERE sku = 'S-1'") == [
        ("c1",)]


def test_parent_field_is_indexed(engine, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("price_list,sku,amount,currency\nretail,A,1.50,EUR\n", encoding="utf-8")
    job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="prices")).uid)
    assert (job.status, job.progress.done) == (JobStatus.DONE, 1)
    indexes = query(engine, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records_prices'")
    assert ("records_prices_by_price_list",) in indexes


def test_an_earlier_versions_table_is_read_then_brought_to_the_layout(tmp_path):
    db = Database(tmp_path / "w.db")
    conn = db.conn()
    conn.execute("CREATE TABLE records_products (_key TEXT PRIMARY KEY NOT NULL, sku TEXT, name TEXT,"
                 " description TEXT, category TEXT, price TEXT, currency TEXT, weight_kg REAL, active INTEGER,"
                 " ean TEXT, launched_on TEXT, attributes TEXT, _job_uid TEXT, _row INTEGER, _created_at TEXT,"
                 " _updated_at TEXT)")
    conn.execute("INSERT INTO records_products (_key, sku, name, price) VALUES ('A', 'A', 'a', '99.97'),"
                 " ('B', 'B', 'b', '4972.74')")
    conn.commit()
    rt = Registry.load(None).get("products")
    store = RecordStore(db)
    before = [rt.from_db(r) for r in store.iter_rows(rt)]
    assert [r["price"] for r in before] == [Decimal("99.97"), Decimal("4972.74")]
    assert conn.execute("SELECT max(price) FROM records_products").fetchone() == ("99.97",)  # the old answer
    store.ensure_table(rt)
    assert conn.execute("SELECT max(price) FROM records_products").fetchone() == (4972.74,)
    assert [rt.from_db(r) for r in store.iter_rows(rt)] == before
    db.close()
