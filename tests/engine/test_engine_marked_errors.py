"""Batches with many bad rows mark bad cells instead of raising (BatchBuilder._positional): the
same items, counts, records and threshold stop as rows that raise, wherever the threshold falls."""

from __future__ import annotations

import random
import sqlite3

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobStatus
from importdesk.schemas.positional import PositionalValidator
from importdesk.workspace import Workspace

from support import PRODUCTS_HEADER, FixedClock, counting_uids

BAD = [("price", "n/a"), ("price", "-1"), ("currency", "euro"), ("ean", "12345"), ("name", ""),
       ("launched_on", "2023-02-29"), ("sku", "bad sku"), ("weight_kg", "x")]


def _file(path, rows: int, bad_share: float) -> None:
    rnd = random.Random(rows)
    lines = [PRODUCTS_HEADER]
    for i in range(rows):
        row = {"sku": f"SKU-{i:07d}", "name": f"Product {i}", "description": "", "category": "tools",
               "price": f"{i % 500 + 1}.50", "currency": "EUR", "weight_kg": "0.5", "active": "true",
               "ean": "", "launched_on": "2025-01-05", "attributes": ""}
        for _ in range(rnd.choice([1, 1, 2]) if rnd.random() < bad_share else 0):
            field, value = rnd.choice(BAD)
            row[field] = value
        line = ",".join(row.values())
        if i % 151 == 150:
            line += ",one too many"
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _outcome(tmp_path, monkeypatch, path, mode, **options):
    with monkeypatch.context() as m:
        m.setattr("importdesk.engine.pipeline.BATCH_ROWS", 50)
        m.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 10**9)
        if mode == "raising":
            m.setattr(PositionalValidator, "validate_marking", PositionalValidator.validate_or_raise)
        else:
            real = PositionalValidator.validate_marking.fget
            used = []

            def counted(self):
                used.append(1)
                return real(self)

            m.setattr(PositionalValidator, "validate_marking", property(counted))
        ws = Workspace.open(tmp_path / f"ws-{mode}")
        eng = Engine(ws, clock=FixedClock(), uid_factory=counting_uids())
        try:
            job = eng.run_job(eng.create_job(path, ImportOptions(resource_type="products", **options)).uid)
            items = sorted((i.row_number or 0, i.field or "", i.value or "", i.code, i.message, str(i.raw_row),
                            i.record_key or "") for i in eng.list_items(job.uid, limit=100_000))
            outcome = (job.status, job.progress, job.summary, job.errors_count, job.metadata.data_row_index, items)
        finally:
            eng.close()
        with sqlite3.connect(ws.db_path) as conn:
            records = conn.execute("SELECT * FROM records_products ORDER BY _key").fetchall()
        if mode == "marking":
            assert used  # the batches after a bad one were marked
        return outcome, records


@pytest.mark.parametrize(("bad_share", "options"), [
    (0.3, {"skip_errors": True}),
    (0.3, {"error_threshold": 0.12}),  # crossed in a later batch, in the middle of a run of rows
    (0.08, {"error_threshold": 0.05}),
])
def test_marked_cells_give_what_raised_rows_give(tmp_path, monkeypatch, bad_share, options):
    path = tmp_path / "products.csv"
    _file(path, 900, bad_share)
    marking = _outcome(tmp_path, monkeypatch, path, "marking", **options)
    raising = _outcome(tmp_path, monkeypatch, path, "raising", **options)
    assert marking == raising
    (status, progress, *_rest, items), records = marking
    assert progress.error > 0 and records and items
    if not options.get("skip_errors"):
        assert status is JobStatus.INTERRUPTED and progress.pending > 0


def test_a_rejected_row_is_listed_under_its_key_as_the_file_gives_it(tmp_path, monkeypatch):
    """The key a rejected row's items carry (what the errors pane and the failed-rows export show)
    is its key cell trimmed, None when that is empty: the same on the positional path as field
    by field."""
    path = tmp_path / "keys.csv"
    path.write_text("\n".join([
        PRODUCTS_HEADER,
        "  SKU-1  ,A,,tools,n/a,EUR,0.5,true,,2025-01-05,",
        ",B,,tools,n/a,EUR,0.5,true,,2025-01-05,",
        "SKU-3,C,,tools,-1,EUR,0.5,true,,2025-01-05,"]) + "\n", encoding="utf-8")
    keys = {}
    for path_taken in ("positional", "field by field"):
        with monkeypatch.context() as m:
            if path_taken == "field by field":
                m.setattr(PositionalValidator, "possible", staticmethod(lambda rv, columns: False))
            eng = Engine(Workspace.open(tmp_path / path_taken), clock=FixedClock(), uid_factory=counting_uids())
            try:
                job = eng.run_job(eng.create_job(path, ImportOptions(resource_type="products", skip_errors=True)).uid)
                keys[path_taken] = {i.row_number: i.record_key for i in eng.list_items(job.uid, limit=100)}
            finally:
                eng.close()
    assert keys["positional"] == keys["field by field"] == {2: "SKU-1", 3: None, 4: "SKU-3"}
