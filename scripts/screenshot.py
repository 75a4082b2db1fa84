#!/usr/bin/env python3
"""Take the README's screenshot: the app on the demo workspace, as Textual itself renders it (SVG).

The sample jobs run to their end first, with a fixed clock and fixed ids, in a home folder of
its own, so the picture changes only when the app's looks do. Re-run it after a change to the
screens (and look at the result before committing it):

    .venv/bin/python scripts/screenshot.py [--out docs/screenshot.svg]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (132, 38)
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SHOWN_JOB = "products_with_errors.csv"  # a done job with row errors: every pane has something to show


def steady_environment(home: Path) -> None:
    """Home, user, time zone fixed; no animation, no blinking cursor."""
    os.environ.update(HOME=str(home), TZ="UTC", TEXTUAL_ANIMATIONS="none")
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        os.environ[name] = "demo"
    for name in ("IMPORTDESK_HOME", "XDG_DATA_HOME"):
        os.environ.pop(name, None)
    time.tzset()

    from textual.widgets import Input

    original_init = Input.__init__

    def init_without_blink(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.cursor_blink = False

    Input.__init__ = init_without_blink


class StepClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def counting_uids():
    count = iter(range(1, 1_000_000))
    return lambda: f"01KDEMO{next(count):019d}"


async def shown(pilot) -> None:
    """Until the screen shows what it asked for: every page its reader was asked for, and every other
    worker done (the reader itself runs as long as the screen, so it is not waited for)."""
    from importdesk.tui.screens.main_screen import READER

    app = pilot.app
    await pilot.pause()
    while True:
        await app.main.pages_shown()
        others = [w for w in app.workers if w.group != READER]
        if others:  # (an empty list would mean every worker)
            await app.workers.wait_for_complete(others)
        await pilot.pause()
        if app.main.all_pages_shown:
            return


async def take(out: Path, home: Path) -> None:
    from importdesk.demo import open_demo
    from importdesk.tui.app import make_app
    from importdesk.workspace import Workspace

    clock = StepClock()
    engine, _ = open_demo(Workspace.open(home / "importdesk-demo"), clock=clock, uid_factory=counting_uids())
    while engine.run_next() is not None:
        pass
    shown_at = clock.now + timedelta(minutes=5)
    app = make_app(engine, clock=lambda: shown_at, run_queue=False, poll_interval=None, child_processes=False)
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        newest_first = [job.file_name for job in engine.list_jobs()]
        await pilot.press(*["down"] * newest_first.index(SHOWN_JOB))
        await shown(pilot)
        app.save_screenshot(filename=out.name, path=str(out.parent))
    engine.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.svg")
    args = ap.parse_args()
    out = args.out.resolve()
    with tempfile.TemporaryDirectory(prefix="importdesk-screenshot-") as tmp:
        steady_environment(Path(tmp))
        asyncio.run(take(out, Path(tmp)))
    print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}  {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
