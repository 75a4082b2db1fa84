"""Retrying failed rows: a new job fed by an earlier job's rejected rows, with corrections."""

from __future__ import annotations

import pytest

from importdesk.engine import ImportOptions, UsageError
from importdesk.models import ItemLevel, JobStatus, ProviderType

from support import SAMPLES


@pytest.fixture
def failed_job(engine):
    job = engine.create_job(SAMPLES / "products_with_errors.csv",
                            ImportOptions(resource_type="products", skip_errors=True))
    return engine.run_job(job.uid)


def test_retry_runs_only_the_failed_rows_with_their_row_numbers(engine, failed_job):
    retry = engine.retry(failed_job.uid)
    assert retry.provider_type is ProviderType.IMPORT_JOB
    assert retry.provider_data.source_job_uid == failed_job.uid and retry.retry_of_uid == failed_job.uid
    done = engine.run_job(retry.uid)
    assert done.progress.total == 33 and done.progress.error == 33  # nothing was fixed yet
    before = {(i.row_number, i.field) for i in engine.iter_items(failed_job.uid, ItemLevel.ERROR)}
    after = {(i.row_number, i.field) for i in engine.iter_items(done.uid, ItemLevel.ERROR)}
    assert after == before


def test_corrections_make_rows_pass_and_the_source_report_stays(engine, failed_job):
    items_before = engine.count_items(failed_job.uid)
    engine.edit_failed_value(failed_job.uid, 70, "price", "5.00")     # was -5.00
    engine.edit_failed_value(failed_job.uid, 57, "name", "Fixed name")  # was empty
    with pytest.raises(UsageError, match="did not fail"):
        engine.edit_failed_value(failed_job.uid, 3, "price", "1")
    done = engine.run_job(engine.retry(failed_job.uid).uid)
    assert (done.progress.done, done.progress.error) == (2, 31)
    skus = {r["sku"]: r for r in engine.iter_records("products", job_uid=done.uid)}
    assert len(skus) == 2 and any(str(r["price"]) == "5.00" or r["price"] == 5 for r in skus.values())
    assert any(r["name"] == "Fixed name" for r in skus.values())
    assert engine.count_items(failed_job.uid) == items_before
    assert engine.get_job(failed_job.uid).progress.error == 33


def test_a_job_without_failed_rows_cannot_be_retried_as_rows(engine):
    job = engine.run_job(engine.create_job(SAMPLES / "stock.csv", ImportOptions(resource_type="stock_items")).uid)
    with pytest.raises(UsageError, match="has no failed rows to retry"):
        engine.retry_failed(job.uid)


def test_report_has_errors_log_keyed_by_record_and_field(engine, failed_job):
    report = engine.report(failed_job.uid)
    assert report["errors_log"]["SKU-002069"] == {"price": ["must be a number ≥ 0"]}
    price_errors = {key for key, fields in report["errors_log"].items() if "price" in fields}
    assert len(price_errors) == 6
    assert report["warnings_log"]["file"]["row"] == [
        "column 'internal_note' is not a field of products: kept in _extra"]
    assert report["status"] == JobStatus.DONE.value
