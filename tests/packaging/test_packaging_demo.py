"""`importdesk demo`: the sample files shipped in the package, on --workspace DIR or a temporary folder."""

from __future__ import annotations

import json
import sys
import tempfile

import pytest

import importdesk.tui.launch
from importdesk.cli import main
from importdesk.demo import DEMO_JOBS, SAMPLES

SAMPLE_FILES = [name for name, _ in DEMO_JOBS]


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def jobs_in(capsys, folder) -> list[dict]:
    code, out, _ = cli(capsys, "--workspace", str(folder), "jobs", "--json", "--limit", "100")
    assert code == 0
    return json.loads(out)["data"]


@pytest.fixture(autouse=True)
def no_default_workspace(tmp_path, monkeypatch):
    """Nothing may land in the user's own workspace; temporary folders go under tmp_path."""
    monkeypatch.setenv("IMPORTDESK_HOME", str(tmp_path / "default-workspace"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    yield
    assert not (tmp_path / "default-workspace").exists()


def test_the_sample_files_are_inside_the_package():
    assert sorted(p.name for p in SAMPLES.iterdir() if p.is_file() and p.suffix != ".md") == sorted(
        [*SAMPLE_FILES, "stock.csv"])
    assert (SAMPLES / "schemas" / "wine_catalogue.toml").is_file()


def test_headless_demo_on_a_workspace_given_imports_every_sample_there(tmp_path, capsys):
    target = tmp_path / "my demo"
    code, _, err = cli(capsys, "demo", "--workspace", str(target), "--headless")
    assert code == 0, err
    jobs = jobs_in(capsys, target)
    assert sorted(j["provider_data"]["original_file_name"] for j in jobs) == sorted(SAMPLE_FILES)
    assert {j["status"] for j in jobs} == {"done"}
    with_errors = next(j for j in jobs if j["provider_data"]["original_file_name"] == "products_with_errors.csv")
    assert with_errors["progress"]["error"] == 33  # the rejected rows the sample file is made with
    assert (target / "schemas" / "wine_catalogue.toml").is_file()
    assert f"demo workspace: {target}" in err and "temporary" not in err
    assert not list((tmp_path / "tmp").iterdir())  # no temporary folder when DIR was given


def test_a_demo_workspace_opened_again_is_not_filled_twice(tmp_path, capsys):
    target = tmp_path / "demo"
    cli(capsys, "demo", "--workspace", str(target), "--headless")
    code, _, err = cli(capsys, "demo", "--workspace", str(target), "--headless")
    assert code == 0 and "it had jobs already: the samples were not queued again" in err
    assert len(jobs_in(capsys, target)) == len(DEMO_JOBS)


def test_a_temporary_demo_workspace_is_named_on_exit(tmp_path, capsys):
    code, _, err = cli(capsys, "demo", "--headless")
    assert code == 0, err
    [folder] = (tmp_path / "tmp").iterdir()
    assert folder.name.startswith("importdesk-demo-")
    last_lines = err.strip().splitlines()[-3:]
    assert last_lines[0] == f"demo workspace: {folder} (a temporary folder: delete it when you are done)"
    assert f"importdesk --workspace {folder}" in last_lines[1]
    assert len(jobs_in(capsys, folder)) == len(DEMO_JOBS)


def test_the_app_demo_opens_the_app_on_the_workspace_with_the_samples_queued(tmp_path, capsys, monkeypatch):
    seen = {}

    def app_quits_at_once(engine, watch):
        seen["root"], seen["watch"] = engine.workspace.root, watch
        seen["pending"] = sorted(j.file_name for j in engine.list_jobs())
        print("app ran", file=sys.stderr)
        return 0

    monkeypatch.setattr(importdesk.tui.launch, "run_app", app_quits_at_once)
    target = tmp_path / "demo"
    code, _, err = cli(capsys, "demo", "--workspace", str(target))
    assert code == 0
    assert seen == {"root": target, "watch": False, "pending": sorted(SAMPLE_FILES)}
    assert err.index("app ran") < err.index(f"demo workspace: {target}")  # named after the app closed
