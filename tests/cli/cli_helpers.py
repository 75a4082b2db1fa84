"""Plain helpers of the command-line tests: run a command line in-process with click's runner."""

from __future__ import annotations

import json
from dataclasses import dataclass

from click.testing import CliRunner

from importdesk.cli.parser import cli


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def invoke(*argv: str, workspace=None) -> Result:
    """One command line, as a user types it; stdout and stderr apart."""
    args = [*(["--workspace", str(workspace)] if workspace else []), *map(str, argv)]
    result = CliRunner().invoke(cli, args, prog_name="importdesk", catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)
