"""A batch writer started ahead of its job (`importdesk run` starts it before importing the engine):
the job's runner takes it instead of starting one, the import is the same, and a writer nobody took
ends cleanly."""

from __future__ import annotations

import pytest

from importdesk.engine import ImportOptions, writer_prestart
from importdesk.engine.pipeline import WRITER_MIN_ROWS
from importdesk.models import JobStatus
from importdesk.store import batch_writer
from importdesk.store.backends import STORE_ENV

from support import write_products


@pytest.fixture(autouse=True)
def _no_spare_left():
    yield
    writer_prestart.discard()


def test_the_runner_takes_the_writer_started_ahead(engine, store_backend, tmp_path, monkeypatch):
    if store_backend != "sqlite":
        pytest.skip("a batch writer is for the workspace's SQLite file")
    monkeypatch.delenv(STORE_ENV, raising=False)
    path = write_products(tmp_path / "products.csv", 30_000)
    assert writer_prestart.prestart(path)
    spawned = []
    real_spawn = batch_writer.BatchWriter.spawn
    monkeypatch.setattr(batch_writer.BatchWriter, "spawn",
                        staticmethod(lambda *a: spawned.append(a) or real_spawn(*a)))
    job = engine.create_job(path, ImportOptions(resource_type="products"))
    job = engine.run_job(job.uid)
    assert job.status is JobStatus.DONE
    assert (job.progress.total, job.progress.done, job.progress.error, job.progress.pending) == (30_000, 30_000, 0, 0)
    assert job.summary.create == 30_000
    assert spawned == []  # no second writer: the one started ahead did the work
    assert writer_prestart.take() is None


def test_a_small_file_gets_no_writer_ahead(tmp_path, monkeypatch):
    monkeypatch.delenv(STORE_ENV, raising=False)
    assert not writer_prestart.prestart(write_products(tmp_path / "small.csv", 100))
    assert writer_prestart.take() is None


def test_no_writer_ahead_for_another_store(tmp_path, monkeypatch):
    monkeypatch.setenv(STORE_ENV, "postgresql://nobody@localhost/none")
    assert not writer_prestart.prestart(write_products(tmp_path / "products.csv", 30_000))


def test_a_writer_nobody_took_ends_without_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv(STORE_ENV, raising=False)
    assert writer_prestart.prestart(write_products(tmp_path / "products.csv", 30_000))
    proc = writer_prestart._spare
    writer_prestart.discard()
    assert proc.wait(timeout=30) == 0


def test_its_estimate_of_rows(tmp_path):
    assert writer_prestart.likely_rows(write_products(tmp_path / "p.csv", 25_000)) >= WRITER_MIN_ROWS
    assert writer_prestart.MIN_ROWS == WRITER_MIN_ROWS
    assert writer_prestart.STORE_ENV == STORE_ENV
    sheet = tmp_path / "big.xlsx"
    sheet.write_bytes(b"PK\x03\x04" + bytes(writer_prestart.MIN_BINARY_BYTES))
    assert writer_prestart.likely_rows(sheet) >= WRITER_MIN_ROWS
    assert writer_prestart.likely_rows(tmp_path / "missing.csv") == 0
