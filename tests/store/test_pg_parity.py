"""The same imports on SQLite and on PostgreSQL end the same: jobs, counters, create/update/unchanged,
every row error and warning, and the records themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobStatus, JobType
from importdesk.workspace import Workspace

from support import SAMPLES, FixedClock, counting_uids, write_products

# what can differ and says nothing about the import: which process ran it, and for how long
NOT_COMPARED = {"worker", "run_seconds"}


def _imports(tmp_path: Path) -> list[tuple[Path, ImportOptions]]:
    files = tmp_path / "files"
    files.mkdir(exist_ok=True)
    dup = files / "dup.csv"
    dup.write_text(write_products(files / "one.csv", 3).read_text() + "SKU-0000001,Again,,tools,9.50,EUR,1,no,,,\n")
    products = ImportOptions(resource_type="products")
    return [
        (SAMPLES / "products.csv", products),
        (SAMPLES / "products_with_errors.csv", ImportOptions(resource_type="products", job_type=JobType.VALIDATE,
                                                                 skip_errors=True)),
        (SAMPLES / "products_with_errors.csv", ImportOptions(resource_type="products", skip_errors=True)),
        (SAMPLES / "products.csv", products),  # again: everything unchanged
        (write_products(files / "big.csv", 21_000, bad_every=97, start=500), ImportOptions(
            resource_type="products", skip_errors=True)),  # batches; on SQLite through its batch writer
        (dup, products),  # a key twice in one file: the later row wins, with a warning
        (SAMPLES / "subscriptions.jsonl", ImportOptions()),  # several types in one file
        (SAMPLES / "preise_de.csv", ImportOptions(resource_type="prices", locale="de", parent_resource_id="EU")),
        (SAMPLES / "products_with_errors.csv", products),  # over the 10% threshold: interrupted
    ]


def _run_all(tmp_path: Path, name: str) -> dict:
    engine = Engine(Workspace.open(tmp_path / name), clock=FixedClock(), uid_factory=counting_uids())
    outcome: dict = {"jobs": [], "items": [], "records": {}}
    for path, options in _imports(tmp_path):
        uid = engine.create_job(path, options).uid
        job = engine.run_job(uid)
        outcome["jobs"].append(job.model_dump(exclude=NOT_COMPARED))
        outcome["items"].append([item.model_dump(exclude={"id"}) for item in engine.iter_items(uid)])
    for rt in ("products", "prices", "subscription", "subscription_plan", "subscription_offering"):
        outcome["records"][rt] = list(engine.iter_records(rt))
    engine.close()
    return outcome


def test_the_same_imports_end_the_same_on_both_stores(tmp_path, pg_url, monkeypatch):
    monkeypatch.delenv("IMPORTDESK_STORE", raising=False)
    on_sqlite = _run_all(tmp_path, "sqlite")
    monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
    on_postgres = _run_all(tmp_path, "postgres")
    statuses = [job["status"] for job in on_sqlite["jobs"]]
    assert statuses.count(JobStatus.DONE) == 8 and statuses[-1] is JobStatus.INTERRUPTED  # the scenarios hold
    assert sum(len(items) for items in on_sqlite["items"]) > 100
    for n, (a, b) in enumerate(zip(on_sqlite["jobs"], on_postgres["jobs"], strict=True)):
        assert b == a, f"job {n}"
    for n, (a, b) in enumerate(zip(on_sqlite["items"], on_postgres["items"], strict=True)):
        assert b == a, f"items of job {n}"
    for rt, rows in on_sqlite["records"].items():
        assert on_postgres["records"][rt] == rows, rt


@pytest.mark.parametrize("changed", [False, True])
def test_reimporting_classifies_against_what_is_stored(tmp_path, store_backend, changed):
    engine = Engine(Workspace.open(tmp_path / "ws"), clock=FixedClock(), uid_factory=counting_uids())
    first = write_products(tmp_path / "a.csv", 50)
    engine.run_job(engine.create_job(first, ImportOptions(resource_type="products")).uid)
    again = tmp_path / "b.csv"
    text = first.read_text()
    again.write_text(text.replace("Product 7,", "Product seven,") if changed else text + "\n")
    job = engine.run_job(engine.create_job(again, ImportOptions(resource_type="products")).uid)
    expected = (0, 1, 49) if changed else (0, 0, 50)
    assert (job.summary.create, job.summary.update, job.summary.unchanged) == expected
    assert engine.record_count("products") == 50
    engine.close()


def _queries(tmp_path: Path, name: str) -> dict:
    """What the job list, the detail and the errors pane ask the store, after a few imports."""
    from importdesk.models import ItemLevel, JobFilter

    engine = Engine(Workspace.open(tmp_path / name), clock=FixedClock(), uid_factory=counting_uids())
    for path, options in _imports(tmp_path)[:3] + _imports(tmp_path)[5:8]:
        engine.run_job(engine.create_job(path, options).uid)
    uids = [job.uid for job in engine.list_jobs()]
    bad = uids[-3]  # products_with_errors.csv, executed with --skip-errors
    answers = {
        "all": [j.uid for j in engine.list_jobs()],
        "page": [j.uid for j in engine.list_jobs(JobFilter(limit=2, offset=1))],
        "by status": [j.uid for j in engine.list_jobs(JobFilter(status=[JobStatus.DONE]))],
        "validate": engine.count_jobs(JobFilter(job_type=JobType.VALIDATE)),
        "by type": [j.uid for j in engine.list_jobs(JobFilter(resource_type="prices"))],
        "text _": [j.uid for j in engine.list_jobs(JobFilter(text="_with_"))],  # LIKE's _ taken literally
        "text %": engine.count_jobs(JobFilter(text="%")),
        "with errors": [j.uid for j in engine.list_jobs(JobFilter(with_row_errors=True))],
        "revisions": engine.job_revisions(),
        "short uid": engine.get_job(bad[-8:]).uid,
        "statuses": engine.status_counts(),
        "resource types": engine.job_resource_types(),
        "kinds": engine.item_kinds(bad),
        "fields": engine.item_fields(bad),
        "errors page": [i.model_dump(exclude={"id"}) for i in engine.list_items(bad, level=ItemLevel.ERROR,
                                                                                offset=5, limit=7)],
        "by field": engine.count_items(bad, field="price"),
        "no field": engine.count_items(bad, whole_row=True),
        "text in items": engine.count_items(bad, text="price"),
        "warnings": [i.model_dump(exclude={"id"}) for i in engine.iter_items(uids[-6], ItemLevel.WARNING)],
        "first items": [[i.model_dump(exclude={"id"}) for i in engine.list_items(uid, limit=3)] for uid in uids],
    }
    engine.delete(uids[0])
    answers["after delete"] = [j.uid for j in engine.list_jobs()]
    engine.close()
    return answers


def test_the_store_answers_the_same_questions_the_same_on_both(tmp_path, pg_url, monkeypatch):
    monkeypatch.delenv("IMPORTDESK_STORE", raising=False)
    on_sqlite = _queries(tmp_path, "sqlite")
    monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
    on_postgres = _queries(tmp_path, "postgres")
    # the questions bite: matches, and items without a row number among the first (NULLs sort differently)
    assert on_sqlite["by field"] > 0 and on_sqlite["text _"] and on_sqlite["errors page"]
    assert any(item["row_number"] is None for items in on_sqlite["first items"] for item in items)
    for question, answer in on_sqlite.items():
        assert on_postgres[question] == answer, question
