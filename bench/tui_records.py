"""How fast the records view reads a page of a 1,000,000-record type (paged from SQLite).

Run: .venv/bin/python bench/tui_records.py [--rows N] [--keep]   (prints medians; the figures go into
the report). `--keep` builds the workspace in bench/out/records_N/ once and reuses it.

Sorting by the key walks the primary key; sorting by another field (no index) makes SQLite read every
row and keep the top page (a scan, no full sort): that is the figure to watch.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from importdesk.engine import Engine, ImportOptions
from importdesk.engine.record_browser import RecordQuery, page
from importdesk.tui.app import make_app
from importdesk.tui.screens.records import READER, RecordsScreen
from importdesk.workspace import Workspace

HEADER = "sku,name,description,category,price,currency,weight_kg,active,ean,launched_on,attributes"


def build(root: Path, rows: int) -> Engine:
    if (root / "ws" / "importdesk.db").exists():
        print(f"reusing the {rows:,}-record workspace in {root.name}/")
        return Engine(Workspace.open(root / "ws"))
    root.mkdir(parents=True, exist_ok=True)
    src = root / "products.csv"
    with src.open("w") as out:
        out.write(HEADER + "\n")
        for i in range(1, rows + 1):
            out.write(f"SKU-{i:07},Thing {i},,cat{i % 17},{(i * 37) % 10000 / 100:.2f},EUR,1,true,,"
                      f"2024-01-01,{{}}\n")
    engine = Engine(Workspace.open(root / "ws"))
    job = engine.create_job(src, ImportOptions(resource_type="products"))
    t = time.perf_counter()
    engine.run_job(job.uid)
    print(f"import: {rows:,} records in {time.perf_counter() - t:.1f} s")
    return engine


def timed(call, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def measure_queries(engine: Engine, rows: int) -> None:
    base = RecordQuery("products", limit=40)
    for name, query in [
        ("first page, by key", base),
        (f"page at offset {rows // 2:,}, by key", RecordQuery("products", offset=rows // 2, limit=40)),
        ("first page, sorted by price (no index)", RecordQuery("products", sort="price", limit=40)),
        ("first page, sorted by price descending", RecordQuery("products", sort="price", descending=True,
                                                               limit=40)),
        ("filter category=cat3 (no index)", RecordQuery("products", where="category=cat3", limit=40)),
        ("filter key contains 12345", RecordQuery("products", where="12345", limit=40)),
    ]:
        print(f"{name}: median {timed(lambda q=query: page(engine, q)):.0f} ms (page + count)")


async def measure_app(engine: Engine) -> None:
    app = make_app(engine, run_queue=False, poll_interval=None)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        # timed without Pilot (its waits for idle would be counted): the action R runs, then the loop
        # is watched every 5 ms until the grid holds the page
        t = time.perf_counter()
        app.action_records()
        while not (isinstance(app.screen, RecordsScreen) and app.screen.result and app.screen.grid.row_count):
            await asyncio.sleep(0.005)
        first = time.perf_counter() - t
        await app.workers.wait_for_complete([w for w in app.workers if w.group == READER])
        await pilot.pause()
        screen = app.screen
        print(f"app: R to the first page on screen: {first * 1000:.0f} ms "
              f"({screen.grid.row_count} rows of {screen.result.total:,})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="build once into bench/out/ and reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(__file__).parent / "out" / f"records_{args.rows}" if args.keep else Path(tmp)
        eng = build(root, args.rows)
        measure_queries(eng, args.rows)
        asyncio.run(measure_app(eng))
