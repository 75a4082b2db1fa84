"""What a command line imports before it does its work: `--version` and `--help` answer without the
engine, pydantic or rich (issue 13: every CLI process imported the whole engine, 263 ms); a command
that runs imports what it uses when it runs."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("importdesk.engine.service", "importdesk.models", "importdesk.schemas", "importdesk.store",
         "pydantic", "rich", "textual", "sqlite_utils")


def _modules_after(argv: list[str]) -> tuple[str, set[str]]:
    code = ("import io, json, sys, contextlib\n"
            "from importdesk.cli import main\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            f"    rc = main({argv!r})\n"
            "print(json.dumps([rc, out.getvalue(), sorted(sys.modules)]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rc, output, modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert rc == 0, done.stderr
    return output, set(modules)


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_version_imports_no_engine():
    output, modules = _modules_after(["--version"])
    assert output.startswith("importdesk ")
    assert _heavy(modules) == []


def test_help_of_a_command_imports_no_engine():
    output, modules = _modules_after(["run", "--help"])
    assert "--type" in output and "Exit codes:" in output
    assert _heavy(modules) == []


def test_a_command_imports_what_it_runs(tmp_path):
    output, modules = _modules_after(["types", "--workspace", str(tmp_path / "ws"), "--json"])
    assert any(t["name"] == "products" for t in json.loads(output))
    assert "importdesk.schemas" in modules


def test_a_run_without_a_terminal_does_not_load_the_live_bar(tmp_path):
    from support import write_products

    path = write_products(tmp_path / "products.csv", 50)
    _output, modules = _modules_after(["run", str(path), "--type", "products", "--workspace", str(tmp_path / "ws")])
    assert "importdesk.engine.service" in modules
    assert not any(m == "rich" or m.startswith("rich.") for m in modules)  # log lines on stderr need no rich


def test_reading_jobs_imports_no_validator(tmp_path):
    """`jobs`, `show` and `errors` read the store: they start without the schemas' validators, the
    readers' formats or the pipeline (a sixth of such a command's start)."""
    from support import write_products

    workspace = str(tmp_path / "ws")
    path = write_products(tmp_path / "products.csv", 30, bad_every=7)
    subprocess.run([sys.executable, "-m", "importdesk", "run", str(path), "--type", "products", "--skip-errors",
                    "--workspace", workspace], capture_output=True, check=False)
    output, _ = _modules_after(["jobs", "--workspace", workspace, "--json"])
    (job,) = json.loads(output)["data"]
    assert job["progress"]["error"] == 4
    for argv, shows in ((["jobs", "--workspace", workspace], job["uid"]),
                        (["show", job["uid"], "--workspace", workspace], "26 done, 4 error"),
                        (["errors", job["uid"], "--workspace", workspace, "--json"], '"row_number": 8')):
        output, modules = _modules_after(argv)
        assert shows in output, (argv, output)
        loaded = {"importdesk.schemas.validator", "importdesk.schemas.registry", "importdesk.engine.pipeline",
                  "importdesk.readers.csv_source", "openpyxl"} & modules
        assert loaded == set(), (argv, loaded)
