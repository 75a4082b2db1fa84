"""Records back out in Elastic Path's own format (JSONL envelopes): import -> export -> import
gives identical records, every attribute where Elastic Path reads it (declared or not, inside
``attributes`` or beside them in the envelope)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from importdesk.engine import Engine, ImportOptions, UsageError
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

from support import FixedClock, counting_uids

EP_FILES = Path(__file__).parent / "ep_files"
SUBSCRIPTION_TYPES = ["subscription_product", "subscription_plan", "subscription_offering",
                      "subscription_subscriber", "subscription"]
PRICE_BOOK_TYPES = ["pricebook", "product_price"]


def export_ep(engine, rtype):
    job = engine.run_job(engine.create_export(rtype, "ep").uid)
    assert job.status is JobStatus.DONE, job.error_message
    return engine.workspace.absolute(job.provider_data.kept_path)


def records(engine, types):
    return {t: list(engine.iter_records(t)) for t in types}


@pytest.mark.parametrize(("name", "types"), [("subscriptions.jsonl", SUBSCRIPTION_TYPES),
                                              ("pricebooks.jsonl", PRICE_BOOK_TYPES)])
def test_import_export_import_gives_identical_records(engine, tmp_path, name, types):
    first = engine.run_job(engine.create_job(EP_FILES / name, ImportOptions(resource_type=None)).uid)
    assert first.progress.error == 0
    # the types' exports as one file, referrers first: names point forward, as Elastic Path allows
    exported = "".join(export_ep(engine, t).read_text(encoding="utf-8") for t in reversed(types))
    combined = tmp_path / "upload.jsonl"
    combined.write_text(exported, encoding="utf-8")
    other = Engine(Workspace.open(tmp_path / "other"), clock=FixedClock(), uid_factory=counting_uids("02JOB"))
    try:
        again = other.run_job(other.create_job(combined, ImportOptions(resource_type=None)).uid)
        assert (again.status, again.progress.error, again.warnings_count) == (JobStatus.DONE, 0, 0)
        assert again.type_counts.imported == first.type_counts.imported
        assert records(other, types) == records(engine, types)
    finally:
        other.close()


def test_fields_go_back_where_elastic_path_reads_them(engine, tmp_path):
    engine.run_job(engine.create_job(EP_FILES / "pricebooks.jsonl", ImportOptions(resource_type=None)).uid)
    lines = [json.loads(line) for line in export_ep(engine, "product_price").read_text(encoding="utf-8").splitlines()]
    retail = next(obj["data"] for obj in lines if obj["data"]["pricebook_external_ref"] == "pb-eu")
    assert retail["type"] == "product-price"  # the platform's name, not the table's
    assert set(retail) == {"type", "pricebook_external_ref", "attributes"}
    assert retail["attributes"]["currencies"]["EUR"] == {
        "amount": 1299, "includes_tax": True,
        "tiers": {"ten_plus": {"minimum_quantity": 10, "amount": 1099},
                  "fifty_plus": {"minimum_quantity": 50, "amount": 999}}}
    books = [json.loads(line)["data"] for line in
             export_ep(engine, "pricebook").read_text(encoding="utf-8").splitlines()]
    staff = next(b for b in books if b["attributes"]["name"] == "Staff (no external ref)")
    assert staff["attributes"] == {"name": "Staff (no external ref)"}  # empty fields left out, not null


def test_undeclared_attributes_and_envelope_members_come_back_in_place(engine, tmp_path):
    line = {"data": {"type": "subscription_plan", "id": "5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
                     "attributes": {"external_ref": "pl-1", "name": "Monthly", "billing_interval_type": "month",
                                    "billing_frequency": 1, "plan_length": 12, "end_behavior": "roll",
                                    "can_pause": True, "can_resume": True, "can_cancel": True,
                                    "status": "active", "grace": {"days": 3}}}}
    path = tmp_path / "plans.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    engine.run_job(engine.create_job(path, ImportOptions(resource_type=None)).uid)
    [back] = [json.loads(text) for text in export_ep(engine, "subscription_plan").read_text().splitlines()]
    assert back == line  # every member, declared or not, where it was


def test_an_unknown_export_format_names_the_choices(engine):
    with pytest.raises(UsageError, match="use csv, xlsx, jsonl or ep"):
        engine.create_export("pricebook", "elastic")


def test_the_command_line_writes_elastic_path_files(tmp_path):
    from click.testing import CliRunner

    from importdesk.cli.parser import cli

    ws = tmp_path / "ws"
    runner = CliRunner()
    ran = runner.invoke(cli, ["--workspace", str(ws), "run", str(EP_FILES / "subscriptions.jsonl")])
    assert ran.exit_code == 0, ran.stderr
    out = tmp_path / "offerings.jsonl"
    done = runner.invoke(cli, ["--workspace", str(ws), "export", "subscription_offering", str(out), "--format", "ep"])
    assert done.exit_code == 0 and "1 subscription_offering records exported to offerings.jsonl" in done.stderr
    [line] = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["data"]["attributes"]["products"][:2] == ["prod-beans", "prod-filters"]
