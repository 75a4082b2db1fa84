"""What a sqlite-utils or Harlequin user checks first: --version, help on every option, exit codes
per command with an example, completion scripts, and the threshold's two spellings."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import click
import pytest

from importdesk.cli import exit_codes, main
from importdesk.cli.parser import cli
from importdesk.engine.threshold import parse_threshold

from cli_helpers import invoke
from support import SAMPLES

COMMANDS = sorted(cli.commands)


def test_version():
    result = invoke("--version")
    assert result.code == 0 and re.fullmatch(r"importdesk \d+\.\d+\.\d+\S*\n", result.out)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_and_argument_has_help(name):
    command = cli.commands[name]
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts} has no help text"


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_help_shows_one_example_and_only_its_exit_codes(name):
    result = invoke(name, "--help")
    assert result.code == 0
    example = result.out.split("Example:", 1)[1].split("Exit codes:", 1)[0]
    assert example.strip().splitlines()[0].strip().startswith(("importdesk ", "eval "))
    listed = {int(c) for c in re.findall(r"^\s+(\d+)\s", result.out.split("Exit codes:", 1)[1], re.M)}
    assert exit_codes.USAGE in listed and exit_codes.OK in listed
    if name in ("jobs", "show", "errors", "types", "records", "interrupt", "cancel", "delete", "completion"):
        assert listed == {0, 2}, f"{name} lists codes it cannot return: {listed}"
    if name in ("run", "confirm", "resume", "retry"):
        assert listed == {0, 1, 2, 3, 4, 5, 130}
    if name == "export":
        assert exit_codes.ROW_ERRORS not in listed  # an export has no rejected rows


def test_help_fits_80_columns():
    for name in COMMANDS:
        result = invoke(name, "--help")
        assert max(len(line) for line in result.out.splitlines()) <= 100  # click wraps at the terminal's width


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o"), ("zsh", "compdef"),
                                           ("fish", "complete --no-files --command importdesk")])
def test_completion_scripts(shell, marker):
    result = invoke("completion", shell)
    assert result.code == 0 and marker in result.out and "_IMPORTDESK_COMPLETE" in result.out


def test_the_installed_command_answers_bash_completion(tmp_path):
    env = {**os.environ, "_IMPORTDESK_COMPLETE": "bash_complete", "COMP_WORDS": "importdesk types produc",
           "COMP_CWORD": "2", "IMPORTDESK_HOME": str(tmp_path / "ws")}
    done = subprocess.run([sys.executable, "-m", "importdesk"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.split() == ["plain,product_price", "plain,products"], done.stderr


def test_completion_offers_commands_and_types(tmp_path, monkeypatch):
    from click.shell_completion import ShellComplete

    monkeypatch.setenv("IMPORTDESK_HOME", str(tmp_path / "nowhere"))
    complete = ShellComplete(cli, {}, "importdesk", "_IMPORTDESK_COMPLETE")
    assert "records" in [c.value for c in complete.get_completions([], "rec")]
    assert [c.value for c in complete.get_completions(["run", "x.csv", "--type"], "pri")] == ["pricebook", "prices"]
    assert not (tmp_path / "nowhere").exists()  # completing never creates a workspace


@pytest.mark.parametrize("text, value", [
    ("10%", 0.10), ("0.1", 0.10), (" 10 % ", 0.10), ("1.5%", 0.015), ("0.015", 0.015), ("100%", 1.0),
    ("0", 0.0), ("0%", 0.0), ("0.999", 0.999),
])
def test_threshold_forms(text, value):
    assert parse_threshold(text) == pytest.approx(value)


@pytest.mark.parametrize("text, says", [
    ("1", "ambiguous"), ("1.5", "ambiguous"), ("10", "ambiguous"), ("150%", "between 0% and 100%"),
    ("-0.1", "between"), ("ten", "not a threshold"), ("nan", "not a threshold"),
])
def test_threshold_refuses_what_could_mean_two_things(text, says):
    with pytest.raises(ValueError, match=says):
        parse_threshold(text)


def test_threshold_on_the_command_line(tmp_path, capsys):
    code = main(["--workspace", str(tmp_path / "ws"), "run", "whatever.csv", "--threshold", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "'1' is ambiguous: write 1%" in err
    help_text = invoke("run", "--help").out
    assert "10%" in help_text and "0.1" in help_text and "the same thing" in help_text


def test_locale_help_says_plain_en_is_day_first():
    text = " ".join(invoke("run", "--help").out.split())
    assert "Plain en reads 03/04/2024 day first" in text and "en_US reads it month first" in text


def test_unknown_command_suggests_the_right_one():
    result = invoke("jbos")
    assert result.code == 2 and "Did you mean 'jobs'" in result.err


def test_workspace_before_or_after_the_command(tmp_path):
    stock = SAMPLES / "stock.csv"
    assert invoke("run", stock, "--type", "stock_items", "--queue", workspace=tmp_path / "a").code == 0
    assert invoke("run", stock, "--type", "stock_items", "--queue", "--workspace", tmp_path / "b").code == 0
    assert (tmp_path / "a" / "importdesk.db").exists() and (tmp_path / "b" / "importdesk.db").exists()
