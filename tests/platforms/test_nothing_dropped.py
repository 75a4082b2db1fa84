"""Attributes a type does not declare are kept with the record, warned once per job and attribute
with a count, and given back by exports (JSONL as attributes again, CSV as an ``_extra`` column)."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

from importdesk.engine import Engine, ImportOptions
from importdesk.exports.records import export_records
from importdesk.models import ItemLevel, JobStatus
from importdesk.schemas import EXTRA
from importdesk.store.migrations import MIGRATIONS, migrate
from importdesk.workspace import Workspace

from support import FixedClock, counting_uids

PLAN = {  # 15 attributes: the 12 of PlanAttributes (all declared), 3 that the type does not declare
    "external_ref": "pl-1", "name": "Monthly", "description": "Billed monthly",
    "billing_interval_type": "month", "billing_frequency": 1, "trial_period": 0, "plan_length": 12,
    "end_behavior": "roll", "can_pause": True, "can_resume": True, "can_cancel": False,
    "fixed_price": {"USD": {"amount": 1200, "includes_tax": False}}, "status": "active",
    "grace_days": 3, "pause_limit": {"unit": "month", "amount": 2},
}
UNDECLARED = ["status", "grace_days", "pause_limit"]


def envelope(kind, attributes):
    return json.dumps({"data": {"type": kind, "attributes": attributes}})


def mixed_file(tmp_path, plans=3):
    lines = [envelope("subscription_product", {"external_ref": "p-1", "name": "Tea Box", "sku": "TEA",
                                               "colour": "green"})]
    for i in range(plans):
        plan = dict(PLAN, external_ref=f"pl-{i}")
        if i == 1:
            del plan["status"]  # counts are per attribute: status is on 2 of the 3 plans
        lines.append(envelope("subscription_plan", plan))
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(engine, path, **options):
    return engine.run_job(engine.create_job(path, ImportOptions(**options)).uid)


def test_undeclared_attributes_are_warned_once_with_a_count_and_kept(engine, tmp_path):
    job = run(engine, mixed_file(tmp_path), resource_type="mixed")
    assert job.status is JobStatus.DONE and job.progress.error == 0
    warnings = engine.list_items(job.uid, level=ItemLevel.WARNING, code="undeclared_attribute", limit=100)
    got = {(w.resource_type, w.field): (w.value, w.row_number) for w in warnings}
    assert got == {
        **{("subscription_plan", f): ("3", 2) for f in UNDECLARED if f != "status"},
        ("subscription_plan", "status"): ("2", 2),
        ("subscription_product", "colour"): ("1", 1),
    }
    status = next(w for w in warnings if w.field == "status")
    assert status.message == ("is not a field of subscription_plan: 2 records have it, kept with the record "
                              "(exports give it back)")
    assert job.warnings_count == len(warnings)
    plan = next(r for r in engine.iter_records("subscription_plan") if r["external_ref"] == "pl-0")
    assert plan[EXTRA] == {f: PLAN[f] for f in UNDECLARED}


def test_counts_span_batches(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 2)
    job = run(engine, mixed_file(tmp_path, plans=7), resource_type="mixed")
    [warning] = engine.list_items(job.uid, code="undeclared_attribute", field="grace_days")
    assert warning.value == "7" and "7 records have it" in warning.message
    assert job.warnings_count == 4  # one per attribute: 3 of the plans, 1 of the product


def test_jsonl_export_gives_every_attribute_back_and_imports_identically(engine, tmp_path):
    run(engine, mixed_file(tmp_path), resource_type="mixed")
    out = tmp_path / "plans.jsonl"
    export_records(engine, "subscription_plan", out, "jsonl")
    exported = [json.loads(line, parse_float=Decimal) for line in out.read_text(encoding="utf-8").splitlines()]
    unset = {"base_price_percentage": None}  # declared, not in the file: an empty field
    assert exported[0] == PLAN | {"external_ref": "pl-0"} | unset  # 15 of 15 attributes
    assert exported[1] == {k: v for k, v in PLAN.items() if k != "status"} | {"external_ref": "pl-1"} | unset
    assert_same_records_after_reimport(engine, tmp_path, out)


def test_csv_export_keeps_them_in_an_extra_column_and_imports_identically(engine, tmp_path):
    run(engine, mixed_file(tmp_path), resource_type="mixed")
    out = tmp_path / "plans.csv"
    export_records(engine, "subscription_plan", out, "csv")
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[-1] == "_extra"
    assert_same_records_after_reimport(engine, tmp_path, out)


def assert_same_records_after_reimport(engine, tmp_path, path):
    other = Engine(Workspace.open(tmp_path / "ws2"), clock=FixedClock(), uid_factory=counting_uids("02JOB"))
    try:
        job = run(other, path, resource_type="subscription_plan")
        assert (job.status, job.progress.error) == (JobStatus.DONE, 0)
        assert list(other.iter_records("subscription_plan")) == list(engine.iter_records("subscription_plan"))
    finally:
        other.close()


def test_migration_gives_existing_records_tables_the_extra_column(tmp_path):
    db = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    for number, step in enumerate(MIGRATIONS[:4], start=1):
        db.executescript(step)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute('CREATE TABLE records_products (_key TEXT PRIMARY KEY, sku TEXT, "_job_uid" TEXT)')
    db.execute("INSERT INTO records_products VALUES ('A', 'A', 'j')")
    assert migrate(db) == len(MIGRATIONS)
    assert db.execute("SELECT sku, _extra FROM records_products").fetchall() == [("A", None)]
