"""Two runs of the same bytes at once (`importdesk run` without --force, twice): exactly one makes
the job, the other is refused naming it, and nothing of the refused one is kept. The race is forced,
not hoped for: the first run stops between its duplicate check and its insert until the second has
either made its own check or is seen waiting for the lock that serialises it (SQLite: the second
has begun its write transaction, whose BEGIN IMMEDIATE waits for the first's; PostgreSQL: an
advisory lock not granted, in pg_locks); on both store backends."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from importdesk.engine import Engine, ImportOptions, job_creation
from importdesk.engine.errors import DuplicateContent
from importdesk.models import JobType

from support import FixedClock, counting_uids, write_products

WAIT_S = 60  # a safety net against a hang only; the test waits on events, never on time
ADVISORY_WAITS = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"


def _signal_each_write(engine: Engine, began: threading.Event) -> None:
    real_write = engine.ctx.db.write

    @contextmanager
    def write():
        began.set()
        with real_write() as conn:
            yield conn

    engine.ctx.db.write = write


def _wait_until(done: threading.Event, seen_waiting) -> None:
    """Until ``done`` is set or ``seen_waiting()`` is true (asked again each 10 ms)."""
    for _ in range(WAIT_S * 100):
        if done.wait(0.01) or seen_waiting():
            return
    raise AssertionError("the second run neither checked nor waited for the lock")


def test_two_runs_of_the_same_bytes_at_once_make_one_job(engine, workspace, store_backend, tmp_path, monkeypatch):
    path = write_products(tmp_path / "products.csv", 50)
    other = Engine(workspace, clock=FixedClock(), uid_factory=counting_uids("01RUNB"))
    second_wrote = threading.Event()
    second_checked = threading.Event()
    _signal_each_write(other, second_wrote)

    second: dict = {}

    def second_run():
        try:
            second["job"] = other.create_job(path, ImportOptions(resource_type="products"), refuse_duplicate=True)
        except BaseException as exc:  # reported by the test thread
            second["error"] = exc
        finally:
            second_checked.set()
            other.close()

    runner = threading.Thread(target=second_run)
    real_check = job_creation.inbox_claims.active_job_with_content

    def first_check_then_let_the_second_in(conn, sha256, job_type):
        found = real_check(conn, sha256, job_type)
        if threading.current_thread() is runner:
            second_checked.set()
        elif not runner.is_alive() and not second:
            runner.start()
            if store_backend == "postgres":
                _wait_until(second_checked, lambda: conn.execute(ADVISORY_WAITS).fetchone()[0] > 0)
            else:
                _wait_until(second_checked, second_wrote.is_set)
        return found

    monkeypatch.setattr(job_creation.inbox_claims, "active_job_with_content", first_check_then_let_the_second_in)
    first = engine.create_job(path, ImportOptions(resource_type="products"), refuse_duplicate=True)
    runner.join(WAIT_S)
    assert not runner.is_alive()

    assert "job" not in second, "both runs of the same bytes made a job"
    error = second["error"]
    assert isinstance(error, DuplicateContent)
    assert str(error) == (f"products.csv: the same content is already in job {first.uid} (products.csv, "
                          f"pending); not imported again")
    execute_jobs = [j for j in engine.list_jobs() if j.job_type is JobType.EXECUTE]
    assert [j.uid for j in execute_jobs] == [first.uid]
    kept = sorted(p.relative_to(workspace.archive).as_posix() for p in workspace.archive.rglob("*") if p.is_file())
    assert kept == [first.provider_data.kept_path.removeprefix("archive/")]

