"""Duplicate keys across batches for the rows a job does not write (a dry run's, unchanged rows):
found without writing keys to the workspace's file, and still found when the job is interrupted and
resumed between the two rows (the keys before the checkpoint are read again)."""

from __future__ import annotations

import threading

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobStatus, JobType

from support import write_products

DUPLICATE_OF_ROW_5 = "SKU-0000003,Product 3,,tools,4.50,EUR,0.5,true,,2025-01-04,\n"  # row 5's values again
CHANGED_ROW_5 = "SKU-0000003,Changed,,tools,9.99,EUR,0.5,true,,2025-01-01,\n"


def products_with_a_repeated_key(tmp_path, last_line: str):
    path = write_products(tmp_path / "p.csv", 25)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(last_line)  # row 27: the key of row 5
    return path


def duplicate_warnings(engine, uid):
    return [(i.row_number, i.message) for i in engine.list_items(uid, code="duplicate_key")]


@pytest.fixture
def batches_of_ten(monkeypatch):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 10)


def test_a_dry_run_writes_no_keys_to_the_workspace(engine, tmp_path, batches_of_ten):
    path = products_with_a_repeated_key(tmp_path, CHANGED_ROW_5)
    job = engine.create_job(path, ImportOptions(resource_type="products", job_type=JobType.VALIDATE))
    kept_keys = []
    other = Engine(engine.workspace)  # a connection of its own: it sees what was committed

    def look_from_another_connection(event):
        if event.job.metadata.data_row_index:
            kept_keys.append(other.ctx.db.conn().execute("SELECT count(*) FROM job_keys").fetchone()[0])

    done = engine.run_job(job.uid, on_progress=look_from_another_connection, interval=0)
    other.close()
    assert done.status is JobStatus.DONE
    assert (done.summary.create, done.summary.update) == (25, 1)
    assert duplicate_warnings(engine, done.uid) == [
        (27, "the same key is on row 5; this later row (row 27) wins")]
    assert kept_keys and set(kept_keys) == {0}


@pytest.mark.parametrize("case", ["validate", "unchanged_reimport"])
def test_a_key_repeated_after_a_resume_is_still_a_duplicate(engine, tmp_path, batches_of_ten, case):
    if case == "validate":
        path = products_with_a_repeated_key(tmp_path, CHANGED_ROW_5)
        options = ImportOptions(resource_type="products", job_type=JobType.VALIDATE)
        expected = {"create": 25, "update": 1, "unchanged": 0}
    else:
        engine.run_job(engine.create_job(write_products(tmp_path / "seed.csv", 25),
                                         ImportOptions(resource_type="products")).uid)
        path = products_with_a_repeated_key(tmp_path, DUPLICATE_OF_ROW_5)
        options = ImportOptions(resource_type="products")
        expected = {"create": 0, "update": 0, "unchanged": 26}
    job = engine.create_job(path, options)
    stop = threading.Event()

    def stop_after_the_first_batch(event):
        if event.job.metadata.data_row_index >= 10:
            stop.set()

    interrupted = engine.run_job(job.uid, cancel=stop, on_progress=stop_after_the_first_batch, interval=0)
    assert interrupted.status is JobStatus.INTERRUPTED and interrupted.metadata.data_row_index == 10  # row 5 is in
    engine.resume(job.uid)
    done = engine.run_job(job.uid)
    assert done.status is JobStatus.DONE
    assert done.summary.model_dump(include=set(expected)) == expected
    assert duplicate_warnings(engine, done.uid) == [
        (27, "the same key is on row 5; this later row (row 27) wins")]
    assert done.warnings_count == 1
