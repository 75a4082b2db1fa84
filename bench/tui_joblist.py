"""The job list with 10,000 jobs in the store: app start to the list rendered (goal < 1 s).

The list shows the newest 500 (JobList.limit); the count in the pane title is over all of them.
Run: .venv/bin/python bench/tui_joblist.py [JOBS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from importdesk.engine import Engine
from importdesk.models import ImportJob, JobStatus, JobType, Progress, ProviderData
from importdesk.tui.app import make_app
from importdesk.tui.widgets.job_list import JobList
from importdesk.workspace import Workspace

STATUSES = [JobStatus.DONE] * 8 + [JobStatus.ERROR, JobStatus.CANCELED]


def fill(engine: Engine, count: int) -> None:
    """Prepared jobs, inserted in one transaction (a bench shortcut; the app never does this)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    t = time.perf_counter()
    with engine.ctx.db.write() as conn:
        for i in range(count):
            at = start + timedelta(minutes=i)
            status = STATUSES[i % len(STATUSES)]
            job = ImportJob(
                uid=f"01BENCH{i:019d}", provider_data=ProviderData(resource_type="products",
                                                                  original_file_name=f"products-{i:05d}.csv"),
                job_type=JobType.EXECUTE, status=status, created_at=at, updated_at=at, started_at=at,
                completed_at=at + timedelta(seconds=3), resource_type="products", created_by="bench",
                progress=Progress(total=200, done=190 if status is JobStatus.DONE else 0,
                                  error=10 if status is JobStatus.DONE else 0),
            )
            engine.ctx.jobs.insert(job, conn)
    print(f"inserted {count:,} jobs in {time.perf_counter() - t:.2f} s")


async def shown_now(pilot) -> None:
    """The pages the screen asked its reader for are shown (and those they asked for in turn)."""
    await pilot.pause()
    while not pilot.app.main.all_pages_shown:
        await pilot.app.main.pages_shown()
        await pilot.pause()


async def measure(engine: Engine, count: int) -> float:
    app = make_app(engine, run_queue=False, poll_interval=None)
    t = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        await shown_now(pilot)
        shown = time.perf_counter() - t
        jobs = app.screen.query_one(JobList)
        assert jobs.row_count == min(count, jobs.limit), jobs.row_count
        title = app.screen.query_one("#jobs-pane").border_subtitle
        reloads = []
        for _ in range(5):
            t = time.perf_counter()
            app.screen.reload()  # asks the screen's reader: the page comes back as a message
            await shown_now(pilot)
            reloads.append(time.perf_counter() - t)
        t = time.perf_counter()
        app.screen.query_one("#filter-text").value = "products-0999"
        await pilot.pause(0.4)  # the filter bar debounces typing
        await shown_now(pilot)
        filtered = time.perf_counter() - t - 0.4
    print(f"app start to job list rendered ({min(count, jobs.limit)} rows shown, pane says {title!r}): {shown:.2f} s "
          "(goal < 1 s)")
    print(f"reload of the visible page (data_version changed): median {statistics.median(reloads) * 1000:.0f} ms")
    print(f"text filter applied: {max(filtered, 0) * 1000:.0f} ms after the debounce")
    return shown


async def baseline() -> float:
    """The same app on an empty workspace: Textual's own start-up and first paint."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(Workspace.open(Path(tmp) / "ws"))
        app = make_app(engine, run_queue=False, poll_interval=None)
        t = time.perf_counter()
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            took = time.perf_counter() - t
        engine.close()
    print(f"baseline, empty workspace: app start to first paint {took:.2f} s")
    return took


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    asyncio.run(baseline())
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(Workspace.open(Path(tmp) / "ws"))
        fill(engine, count)
        asyncio.run(measure(engine, count))
        engine.close()


if __name__ == "__main__":
    main()
