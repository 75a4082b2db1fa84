"""Helpers of the app's tests (their fixtures are in conftest.py): a fixed clock and ids, jobs
prepared by the engine, the app built for tests, waiting for workers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from importdesk.engine import Engine, ImportOptions
from importdesk.tui.app import ImportDeskApp, make_app

from support import START, StepClock  # noqa: F401 - the suite's one test clock

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
    if workers:
        await app.workers.wait_for_complete(workers)
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
