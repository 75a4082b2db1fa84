"""Record exports and failed-row exports, end to end through the engine: what goes out comes back."""

from __future__ import annotations

import csv

import pytest

from importdesk.engine import Engine, ImportOptions, UsageError
from importdesk.models import JobStatus, JobType
from importdesk.workspace import Workspace

from support import SAMPLES, FixedClock, counting_uids

LOADS = [("products.csv", "products", "en"), ("preise_de.csv", "prices", "de"),
         ("customers.xlsx", "customers", "en"), ("stock.csv", "stock_items", "en"),
         ("subscriptions.jsonl", None, "en")]
TYPES = ["products", "prices", "customers", "stock_items", "subscription_product", "subscription_plan",
         "subscription_subscriber", "subscription_offering", "subscription"]
# the types whose records a type's references name: in the store before its records come back
NAMED = {"subscription_offering": ["subscription_product", "subscription_plan"],
         "subscription": ["subscription_product", "subscription_plan", "subscription_offering"]}


# SQLite only: one store loaded once for the 27 exports below (the formats are the writers' business);
# the records read back from PostgreSQL are test_pg_parity's, and the tests after these run on both
@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    ws = Workspace.open(tmp_path_factory.mktemp("loaded") / "ws")
    engine = Engine(ws, clock=FixedClock(), uid_factory=counting_uids("01SRC"))
    for name, rtype, locale in LOADS:
        job = engine.create_job(SAMPLES / name, ImportOptions(resource_type=rtype, locale=locale))
        assert engine.run_job(job.uid).status is JobStatus.DONE
    yield engine
    engine.close()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
@pytest.mark.parametrize("rtype", TYPES)
def test_export_reimports_into_an_empty_workspace_as_identical_records(loaded, tmp_path, rtype, fmt):
    export = loaded.create_export(rtype, fmt)
    assert export.job_type is JobType.EXPORT
    done = loaded.run_job(export.uid)
    assert done.status is JobStatus.DONE, done.error_message
    assert done.progress.done == done.progress.total == loaded.record_count(rtype) > 0
    path = loaded.workspace.absolute(done.provider_data.kept_path)
    fresh = Engine(Workspace.open(tmp_path / "fresh"))
    try:
        for named in NAMED.get(rtype, []):
            first = loaded.run_job(loaded.create_export(named, "jsonl").uid)
            first_path = loaded.workspace.absolute(first.provider_data.kept_path)
            named_job = fresh.run_job(fresh.create_job(first_path, ImportOptions(resource_type=named)).uid)
            assert named_job.progress.error == 0
        job = fresh.run_job(fresh.create_job(path, ImportOptions(resource_type=rtype)).uid)
        assert job.status is JobStatus.DONE and job.progress.error == 0, fresh.list_items(job.uid)[:3]
        assert list(fresh.iter_records(rtype)) == list(loaded.iter_records(rtype))
    finally:
        fresh.close()


def test_export_of_the_records_one_job_wrote(engine):
    first = engine.run_job(engine.create_job(SAMPLES / "products.csv", ImportOptions(resource_type="products")).uid)
    second = engine.run_job(engine.create_job(SAMPLES / "products_with_errors.csv",
                                              ImportOptions(resource_type="products", skip_errors=True)).uid)
    done = engine.run_job(engine.create_export("products", "csv", job_uid=second.uid).uid)
    assert done.progress.done == 164 and first.summary.create == 1000
    with pytest.raises(UsageError, match="cannot export to 'pdf': use csv, xlsx, jsonl or ep"):
        engine.create_export("products", "pdf")


def test_failed_rows_export_fixed_and_reimported(engine, tmp_path):
    failed = engine.run_job(engine.create_job(SAMPLES / "products_with_errors.csv",
                                              ImportOptions(resource_type="products", skip_errors=True)).uid)
    out = tmp_path / "fix-me.csv"
    assert engine.export_failed_rows(failed.uid, out) == 33
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["_source_row"] for r in rows][:3] == ["2", "24", "30"]
    # "fix them with a script": every bad value replaced by a good one, marker columns left in place
    fixed_rows = []
    for r in rows:
        r.update(name=r["name"] or "Named", price="5.00", currency="EUR", weight_kg="1", active="true",
                 ean="", launched_on="2025-01-01", attributes="{}", sku=r["sku"].replace(" ", "-"))
        for column in ("description", "category", "internal_note"):
            r[column] = r.get(column) or ""
        fixed_rows.append(r)
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(fixed_rows)
    before = {r["sku"] for r in engine.iter_records("products")}
    job = engine.run_job(engine.create_job(fixed, ImportOptions(resource_type="products")).uid)
    assert job.status is JobStatus.DONE and (job.progress.done, job.progress.error) == (33, 0), \
        engine.list_items(job.uid)[:3]
    # the marker columns are recognised; only the file's own extra column is reported
    assert {i.value for i in engine.list_items(job.uid, code="unknown_column")} == {"internal_note"}
    fixed_skus = {r["sku"] for r in fixed_rows}
    assert engine.record_count("products") == len(before | fixed_skus)


def test_formula_values_survive_failed_rows_export_and_reimport(engine, tmp_path):
    src = tmp_path / "formulas.csv"
    src.write_text("sku,name,price\nF-1,=SUM(A1:A3),-1\nF-2,+49 adapter,-2\nF-3,@home,-3\n", encoding="utf-8")
    failed = engine.run_job(engine.create_job(src, ImportOptions(resource_type="products", skip_errors=True)).uid)
    out = tmp_path / "out.csv"
    engine.export_failed_rows(failed.uid, out)
    text = out.read_text(encoding="utf-8-sig")
    assert "'=SUM(A1:A3)" in text and "'+49 adapter" in text  # neutralised for spreadsheets
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(text.replace("'-1", "1").replace("'-2", "2").replace("'-3", "3"), encoding="utf-8")
    job = engine.run_job(engine.create_job(fixed, ImportOptions(resource_type="products")).uid)
    assert job.progress.done == 3, engine.list_items(job.uid)
    names = {r["name"] for r in engine.iter_records("products")}
    assert names == {"=SUM(A1:A3)", "+49 adapter", "@home"}
