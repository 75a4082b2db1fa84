"""Commands that only read never create a workspace: looking is free, and leaves nothing behind."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from importdesk.cli import main

from support import SAMPLES

READ_ONLY = [["types"], ["types", "--json"], ["types", "products"], ["jobs"], ["jobs", "--json"],
             ["jobs", "--status", "error"]]


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """IMPORTDESK_HOME names a folder that does not exist."""
    missing = tmp_path / "not-yet"
    monkeypatch.setenv("IMPORTDESK_HOME", str(missing))
    return missing


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", READ_ONLY, ids=" ".join)
def test_reading_a_workspace_that_was_never_made_creates_nothing(nowhere, capsys, argv):
    code, _, err = cli(capsys, *argv)
    assert code == 0, err
    assert not nowhere.exists()


def test_what_reading_nowhere_shows(nowhere, capsys):
    _, out, _ = cli(capsys, "types", "--json")
    assert {"products", "prices", "customers"} <= {t["name"] for t in json.loads(out)}
    _, out, _ = cli(capsys, "jobs", "--json")
    assert json.loads(out) == {"data": [], "meta": {"offset": 0, "limit": 50, "total": 0}}
    _, _, err = cli(capsys, "jobs")
    assert "no jobs" in err


@pytest.mark.parametrize("command", ["show", "errors"])
def test_a_job_in_a_workspace_never_made_is_a_usage_error_and_creates_nothing(nowhere, capsys, command):
    code, _, err = cli(capsys, command, "3T8K2M")
    assert code == 2 and "no job '3T8K2M'" in err
    assert not nowhere.exists()


@pytest.mark.parametrize("argv", [["--help"], ["types", "--help"], ["jobs", "--help"], ["show", "--help"],
                                  ["demo", "--help"], ["--version"]], ids=" ".join)
def test_help_and_version_create_nothing(nowhere, argv):
    done = subprocess.run([sys.executable, "-m", "importdesk", *argv], capture_output=True, text=True)
    assert done.returncode == 0 and "importdesk" in done.stdout, done.stderr
    assert not nowhere.exists()


def test_the_default_location_is_left_alone_too(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("IMPORTDESK_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for argv in READ_ONLY:
        assert cli(capsys, *argv)[0] == 0
    assert not (tmp_path / "data").exists() and not (tmp_path / "home").exists()


def test_a_workspace_that_exists_is_read_as_before(nowhere, capsys):
    code, _, err = cli(capsys, "run", str(SAMPLES / "stock.csv"), "--type", "stock_items")
    assert code == 0, err
    _, out, _ = cli(capsys, "jobs", "--json")
    [job] = json.loads(out)["data"]
    code, out, _ = cli(capsys, "show", job["uid"])
    assert code == 0 and "stock.csv" in out
