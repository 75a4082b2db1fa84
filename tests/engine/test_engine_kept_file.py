"""The kept file is checked (size and sha256) before a job goes on in it: resume, retry, confirm,
and a runner that starts after a checkpoint; a file cut while it is read never ends "done" with
rows pending (issue: a truncated file ended done with 244,958 rows pending; a replaced one was
resumed into a different file)."""

from __future__ import annotations

import threading

import pytest

from importdesk.engine import ImportOptions, UsageError
from importdesk.models import JobStatus, JobType

from support import write_products


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 100)
    monkeypatch.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 10**9)


def _interrupted_after_a_batch(engine, path):
    stop = threading.Event()
    job = engine.create_job(path, ImportOptions(resource_type="products"))

    def on_progress(event):
        if event.job.metadata.data_row_index:
            stop.set()

    job = engine.run_job(job.uid, cancel=stop, on_progress=on_progress, interval=0)
    assert job.status is JobStatus.INTERRUPTED and 0 < job.metadata.data_row_index < 1000
    return job


def _kept(engine, job):
    return engine.workspace.absolute(job.provider_data.kept_path)


def test_a_file_replaced_before_resume_is_refused_naming_the_change(engine, tmp_path):
    job = _interrupted_after_a_batch(engine, write_products(tmp_path / "p.csv", 1000))
    kept = _kept(engine, job)
    data = kept.read_bytes()
    kept.write_bytes(data.replace(b"Product 999", b"Product 998"))  # same size, other content
    with pytest.raises(UsageError) as refused:
        engine.resume(job.uid)
    message = str(refused.value)
    assert "p.csv" in message and "sha256" in message and "importdesk run FILE --type products" in message
    assert engine.get_job(job.uid).status is JobStatus.INTERRUPTED  # nothing changed


def test_a_file_cut_before_resume_is_refused_naming_both_sizes(engine, tmp_path):
    job = _interrupted_after_a_batch(engine, write_products(tmp_path / "p.csv", 1000))
    kept = _kept(engine, job)
    data = kept.read_bytes()
    cut = data[: data.index(b"\n", len(data) // 2) + 1]  # at a line end: it still parses
    kept.write_bytes(cut)
    with pytest.raises(UsageError, match=f"had {len(data):,} bytes .* has {len(cut):,} now"):
        engine.resume(job.uid)


def test_a_file_changed_after_resume_was_accepted_fails_the_job_when_it_runs(engine, tmp_path):
    job = _interrupted_after_a_batch(engine, write_products(tmp_path / "p.csv", 1000))
    engine.resume(job.uid)
    kept = _kept(engine, job)
    kept.write_bytes(kept.read_bytes().replace(b"Product 999", b"Product 998"))
    ran = engine.run_job(job.uid)
    assert ran.status is JobStatus.ERROR and "sha256" in ran.error_message
    assert ran.progress.pending > 0  # not "done"


def test_a_file_cut_while_it_is_read_never_ends_done(engine, tmp_path, monkeypatch):
    from importdesk.engine import pipeline

    path = write_products(tmp_path / "p.csv", 3000)
    real_commit = pipeline.JobRunner._commit
    cut = {}

    def commit_then_cut(self, *args, **kwargs):
        real_commit(self, *args, **kwargs)
        if not cut:
            kept = engine.workspace.absolute(self.job.provider_data.kept_path)
            data = kept.read_bytes()
            cut["size"] = data.index(b"\n", len(data) // 3) + 1
            with open(kept, "r+b") as handle:
                handle.truncate(cut["size"])

    monkeypatch.setattr(pipeline.JobRunner, "_commit", commit_then_cut)
    job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="products")).uid)
    assert job.status is JobStatus.ERROR
    assert f"has {cut['size']:,} now" in job.error_message
    assert job.progress.pending > 0 and job.progress.total == job.progress.done + job.progress.pending


def test_retry_of_an_errored_job_and_confirm_check_the_file_too(engine, tmp_path):
    path = write_products(tmp_path / "p.csv", 300)
    validated = engine.run_job(engine.create_job(path, ImportOptions(resource_type="products",
                                                                     job_type=JobType.VALIDATE)).uid)
    kept = _kept(engine, validated)
    kept.write_bytes(kept.read_bytes() + b"SKU-9999999,Late,,tools,1.50,EUR,0.5,true,,2025-01-01,\n")
    with pytest.raises(UsageError, match="changed since job"):
        engine.confirm(validated.uid)

    failed = engine.create_job(write_products(tmp_path / "q.csv", 300, start=5000),
                               ImportOptions(resource_type="products"))
    kept_q = _kept(engine, failed)
    original = kept_q.read_bytes()
    kept_q.write_bytes(b"sku\n")  # no required columns: the job fails
    assert engine.run_job(failed.uid).status is JobStatus.ERROR
    with pytest.raises(UsageError, match="changed since job"):
        engine.retry(failed.uid)
    kept_q.write_bytes(original)  # put back: the retry goes on
    engine.retry(failed.uid)
    assert engine.run_job(failed.uid).progress.done == 300
