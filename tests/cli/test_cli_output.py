"""What reaches the terminal: progress that fits 80 columns and ends clean, log lines off a terminal,
and output piped into `head` that ends quietly."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from importdesk.cli.progress_bar import LogLines, progress_reporter, short
from importdesk.engine import Engine, ImportOptions, JobProgressed
from importdesk.models import ImportJob, JobStatus, ProviderData
from importdesk.workspace import Workspace

from cli_helpers import invoke
from support import SAMPLES

CLI = [sys.executable, "-m", "importdesk"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def a_job(total=1_000_000, name="a-rather-long-file-name-of-products-from-the-erp.csv") -> ImportJob:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return ImportJob(uid="01JABCDEFGHJKMNPQRSTVWXYZ0", created_at=now, updated_at=now, resource_type="products",
                     status=JobStatus.PROCESSING, provider_data=ProviderData(original_file_name=name),
                     progress={"total": total, "pending": total})


def drive(report, job: ImportJob, steps=(0, 123_456, 500_000, 999_000)):
    for done in steps:
        errors = done // 50
        job.progress.done, job.progress.error = done - errors, errors
        job.progress.pending = job.progress.total - done
        report(JobProgressed(job))
    job.status = JobStatus.DONE
    job.progress.done, job.progress.pending = job.progress.total - job.progress.error, 0
    report(JobProgressed(job, final=True))


@pytest.mark.parametrize("width", [80, 60, 40, 200])
def test_live_bar_fits_the_width_redraws_in_place_and_ends_clean(width):
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width, color_system=None)
    drive(progress_reporter(console=console), a_job())
    out = buffer.getvalue()
    frames = [f for f in re.split(r"[\r\n]", ANSI.sub("\n", out)) if f.strip()]
    assert frames and all(len(f) <= width for f in frames), max(frames, key=len)
    assert out.count("\n") == 1 and out.endswith("\n\x1b[?25h")  # one line, redrawn; cursor back on
    assert "\r\x1b[2K" in out  # each frame erases the one before
    assert "100%" in frames[-1] and "1.0M/1.0M" in frames[-1]
    assert "a-rather" in frames[-1] and "…" in frames[-1]  # the long name is cut, not wrapped


def test_counts_in_the_bar_stay_short():
    assert [short(n) for n in (999, 9_999, 12_345, 999_949, 1_000_000, 12_345_678)] == \
        ["999", "9,999", "12.3k", "1.0M", "1.0M", "12.3M"]


def test_off_a_terminal_a_log_line_every_few_seconds():
    now = [0.0]
    out = io.StringIO()
    report = LogLines(out, every=5.0, clock=lambda: now[0])
    job = a_job(total=100_000, name="big.csv")
    job.started_at = job.run_started_at = job.created_at
    for second in range(21):
        now[0] = float(second)
        job.progress.done = second * 4_000
        job.progress.pending = job.progress.total - job.progress.done
        job.updated_at = job.created_at + timedelta(seconds=second)  # the commit of those rows
        report(JobProgressed(job))
    job.status = JobStatus.DONE
    report(JobProgressed(job, final=True))
    lines = out.getvalue().splitlines()
    assert len(lines) == 5  # at 0, 5, 10, 15, 20 s
    assert lines[2] == "importdesk: job QRSTVWXYZ0 big.csv: 40,000/100,000 rows (40%), 4,000 rows/s".replace(
        "QRSTVWXYZ0", job.short_uid)
    assert "\r" not in out.getvalue()


def test_progress_reporter_picks_log_lines_for_a_pipe():
    assert isinstance(progress_reporter(io.StringIO()), LogLines)


@pytest.fixture(scope="module")
def busy_workspace(tmp_path_factory):
    """600 jobs and 1,000 products: every listing below outgrows a pipe's 64 KiB buffer."""
    ws = Workspace.open(tmp_path_factory.mktemp("busy") / "ws")
    engine = Engine(ws)
    engine.run_job(engine.create_job(SAMPLES / "products.csv", ImportOptions(resource_type="products")).uid)
    for _ in range(600):
        engine.create_job(SAMPLES / "stock.csv", ImportOptions(resource_type="stock_items"))
    engine.close()
    return ws.root


@pytest.mark.parametrize("command", [["jobs", "--limit", "600"], ["jobs", "--limit", "100", "--json"],
                                     ["records", "products"], ["records", "products", "--nl"],
                                     ["records", "products", "--json"]])
def test_output_piped_into_head_ends_quietly(busy_workspace, command):
    full = invoke(*command, workspace=busy_workspace)  # in-process: only the piped run below needs the pipe
    assert full.code == 0 and len(full.out.encode()) > 65536  # more than the pipe holds: head really cuts it
    shell = subprocess.run(
        f"{' '.join(CLI)} --workspace '{busy_workspace}' {' '.join(command)} | head -1; "
        f"echo \"rc=${{PIPESTATUS[0]}}\"",
        shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=120)
    lines = shell.stdout.splitlines()
    assert len(lines) == 2 and lines[-1] == "rc=0"
    assert shell.stderr == ""
    log = busy_workspace / "importdesk.log"
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    assert "unexpected error" not in text and "Traceback" not in text


def test_a_job_piped_into_head_still_returns_its_own_exit_code(tmp_path):
    shell = subprocess.run(
        f"{' '.join(CLI)} --workspace '{tmp_path / 'ws'}' run '{SAMPLES / 'products_with_errors.csv'}' "
        f"--type products --skip-errors --json | head -1; echo \"rc=${{PIPESTATUS[0]}}\"",
        shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=120)
    assert shell.stdout.splitlines() == ["{", "rc=1"]  # done with rejected rows, as without the pipe
    assert "33 rejected" in shell.stderr and "Traceback" not in shell.stderr
