"""Determinism for the app's tests: temp workspace, fixed clock and ids, no blink, no animation
(helpers in tui_helpers.py).

Jobs are prepared by running the engine synchronously here, before the app starts; the app is
built with `run_queue=False` for snapshots so nothing runs in the background.
"""

from __future__ import annotations

import contextlib
import shutil
import time

import pytest
import textual._wait
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input

from importdesk.engine import Engine
from importdesk.models import JobStatus, JobType
from importdesk.workspace import Workspace

from tui_helpers import SAMPLES, CountingUids, StepClock, queue, run


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


@pytest.fixture(autouse=True)
def quick_idle_checks(monkeypatch):
    """Pilot's presses and pauses end once the process looks idle: Textual looks every 20 ms, so a
    key costs 40 ms asleep and a test of 100 keys seconds of a core doing nothing. Looked at every
    5 ms, with the same idle ratio (under 5% of the interval busy). What the tests wait for is
    still awaited (tui_helpers.settled, wait_for_group): this is when Pilot looks, not what it waits for."""
    assert textual._wait.SLEEP_IDLE == textual._wait.SLEEP_GRANULARITY / 20  # (Textual's own ratio)
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 1 / 200)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 1 / 200 / 20)


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


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


@pytest.fixture(autouse=True)
def one_frame_at_the_end(monkeypatch):
    """A headless app draws no frame while a test drives it: no terminal shows it, and drawing was a
    fifth of the app tests' CPU. The frame is drawn whole where a test looks at it (a snapshot,
    `render_line`) and once as each test's app closes, so a widget that cannot draw still fails."""
    draw = Screen._compositor_refresh

    def draw_when_seen(screen: Screen) -> None:
        if screen.app.is_headless and not screen.app.is_inline:
            screen._dirty_widgets.clear()
            return
        draw(screen)

    run_test = App.run_test

    @contextlib.asynccontextmanager
    async def run_test_drawing_its_last_frame(app: App, *args, **kwargs):
        async with run_test(app, *args, **kwargs) as pilot:
            yield pilot
            if app.is_running:
                app.export_screenshot()

    monkeypatch.setattr(Screen, "_compositor_refresh", draw_when_seen)
    monkeypatch.setattr(App, "run_test", run_test_drawing_its_last_frame)
