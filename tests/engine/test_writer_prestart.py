"""A batch writer started ahead of its job (`importdesk run` starts it before importing the engine):
the job's runner takes it instead of starting one, the import is the same, and a writer nobody took
ends cleanly."""

from __future__ import annotations

import dataclasses

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


def _sqlite_only(store_backend, monkeypatch):
    if store_backend != "sqlite":
        pytest.skip("a batch writer is for the workspace's SQLite file")
    monkeypatch.delenv(STORE_ENV, raising=False)


def _limits(engine) -> dict:
    return dataclasses.asdict(engine.ctx.limits)


def test_the_writer_started_ahead_counts_the_file_while_it_is_kept(engine, store_backend, tmp_path, monkeypatch):
    _sqlite_only(store_backend, monkeypatch)
    path = write_products(tmp_path / "products.csv", 30_000)
    assert writer_prestart.prestart(path)
    asked = []
    real = writer_prestart.count_ahead
    monkeypatch.setattr(writer_prestart, "count_ahead", lambda *a: asked.append(a) or real(*a))
    job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="products")).uid)
    assert [a[0] for a in asked] == [path]  # asked before the copy, of the file where it is
    assert job.status is JobStatus.DONE
    assert (job.progress.total, job.progress.done, job.progress.pending) == (30_000, 30_000, 0)


def test_a_count_ahead_of_other_bytes_than_the_kept_copy_is_not_believed(engine, store_backend, tmp_path, monkeypatch):
    """The count ahead read one file; the job keeps another (as if the file changed between the
    count and the copy): the total is the kept copy's rows, counted again."""
    _sqlite_only(store_backend, monkeypatch)
    first = write_products(tmp_path / "first.csv", 25_000)
    grown = write_products(tmp_path / "grown.csv", 26_500)  # the same header and options: the same call
    assert writer_prestart.prestart(first)
    assert writer_prestart.count_ahead(first, None, None, None, None, _limits(engine))
    assert not writer_prestart.count_ahead(grown, None, None, None, None, _limits(engine))  # once per writer
    progress = []
    job = engine.create_job(grown, ImportOptions(resource_type="products"))
    job = engine.run_job(job.uid, interval=0, on_progress=lambda event: progress.append(event.job.progress.total))
    assert job.status is JobStatus.DONE
    assert (job.progress.total, job.progress.done, job.progress.pending) == (26_500, 26_500, 0)
    assert set(progress) - {0} == {26_500}  # every commit knew the kept copy's total


def test_a_count_ahead_holds_only_for_the_same_call_and_bytes():
    made = ("importdesk.readers.csv_count", "count_records", ("utf-8", ",", 1, 11, 1000), 25_000, "ab" * 32)
    asked = ("importdesk.readers.csv_count", "count_records", ("/kept/copy.csv", "utf-8", ",", 1, 11, 1000))
    assert batch_writer._ahead_holds(made, (*asked, "ab" * 32)) == 25_000
    assert batch_writer._ahead_holds(made, (*asked, "cd" * 32)) is None  # other bytes
    assert batch_writer._ahead_holds(made, asked) is None  # no hash named: nothing to compare
    assert batch_writer._ahead_holds(None, (*asked, "ab" * 32)) is None  # none made (or it failed)
    other_delimiter = (asked[0], asked[1], ("/kept/copy.csv", "utf-8", ";", 1, 11, 1000), "ab" * 32)
    assert batch_writer._ahead_holds(made, other_delimiter) is None
    other_function = ("importdesk.readers.json_source", "count_json_lines", asked[2], "ab" * 32)
    assert batch_writer._ahead_holds(made, other_function) is None


def test_a_writer_counting_ahead_that_nobody_took_is_stopped(engine, store_backend, tmp_path, monkeypatch):
    _sqlite_only(store_backend, monkeypatch)
    path = write_products(tmp_path / "products.csv", 200_000)
    assert writer_prestart.prestart(path)
    proc = writer_prestart._spare
    assert writer_prestart.count_ahead(path, None, None, None, None, _limits(engine))
    writer_prestart.discard()
    assert proc.poll() is not None
    assert writer_prestart.take() is None
