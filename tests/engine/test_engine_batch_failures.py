"""A batch that cannot be committed — a value the batch writer cannot be sent, a disk that fills —
leaves the job's counters and checkpoint where the store has them (issue: counters moved before
the batch was handed over or committed, and each retry skipped another batch)."""

from __future__ import annotations

import datetime as dt

import openpyxl

from importdesk.engine import ImportOptions
from importdesk.models import JobStatus


def _products_xlsx(path, rows: int):
    """Products with one extra date column that maps to no field."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("products")
    ws.append(["sku", "name", "category", "price", "currency", "received_on"])
    for i in range(rows):
        ws.append([f"SKU-{i:05d}", f"Product {i}", "tools", i % 90 + 1.5, "EUR", dt.date(2025, 1, i % 28 + 1)])
    wb.save(path)
    return path


def _stored(engine, uid):
    job = engine.get_job(uid)
    return job, engine.record_count("products")


def test_xlsx_with_an_unmapped_date_column_imports_through_the_batch_writer(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 50)
    monkeypatch.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 0)
    path = _products_xlsx(tmp_path / "x.xlsx", 400)
    job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="products")).uid)
    assert job.status is JobStatus.DONE, job.error_message
    assert (job.progress.done, job.summary.create, job.metadata.data_row_index) == (400, 400, 400)
    assert engine.record_count("products") == 400


def test_a_batch_the_writer_cannot_be_sent_is_committed_in_process(engine, tmp_path, monkeypatch):
    """Any value marshal refuses (here: the date cells, with the projection turned off) keeps
    the batch out of the writer before anything is counted; the batch commits here."""
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 50)
    monkeypatch.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 0)
    monkeypatch.setattr("importdesk.engine.batch_overlap.writer_columns", lambda pv: (None, None))
    path = _products_xlsx(tmp_path / "x.xlsx", 230)
    job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="products")).uid)
    stored, records = _stored(engine, job.uid)
    assert stored.status is JobStatus.DONE, stored.error_message
    assert (stored.progress.done, stored.summary.create, records) == (230, 230, 230)


def test_a_huge_rejected_row_is_stored_capped_with_a_marker(engine, tmp_path):
    """A rejected 50 MB JSONL line was stored whole in the database (here 3 MB of description and
    a 200,000-character key): the raw row, value and key kept for it are bounded and say what was cut."""
    import json

    from importdesk.engine.job_items import ITEM_VALUE_CHARS, RAW_ROW_CHARS, RAW_VALUE_CHARS
    from importdesk.models import ItemLevel

    huge = "x" * 3_000_000
    lines = [{"sku": "A-1", "name": "ok", "price": "1.50", "currency": "EUR", "category": "t"},
             {"sku": "A-2", "name": "bad", "price": "-1", "currency": "EUR", "category": "t", "description": huge},
             {"sku": "K" * 200_000, "name": "long key", "price": "1", "currency": "EUR", "category": "t"}]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="products", skip_errors=True)).uid)
    assert (job.progress.done, job.progress.error) == (1, 2)
    stored = engine.ctx.db.conn().execute(
        "SELECT max(length(raw_row)), max(length(value)), max(length(record_key)) FROM job_items").fetchone()
    assert stored[0] <= RAW_ROW_CHARS and stored[1] <= ITEM_VALUE_CHARS + 1 and stored[2] <= ITEM_VALUE_CHARS + 1
    item = next(i for i in engine.list_items(job.uid, level=ItemLevel.ERROR) if i.row_number == 2)
    assert item.raw_row["_truncated"] == ["description"]
    assert item.raw_row["description"].endswith("… [cut: 3,000,000 characters]")
    assert len(item.raw_row["description"]) < RAW_VALUE_CHARS + 40
    assert item.raw_row["sku"] == "A-2" and item.raw_row["price"] == "-1"

    retry = engine.retry(job.uid)  # a new job of the failed rows: the cut one cannot be retried as kept
    ran = engine.run_job(retry.uid)
    cut = next(i for i in engine.list_items(ran.uid, level=ItemLevel.ERROR) if i.row_number == 2)
    assert "too large to keep whole (description cut)" in cut.message
