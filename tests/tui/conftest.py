"""Determinism for the app's tests: temp workspace, fixed clock and ids, no blink, no animation.

Jobs are prepared by running the engine synchronously here, before the app starts; the app is
built with `run_queue=False` for snapshots so nothing runs in the background.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobStatus, JobType
from importdesk.tui.app import ImportDeskApp, make_app
from importdesk.workspace import Workspace

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class StepClock:
    """Starts at 2026-11-23 09:00 UTC and moves one second per call: same calls, same times."""

    def __init__(self, start: datetime = START, step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        now = self.now
        self.now += self.step
        return now


class CountingUids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"01TESTJOB{self.n:017d}"  # 26 characters, sorts like a ULID


@pytest.fixture(autouse=True)
def determinism(tmp_path, monkeypatch):
    """Home, time zone and user fixed; cursor never blinks; animations off."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "tester")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    original_init = Input.__init__

    def init_without_blink(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.cursor_blink = False

    monkeypatch.setattr(Input, "__init__", init_without_blink)
    data = tmp_path / "data"
    data.mkdir()
    for f in SAMPLES.iterdir():
        if f.is_file():
            shutil.copy2(f, data / f.name)
    monkeypatch.chdir(tmp_path)
    yield
    time.tzset()


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    ws = Workspace.open(tmp_path / "workspace")
    shutil.copy2(SAMPLES / "schemas" / "wine_catalogue.toml", ws.schemas / "wine_catalogue.toml")
    return ws


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def engine(workspace, clock) -> Engine:
    engine = Engine(workspace, clock=clock, uid_factory=CountingUids())
    yield engine
    engine.close()


def data(name: str) -> Path:
    return Path("data") / name


def run(engine: Engine, name: str, **options) -> str:
    """Create a job and run it to its end, here and now."""
    job = engine.create_job(data(name), ImportOptions(created_by="tester", **options))
    return engine.run_job(job.uid).uid


def queue(engine: Engine, name: str, **options) -> str:
    return engine.create_job(data(name), ImportOptions(created_by="tester", **options)).uid


def app_for(engine: Engine, clock=None, **kwargs) -> ImportDeskApp:
    kwargs.setdefault("run_queue", False)
    kwargs.setdefault("poll_interval", None)
    kwargs.setdefault("watch_inbox", False)  # watchers off unless a test is about the inbox
    # Jobs run in the app's worker threads, with this engine's fixed clock and ids (a child process
    # would use real ones); tests about the child processes pass child_processes=True.
    kwargs.setdefault("child_processes", False)
    app = make_app(engine, clock=clock or (lambda: START + timedelta(minutes=5)), **kwargs)
    app.animation_level = "none"
    return app


@pytest.fixture
def every_status(engine) -> Engine:
    """One job in each status (and a done job with row errors), newest first in the list."""
    run(engine, "products.csv", resource_type="products")                                   # done
    run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)     # done*
    run(engine, "wines.csv", resource_type="wines", job_type=JobType.VALIDATE)              # done validate
    bad = queue(engine, "products.csv", resource_type="customers")                          # error
    engine.run_job(bad)
    run(engine, "products_with_errors.csv", resource_type="products", error_threshold=0.05)  # interrupted
    canceled = queue(engine, "stock.csv", resource_type="stock_items")
    engine.cancel(canceled)                                                                   # canceled
    processing = queue(engine, "preise_de.csv", resource_type="prices", locale="de")
    engine.ctx.jobs.claim_next(engine.worker, engine.ctx.clock(), uid=processing)            # processing
    queue(engine, "customers.xlsx", resource_type="customers")                              # pending
    statuses = {j.status for j in engine.list_jobs()}
    assert statuses == set(JobStatus), statuses
    return engine


async def wait_for_group(app, *groups: str) -> None:
    """Wait for the workers of these groups (never an empty list: that means every worker)."""
    workers = [w for w in app.workers if w.group in groups]
    if workers:
        await app.workers.wait_for_complete(workers)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio
