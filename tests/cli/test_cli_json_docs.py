"""docs/job.schema.json and docs/cli-json.md describe what the commands really print."""

from __future__ import annotations

import json
import re
from pathlib import Path

from importdesk.cli.json_shapes import job_schema
from importdesk.cli.parser import cli

from cli_helpers import invoke
from support import SAMPLES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_committed_schema_is_the_models():
    assert json.loads((DOCS / "job.schema.json").read_text(encoding="utf-8")) == job_schema()


def test_printed_jobs_have_exactly_the_schemas_fields(tmp_path):
    schema = job_schema()
    run = invoke("run", SAMPLES / "stock.csv", "--type", "stock_items", "--json", workspace=tmp_path).json()
    assert set(run) == set(schema["properties"]) == set(schema["required"])
    shown = invoke("show", run["uid"], "--json", workspace=tmp_path).json()
    assert set(shown) - set(schema["properties"]) == {"errors_log", "warnings_log"}
    listed = invoke("jobs", "--json", workspace=tmp_path).json()
    assert set(listed) == {"data", "meta"} and set(listed["meta"]) == {"offset", "limit", "total"}
    assert set(listed["data"][0]) == set(schema["properties"])


def test_every_command_with_json_is_documented():
    text = (DOCS / "cli-json.md").read_text(encoding="utf-8").split("## Per command", 1)[1]
    documented = set(re.findall(r"`([a-z]+)`", text.split("Errors never")[0]))
    with_json = {name for name, cmd in cli.commands.items() if any(p.name in ("json", "fmt") for p in cmd.params)}
    assert with_json <= documented, with_json - documented
