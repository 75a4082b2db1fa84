"""A workspace that cannot be written, a --workspace that is a file, a log that cannot be written:
a clear line, never a traceback; reading commands still work (issue: every command failed with a
traceback on a read-only workspace, even `jobs`, because the log file was opened first)."""

from __future__ import annotations

import logging
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from support import write_products

CLI = [sys.executable, "-c", "from importdesk.cli import main; raise SystemExit(main())"]


def importdesk(workspace: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "--workspace", str(workspace), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def read_only_mount(tmp_path):
    """(folder, make_read_only): a small tmpfs, writable until make_read_only() (skipped where
    mounting is not allowed)."""
    folder = tmp_path / "mnt"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", f"importdesk-ro-{uuid.uuid4().hex[:8]}",
                       str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a file system here (needs root and mount)")

    def make_read_only() -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)

    yield folder, make_read_only
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_read_only_workspace_can_be_read_and_refuses_writes_in_one_line(tmp_path, read_only_mount):
    mount, make_read_only = read_only_mount
    ws = mount / "ws"
    path = write_products(tmp_path / "p.csv", 50)
    done = importdesk(ws, "run", str(path), "--type", "products")
    assert done.returncode == 0, done.stderr
    make_read_only()

    listed = importdesk(ws, "jobs")
    assert listed.returncode == 0 and "p.csv" in listed.stdout and "done" in listed.stdout
    assert "Traceback" not in listed.stderr
    uid = listed.stdout.splitlines()[1].split()[0]
    shown = importdesk(ws, "show", uid)
    assert shown.returncode == 0 and uid in shown.stdout, shown.stderr

    other = write_products(tmp_path / "q.csv", 5, start=100)
    for args in (["run", str(other), "--type", "products"], ["run", str(path), "--type", "products", "--force"],
                 ["delete", uid]):
        refused = importdesk(ws, *args)
        assert refused.returncode == 2, (args, refused.stderr)
        assert refused.stderr.strip().splitlines() == [
            "importdesk: the workspace 'ws' is read-only: this command needs to write to it "
            "(jobs, show and errors still work)"], args


def test_a_workspace_that_is_a_file_is_a_usage_error(tmp_path):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("hello")
    result = importdesk(not_a_folder, "jobs")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "is a file, not a folder" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("target", ["/dev/full", "/dev/null/importdesk.log"])
def test_a_log_that_cannot_be_written_is_skipped_with_one_line(capsys, target):
    """/dev/full: every write fails as on a full disk; under /dev/null: the file cannot be opened."""
    from importdesk.workspace_log import WorkspaceLogHandler

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    logger = logging.getLogger(f"importdesk-test-{uuid.uuid4().hex}")
    handler = WorkspaceLogHandler(target)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for n in range(3):
            logger.error("line %d %s", n, "x" * 10_000)  # more than a buffer: the write reaches the device
    finally:
        logger.removeHandler(handler)
        handler.close()
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "cannot write the log importdesk.log" in err


def test_types_of_an_unknown_name_is_a_usage_error(tmp_path, capsys):
    from importdesk.cli import main

    assert main(["--workspace", str(tmp_path / "ws"), "types", "NOSUCH"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("importdesk: unknown resource type 'NOSUCH'; known: ") and "Traceback" not in err
    assert " customers, " in err
