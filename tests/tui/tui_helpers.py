"""Helpers of the app's tests (their fixtures are in conftest.py): a fixed clock and ids, jobs
prepared by the engine, the app built for tests, waiting for workers."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from textual.worker import WorkerCancelled

from importdesk.engine import Engine, ImportOptions
from importdesk.tui.app import ImportDeskApp, make_app

from support import START, StepClock  # noqa: F401 - the suite's one test clock
from waiting import WAIT_LIMIT

S = TypeVar("S")

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "importdesk" / "sample_data"


class CountingUids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"01TESTJOB{self.n:017d}"  # 26 characters, sorts like a ULID


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


async def wait_for_group(app, *groups: str) -> None:
    """Wait for the workers of these groups (never an empty list: that means every worker), then for
    the job commands they started (a dialog's answer runs its command in a thread)."""
    workers = [w for w in app.workers if w.group in groups]
    for worker in workers:
        # A dialog's worker posts its answer as its last step; the dialog, dismissed on it, may
        # cancel the worker before its thread is seen to end: what it did is the test's to check.
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    await commands_done(app)


async def commands_done(app) -> None:
    """Every job command's thread has ended (it then asks for the page that shows its change)."""
    while commands := [w for w in app.workers if w.group == "commands" and not w.is_finished]:
        await app.workers.wait_for_complete(commands)
        await asyncio.sleep(0)  # the messages the command posted, before the next look


async def settled(pilot) -> None:
    """Every page the main screen asked its reader for is shown, and the screen drawn after it (a
    page shown may ask for another: the errors of the job it highlights)."""
    await pilot.pause()
    await commands_done(pilot.app)
    while True:
        await pilot.app.main.pages_shown()
        await pilot.pause()
        if pilot.app.main.all_pages_shown:
            return


async def wait_for_screen(pilot, screen_type: type[S]) -> S:
    """The screen of this type once it is the current one (a dialog that reads its job first comes a
    thread's read after its key), mounted and focused. Wakes on each change of screen; fails at once
    when no dialog worker is left to push it, and after WAIT_LIMIT at the latest."""
    app = pilot.app
    changed = asyncio.Event()
    app.screen_change_signal.subscribe(app, lambda _: changed.set(), immediate=True)
    try:
        while not isinstance(app.screen, screen_type):
            asking = [w for w in app.workers if w.group == "dialogs" and not w.is_finished]
            if not asking:
                raise AssertionError(f"no {screen_type.__name__} came (the screen is {app.screen!r})")
            changed.clear()
            waits = [asyncio.ensure_future(changed.wait()), *(asyncio.ensure_future(_ended(w)) for w in asking)]
            done, pending = await asyncio.wait(waits, timeout=WAIT_LIMIT, return_when=asyncio.FIRST_COMPLETED)
            for wait in pending:
                wait.cancel()
            if not done:
                raise AssertionError(f"no {screen_type.__name__} within {WAIT_LIMIT}s")
    finally:
        app.screen_change_signal.unsubscribe(app)  # (the app subscribes to this signal nowhere else)
    await pilot.pause()
    return app.screen


async def _ended(worker) -> None:
    with contextlib.suppress(Exception):  # an error or a cancel also ends the wait
        await worker.wait()
