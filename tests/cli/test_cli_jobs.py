"""Job commands: export jobs that record where their file is, `jobs --job-type export`, `run --force`,
`types NAME`, --json on interrupt/cancel/delete, and retry on an interrupted job."""

from __future__ import annotations

import hashlib
import json

from importdesk.workspace import Workspace

from cli_helpers import invoke
from support import SAMPLES


def test_an_export_job_records_where_its_file_really_is(tmp_path):
    ws = tmp_path / "ws"
    assert invoke("run", SAMPLES / "stock.csv", "--type", "stock_items", workspace=ws).code == 0
    target = tmp_path / "out" / "stock.jsonl"
    target.parent.mkdir()
    result = invoke("export", "stock_items", target, "--json", workspace=ws)
    assert result.code == 0
    job = result.json()
    data = target.read_bytes()
    assert job["provider_data"]["kept_path"] == str(target.resolve())
    assert job["provider_data"]["size"] == len(data)
    assert job["provider_data"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert not list((ws / "exports").iterdir())  # written in place, not copied out of the workspace
    shown = invoke("show", job["uid"], workspace=ws).out
    assert "None" not in shown
    assert f"written to  {target.resolve()}" in shown and f"sha256  {job['provider_data']['sha256']}" in shown
    listed = invoke("jobs", "--job-type", "export", "--json", workspace=ws).json()
    assert [j["uid"] for j in listed["data"]] == [job["uid"]]
    assert invoke("jobs", "--job-type", "execute", "--json", workspace=ws).json()["meta"]["total"] == 1


def test_an_export_into_the_workspace_is_recorded_relative_to_it(tmp_path):
    ws = tmp_path / "ws"
    invoke("run", SAMPLES / "stock.csv", "--type", "stock_items", workspace=ws)
    result = invoke("export", "stock_items", ws / "exports" / "mine.csv", "--json", workspace=ws)
    assert result.code == 0 and result.json()["provider_data"]["kept_path"] == "exports/mine.csv"


def test_show_never_prints_none_for_a_queued_export(tmp_path):
    ws = tmp_path / "ws"
    from importdesk.engine import Engine
    from importdesk.workspace import Workspace

    job = Engine(Workspace.open(ws)).create_export("products", "csv")
    shown = invoke("show", job.uid, workspace=ws).out
    assert "None" not in shown and "size  –" in shown and "sha256  –" in shown


def test_run_refuses_the_same_content_twice_unless_forced(tmp_path):
    ws = tmp_path / "ws"
    first = invoke("run", SAMPLES / "stock.csv", "--type", "stock_items", "--json", workspace=ws).json()
    again = invoke("run", SAMPLES / "stock.csv", "--type", "stock_items", workspace=ws)
    assert again.code == 2 and first["uid"] in again.err and "--force" in again.err
    assert invoke("run", SAMPLES / "stock.csv", "--type", "stock_items", "--validate", workspace=ws).code == 0
    assert invoke("run", SAMPLES / "stock.csv", "--type", "stock_items", "--force", workspace=ws).code == 0
    assert invoke("jobs", "--job-type", "execute", "--json", workspace=ws).json()["meta"]["total"] == 2


def test_types_name_lists_key_defaults_choices_and_aliases(tmp_path):
    ws = tmp_path / "ws"
    Workspace.open(ws)
    (ws / "schemas" / "tickets.toml").write_text(
        '[resource]\nname = "tickets"\ntitle = "Tickets"\nkey = ["code"]\n'
        '[fields.code]\ntype = "string"\nrequired = true\naliases = ["Ticket no"]\n'
        '[fields.priority]\ntype = "enum"\nchoices = ["low", "high"]\ndefault = "low"\n', encoding="utf-8")
    text = invoke("types", "tickets", workspace=ws).out
    assert "key code" in text
    assert "one of low, high" in text and "default low" in text and "also read as 'Ticket no'" in text
    fields = {f["name"]: f for f in invoke("types", "tickets", "--json", workspace=ws).json()[0]["fields"]}
    assert fields["priority"]["choices"] == ["low", "high"] and fields["priority"]["default"] == "low"
    assert fields["code"]["key"] is True and fields["code"]["aliases"] == ["Ticket no"]
    products = {f["name"]: f for f in invoke("types", "products", "--json", workspace=ws).json()[0]["fields"]}
    assert products["active"]["default"] is True and products["currency"]["default"] == "EUR"


def test_types_nosuch_is_a_usage_error(tmp_path):
    result = invoke("types", "nosuch", workspace=tmp_path)
    assert result.code == 2 and "unknown resource type 'nosuch'" in result.err


def test_interrupt_cancel_delete_take_json(tmp_path):
    ws = tmp_path / "ws"
    uids = [invoke("run", SAMPLES / "stock.csv", "--type", "stock_items", "--queue", "--force",
                   workspace=ws).out.strip() for _ in range(2)]
    interrupted = invoke("interrupt", uids[0], "--json", workspace=ws)
    assert interrupted.code == 0 and interrupted.json()["status"] == "interrupted"
    canceled = invoke("cancel", uids[1], "--json", workspace=ws)
    assert canceled.code == 0 and canceled.json()["status"] == "canceled"
    deleted = invoke("delete", uids[1], "--json", workspace=ws)
    assert deleted.code == 0 and deleted.json()["uid"] == uids[1]
    assert invoke("jobs", "--json", workspace=ws).json()["meta"]["total"] == 1


def test_retry_on_an_interrupted_job_says_resume(tmp_path):
    ws = tmp_path / "ws"
    run = invoke("run", SAMPLES / "products_with_errors.csv", "--type", "products", "--json", workspace=ws)
    assert run.code == 4
    uid = run.json()["uid"]
    retried = invoke("retry", uid, workspace=ws)
    assert retried.code == 2 and f"importdesk resume {uid[-8:]}" in retried.err
    resumed = invoke("resume", uid, "--skip-errors", "--json", workspace=ws)
    assert resumed.code == 1 and json.loads(resumed.out)["status"] == "done"
