"""The headless command line on every sample file: exit codes, summaries, JSON and CSV output."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from importdesk.cli import main

from support import SAMPLES


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPORTDESK_HOME", str(tmp_path / "ws"))
    return tmp_path / "ws"


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name, args, rows", [
    ("products.csv", ["--type", "products"], 1000),
    ("preise_de.csv", ["--type", "prices", "--locale", "de"], 300),
    ("customers.xlsx", [], 250),
    ("subscriptions.jsonl", [], 114),
    ("stock.csv", ["--type", "stock_items"], 100),
])
def test_run_every_clean_sample(ws, capsys, name, args, rows):
    code, out, err = cli(capsys, "run", str(SAMPLES / name), *args, "--json")
    assert code == 0, err
    job = json.loads(out)
    assert job["status"] == "done" and job["progress"] == {"total": rows, "done": rows, "error": 0, "pending": 0}
    assert job["provider_data"]["original_file_name"] == name


def test_user_schema_sample(ws, capsys):
    (ws / "schemas").mkdir(parents=True)
    shutil.copy(SAMPLES / "schemas" / "wine_catalogue.toml", ws / "schemas")
    code, out, err = cli(capsys, "run", str(SAMPLES / "wines.csv"), "--type", "wines")
    assert code == 0 and "100 ok" in err
    code, out, _ = cli(capsys, "types", "wines")
    assert "vintage" in out


def test_error_sample_exit_code_summary_and_errors_output(ws, capsys):
    code, _, err = cli(capsys, "run", str(SAMPLES / "products_with_errors.csv"), "--type", "products",
                       "--skip-errors")
    assert code == 1
    assert "167 ok, 33 rejected" in err and "importdesk errors" in err
    uid = err.split("job ", 1)[1].split()[0]
    code, out, _ = cli(capsys, "errors", uid)
    assert "products_with_errors.csv: row 70, column price: error: must be a number ≥ 0 (value '-5.00')" in out
    code, out, _ = cli(capsys, "errors", uid, "--csv", "--level", "error")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len({r["row"] for r in rows}) == 33
    code, out, _ = cli(capsys, "errors", uid, "--json", "--level", "warning")
    assert {i["code"] for i in json.loads(out)} == {"unknown_column", "duplicate_key"}


def test_threshold_interrupts_with_its_exit_code_then_resume(ws, capsys):
    code, _, err = cli(capsys, "run", str(SAMPLES / "products_with_errors.csv"), "--type", "products")
    assert code == 4 and "threshold" in err and "importdesk resume" in err
    uid = err.split("job ", 1)[1].split()[0]
    code, out, err = cli(capsys, "resume", uid, "--skip-errors", "--json")
    assert code == 1 and json.loads(out)["progress"]["pending"] == 0


def test_validate_then_confirm(ws, capsys):
    code, out, err = cli(capsys, "run", str(SAMPLES / "products.csv"), "--validate", "--json")
    assert code == 0 and "importdesk confirm" in err
    validated = json.loads(out)
    assert validated["job_type"] == "validate" and validated["summary"]["create"] == 1000
    code, out, _ = cli(capsys, "confirm", validated["uid"][-8:], "--json")
    executed = json.loads(out)
    assert code == 0 and executed["validated_job_uid"] == validated["uid"] and executed["processed_count"] == 1000


def test_jobs_filters_paging_and_show(ws, capsys):
    cli(capsys, "run", str(SAMPLES / "products.csv"), "--type", "products")
    cli(capsys, "run", str(SAMPLES / "stock.csv"), "--type", "stock_items", "--reference", "ERP-42")
    code, out, _ = cli(capsys, "jobs", "--json", "--resource", "stock_items")
    listing = json.loads(out)
    assert [j["resource_type"] for j in listing["data"]] == ["stock_items"] and listing["meta"]["total"] == 1
    code, out, _ = cli(capsys, "jobs", "--json", "--limit", "1", "--offset", "1")
    assert code == 0 and json.loads(out)["data"][0]["resource_type"] == "products"
    _, out, _ = cli(capsys, "jobs", "--search", "ERP-4")
    assert "stock.csv" in out and "products.csv" not in out
    uid = listing["data"][0]["uid"]
    _, out, _ = cli(capsys, "show", uid)
    assert "reference  ERP-42" in out and "100 total: 100 done" in out
    _, out, _ = cli(capsys, "show", uid, "--json")
    shown = json.loads(out)
    for field in ("uid", "provider_type", "provider_data", "job_type", "status", "error_message", "progress",
                  "metadata", "created_at", "updated_at"):
        assert field in shown
    assert shown["metadata"]["data_row_index"] == 100


def test_usage_errors_exit_2_with_a_message(ws, capsys):
    code, _, err = cli(capsys, "run", "no-such-file.csv", "--type", "products")
    assert code == 2 and "no such file" in err
    code, _, err = cli(capsys, "run", str(SAMPLES / "products.csv"), "--type", "nope")
    assert code == 2 and "unknown resource type" in err
    code, _, err = cli(capsys, "show", "ZZZZ")
    assert code == 2 and "no job" in err
    code, _, err = cli(capsys, "run", str(SAMPLES / "products.csv"), "--shared", "{not json")
    assert code == 2 and "--shared" in err


def test_fatal_file_exit_3(ws, capsys, tmp_path):
    bad = tmp_path / "junk.xlsx"
    bad.write_text("this is not a workbook", encoding="utf-8")
    code, _, err = cli(capsys, "run", str(bad), "--type", "products")
    assert code == 3 and "junk.xlsx" in err and "Traceback" not in err


def test_cancel_delete_and_retry_rules(ws, capsys):
    code, out, _ = cli(capsys, "run", str(SAMPLES / "products.csv"), "--type", "products", "--queue")
    uid = out.strip()
    code, out, _ = cli(capsys, "cancel", uid)
    assert code == 0 and "canceled" in out
    code, _, err = cli(capsys, "retry", uid)
    assert code == 2 and "retried only when error" in err
    code, out, _ = cli(capsys, "delete", uid)
    assert code == 0
    code, out, err = cli(capsys, "jobs")
    assert "no jobs" in err


def test_export_records_and_failed_rows_from_the_command_line(ws, capsys, tmp_path):
    cli(capsys, "run", str(SAMPLES / "products.csv"), "--type", "products")
    code, out, err = cli(capsys, "export", "products", str(tmp_path / "all.jsonl"), "--json")
    assert code == 0 and json.loads(out)["processed_count"] == 1000
    assert len((tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()) == 1000
    code, _, err = cli(capsys, "export", "products", str(tmp_path / "all.pdf"))
    assert code == 2 and "pdf" in err
    code, _, err = cli(capsys, "run", str(SAMPLES / "products_with_errors.csv"), "--type", "products",
                       "--skip-errors")
    uid = err.split("job ", 1)[1].split()[0]
    code, _, err = cli(capsys, "errors", uid, "--export", str(tmp_path / "fix.xlsx"))
    assert code == 0 and "33 failed rows" in err
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "fix.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["_source_row", "_errors"] and sheet.max_row == 34
    code, _, err = cli(capsys, "retry", uid, "--json")
    assert code == 1  # a new job of just the failed rows: they still fail, nothing was fixed
