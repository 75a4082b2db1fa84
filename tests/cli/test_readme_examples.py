"""Every `importdesk` line in the README runs as written, in bash, in a folder holding the sample files.

The README's uids (3T8K2M, 7HX2QD) are made real: the `importdesk` on PATH here is a wrapper that
gives the jobs, in the order the README creates them, uids ending that way. The app and `watch`
run until stopped; their lines are checked with `--help` appended (the options parse)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import SAMPLES

README = Path(__file__).resolve().parents[2] / "README.md"
SECTIONS = ("## Everyday use", "### Query what was imported", "### Shell completion")
# uid suffixes of the jobs the README's lines create, in order: validate, confirm, prices, the run
# with rejected rows, its retry, the export
UID_ENDS = ("3T8K2M", "", "", "7HX2QD", "", "")
RUN_FOREVER = ("importdesk", "importdesk watch")
EXIT_CODES = {"products_with_errors.csv": 1, "importdesk retry": 1}

WRAPPER = """#!{python}
import os, sys
from pathlib import Path
import importdesk.engine.service as service
from importdesk.engine.clock import new_uid

state = Path(os.environ["README_UIDS"])
def readme_uid():
    ends = state.read_text().split(",")
    end = ends.pop(0) if ends else ""
    state.write_text(",".join(ends))
    uid = new_uid()
    return uid[: len(uid) - len(end)] + end
service.new_uid = readme_uid
from importdesk.cli import main
sys.exit(main())
"""


def readme_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    lines = []
    for section in SECTIONS:
        body = text.split(section, 1)[1].split("\n#", 1)[0]
        for block in re.findall(r"```bash\n(.*?)```", body, re.S):
            lines += [ln for ln in block.splitlines() if ln.strip()]
    return lines


def _command(line: str) -> str:
    """The line without its trailing comment (a # inside quotes stays)."""
    out, quote = [], None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and line[i - 1:i] in (" ", ""):
            break
        out.append(ch)
    return "".join(out).strip()


def test_the_readme_has_the_lines_this_test_runs():
    lines = [_command(ln) for ln in readme_lines()]
    assert "importdesk confirm 3T8K2M" in lines and "importdesk retry 7HX2QD" in lines
    assert any(ln.startswith("importdesk records") for ln in lines)
    assert all(ln.startswith(("importdesk", "eval ")) for ln in lines)


def test_every_readme_example_runs_as_written(tmp_path):
    folder = tmp_path / "here"
    shutil.copytree(SAMPLES, folder)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "importdesk"
    wrapper.write_text(WRAPPER.format(python=sys.executable), encoding="utf-8")
    wrapper.chmod(0o755)
    (tmp_path / "home" / ".config" / "fish" / "completions").mkdir(parents=True)
    uids = tmp_path / "uids"
    uids.write_text(",".join(UID_ENDS))
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path / "home"),
           "IMPORTDESK_HOME": str(tmp_path / "ws"), "README_UIDS": str(uids)}
    env.pop("XDG_DATA_HOME", None)
    for line in readme_lines():
        command = _command(line)
        if command in RUN_FOREVER or command.startswith("importdesk watch "):
            command += " --help"
        if "completion zsh" in command and shutil.which("zsh") is None:
            command = "importdesk completion zsh >/dev/null"  # no zsh here to eval it in
        shell = "set -o pipefail; " + command if "| head" not in command else command
        done = subprocess.run(["bash", "-c", shell], cwd=folder, env=env, capture_output=True, text=True,
                              timeout=300)
        expected = next((code for marker, code in EXIT_CODES.items() if marker in command), 0)
        assert done.returncode == expected, f"{line}\n{done.stderr}"
        assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr, line
    assert (folder / "fix-me.xlsx").is_file() and (folder / "products.jsonl").is_file()
    assert (folder / "shirts.csv").read_text(encoding="utf-8").startswith("sku,name,")
    assert (tmp_path / "home" / ".config" / "fish" / "completions" / "importdesk.fish").stat().st_size > 0
    assert uids.read_text() == ""  # the README created exactly the jobs this test expects


@pytest.mark.parametrize("line", [ln for ln in readme_lines() if ln.startswith("importdesk")])
def test_readme_lines_name_existing_sample_files(line):
    for word in _command(line).split():
        if re.fullmatch(r"[\w.-]+\.(csv|xlsx|jsonl|json)", word) and word not in ("fix-me.xlsx", "products.jsonl",
                                                                                 "shirts.csv"):
            assert (SAMPLES / word).is_file(), f"{word} in the README is not in sample_data/"
