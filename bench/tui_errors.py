"""How fast the errors pane is on a job with 100,000 errors (paged from SQLite).

Run: .venv/bin/python bench/tui_errors.py   (prints medians; the numbers go into the report)
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from tui_joblist import shown_now

from importdesk.engine import Engine, ImportOptions
from importdesk.tui.app import make_app
from importdesk.tui.widgets.error_table import ErrorTable
from importdesk.workspace import Workspace

ROWS = 100_000
HEADER = "sku,name,description,category,price,currency,weight_kg,active,ean,launched_on,attributes"


def build(root: Path) -> Engine:
    src = root / "bad.csv"
    with src.open("w") as out:
        out.write(HEADER + "\n")
        for i in range(1, ROWS + 1):
            out.write(f"SKU-{i:06},Thing {i},,misc,not-a-price,EUR,1,true,,2024-01-01,{{}}\n")
    engine = Engine(Workspace.open(root / "ws"))
    job = engine.create_job(src, ImportOptions(resource_type="products", skip_errors=True))
    t = time.perf_counter()
    engine.run_job(job.uid)
    print(f"engine: {ROWS:,} rows, all errors, in {time.perf_counter() - t:.1f} s")
    return engine


async def measure(engine: Engine) -> None:
    app = make_app(engine, run_queue=False, poll_interval=None)
    t = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        await shown_now(pilot)
        print(f"app start to first page shown: {time.perf_counter() - t:.2f} s")
        errors = app.screen.query_one(ErrorTable)
        assert errors.total == ROWS, errors.total
        turns = []
        for where in [1] * 20 + ["last", "first"] + [-1] * 5:
            t = time.perf_counter()
            errors.grid.action_turn(where)
            await shown_now(pilot)  # asked of the screen's reader, shown when its page comes back
            turns.append(time.perf_counter() - t)
        print(f"page turn (incl. a Pilot pause): median {statistics.median(turns) * 1000:.1f} ms, "
              f"max {max(turns) * 1000:.1f} ms, rows on the widget: {errors.grid.row_count}")
        t = time.perf_counter()
        errors.show(errors.job)
        await shown_now(pilot)
        print(f"reload kinds + count + page (incl. a Pilot pause): {(time.perf_counter() - t) * 1000:.1f} ms")

def measure_queries(engine: Engine) -> None:
    """The SQL under one page turn, without the UI."""
    uid = engine.list_jobs()[0].uid
    for name, call in [
        ("count_items", lambda: engine.count_items(uid)),
        ("list_items offset 0", lambda: engine.list_items(uid, offset=0, limit=20)),
        ("list_items offset 99,980", lambda: engine.list_items(uid, offset=99_980, limit=20)),
        ("item_kinds", lambda: engine.item_kinds(uid)),
    ]:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        print(f"{name}: median {statistics.median(times) * 1000:.1f} ms")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        eng = build(Path(tmp))
        measure_queries(eng)
        asyncio.run(measure(eng))
