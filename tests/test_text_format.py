"""The figures both faces write (importdesk.text_format): one rule each, and the command line and the
app agree on a job's running time, speed and percent."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

import pytest

from importdesk import text_format as tf
from importdesk.cli import main
from importdesk.cli.progress_bar import LogLines
from importdesk.engine import Engine, ImportOptions, JobProgressed
from importdesk.models import ImportJob, JobStatus, Progress, ProviderData
from importdesk.workspace import Workspace

from support import SAMPLES, StepClock, counting_uids

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def an_hour_east(monkeypatch):
    """The machine's time zone is UTC+1 (POSIX spelling: no zone data needed)."""
    monkeypatch.setenv("TZ", "XYZ-1")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_counts_have_thousands_separators():
    assert [tf.number(n) for n in (0, 999, 1_000, 1_234_567)] == ["0", "999", "1,000", "1,234,567"]
    assert tf.number(None) == ""


def test_time_spent_is_rounded_down_like_a_clock():
    assert [tf.duration(s) for s in (0, 0.6, 59.99, 60, 3599.5, 3600, 86_399)] == [
        "0:00", "0:00", "0:59", "1:00", "59:59", "1:00:00", "23:59:59"]
    assert tf.duration(-3) == "0:00"  # a clock that stepped back never shows a negative time
    assert tf.duration(None) == ""


def test_time_left_is_rounded_up_so_a_running_job_never_has_nothing_left():
    assert [tf.time_left(s) for s in (0, 0.2, 59.01, 60, 3599.2)] == ["0:00", "0:01", "1:00", "1:00", "1:00:00"]
    assert tf.time_left(None) == ""


def test_speed_is_whole_rows_per_second_rounded_half_up():
    assert [tf.rate(r) for r in (0.4, 0.5, 2.5, 3_999.5, 1_234_567.2)] == [
        "0 rows/s", "1 rows/s", "3 rows/s", "4,000 rows/s", "1,234,567 rows/s"]
    assert tf.rate(None) == ""


def test_percent_is_rounded_down_so_100_means_every_row():
    def pct(processed, total):
        return tf.percent(Progress(total=total, done=processed, pending=total - processed))

    assert [pct(0, 200), pct(183, 200), pct(199, 200), pct(1_999_999, 2_000_000), pct(200, 200)] == [
        0, 91, 99, 99, 100]
    assert tf.percent(Progress()) == 0  # nothing counted yet


def test_moments_are_in_local_time(an_hour_east):
    assert tf.stamp(T0) == "2026-11-23 10:00:00"
    assert tf.stamp(None) == "–"
    assert tf.when(T0, now=T0 + timedelta(hours=1)) == "10:00:00"  # today: the time only
    assert tf.when(T0, now=T0 + timedelta(days=2)) == "2026-11-23 10:00"
    assert tf.when(T0 + timedelta(hours=23), now=T0) == "2026-11-24 09:00"  # past local midnight: another day
    assert tf.when(None, now=T0) == ""


def test_sizes_in_binary_units():
    assert [tf.size(n) for n in (0, 1023, 1024, 1536, 5 * 1024**2, 3 * 1024**3, 5000 * 1024**3)] == [
        "0 bytes", "1,023 bytes", "1.0 KiB", "1.5 KiB", "5.0 MiB", "3.0 GiB", "5,000.0 GiB"]
    assert tf.size(None) == "–"


def test_text_never_reaches_the_terminal_as_control_characters():
    assert tf.safe("evil\x1b[2J.csv") == "evil\\x1b[2J.csv"
    assert tf.safe("tab\there") == "tab\\there"
    assert tf.safe(None) == ""
    assert tf.one_line("a\r\nb\tc") == "a␍␊b␉c"
    assert tf.one_line("x" * 10, limit=5) == "xxxx…"
    assert tf.one_line(None) == ""


def test_values_read_as_a_person_reads_them():
    assert tf.value_text({"colour": "grün", "sizes": [1, 2]}) == '{"colour": "grün", "sizes": [1, 2]}'
    assert tf.value_text(None) == "" and tf.value_text(12.5) == "12.5"


def a_running_job(processed: int, total: int, seconds: float) -> ImportJob:
    return ImportJob(uid="01JABCDEFGHJKMNPQRSTVWXYZ0", created_at=T0, started_at=T0, run_started_at=T0,
                     updated_at=T0 + timedelta(seconds=seconds), resource_type="products",
                     status=JobStatus.PROCESSING, provider_data=ProviderData(original_file_name="big.csv"),
                     progress={"total": total, "done": processed, "pending": total - processed})


def test_the_command_lines_progress_shows_the_jobs_own_speed_and_percent():
    """What the app's detail pane shows for this job (rate over its running time, percent rounded
    down) is what a CI log shows for it."""
    job = a_running_job(processed=99_950, total=100_000, seconds=30.0)
    out = io.StringIO()
    LogLines(out)(JobProgressed(job))
    assert out.getvalue() == f"importdesk: job {job.short_uid} big.csv: 99,950/100,000 rows (99%), 3,332 rows/s\n"
    rows_per_second, left = job.rate_and_eta()
    assert tf.rate(rows_per_second) == "3,332 rows/s" and tf.time_left(left) == "0:01"  # 0.015 s left


def test_show_gives_the_running_time_the_app_calls_took(tmp_path, capsys):
    """A job that sat interrupted for two hours took seconds, not two hours, in `show` as in the app."""
    ws = Workspace.open(tmp_path / "ws")
    clock = StepClock()
    engine = Engine(ws, clock=clock, uid_factory=counting_uids())
    job = engine.create_job(SAMPLES / "products_with_errors.csv", ImportOptions(resource_type="products"))
    assert engine.run_job(job.uid).status is JobStatus.INTERRUPTED  # over the 10% threshold
    clock.now += timedelta(hours=2)
    engine.resume(job.uid, skip_errors=True)
    done = engine.run_job(job.uid)
    engine.close()
    assert done.status is JobStatus.DONE
    assert (done.completed_at - done.started_at).total_seconds() > 7200
    assert main(["--workspace", str(ws.root), "show", done.uid]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("duration")]
    assert line.split()[-1] == tf.duration(tf.job_seconds(done)) and tf.job_seconds(done) < 60
