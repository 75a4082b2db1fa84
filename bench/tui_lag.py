"""Event-loop lag of the app while two 1,000,000-row imports run in its queue workers (issue 3).

Each queue worker runs its jobs in a child process, as the app does by default.

Lag is measured as a 10 ms `set_interval` timer's lateness: each tick, how much later than 10 ms
after the previous tick it ran (Textual skips missed ticks, so this is the real stall). Not Pilot
key-press timing. Goal: p99 < 50 ms.

Run: .venv/bin/python bench/tui_lag.py [ROWS] [WORKERS] [--with-threads]   (the CSV goes to bench/out/,
git-ignored). `--with-threads` also measures, in the same run, the baseline the app replaced: the
imports in the app's own worker threads. `--history=N` puts N finished jobs in the list first (a
full screen of rows to redraw on every snapshot, as in a workspace in daily use). `--external` runs
the two jobs in two headless `importdesk work` processes instead, the app only watching the store.
`--old-list` measures the job list (a Line-API widget owning its row cache) next to the DataTable
list it replaced, which edited DataTable's private render caches (bench/tui_joblist_datatable.py);
`--public-redraw` adds that DataTable list redrawn through the public update_cell. Same run, same
file, child processes; give `--history=40` or so for a full screen of rows.
`--before=DIR --rounds=N` measures another checkout of the app (DIR, e.g. `git archive main | tar -x
-C DIR`, run with DIR/src first on the path) and this one, each in a process of its own, interleaved
round after round on the same CSV, and prints the p99 of each round side by side. Both run this
script (the same measurement); only the app's code differs.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tui_joblist import fill
from tui_joblist_datatable import DataTableJobList, PublicRedrawJobList

from importdesk.engine import Engine, ImportOptions

try:
    from importdesk.gc_settings import SCREEN_GC_THRESHOLDS
except ImportError:  # --before: a checkout from before the app set its own thresholds
    SCREEN_GC_THRESHOLDS = None
from importdesk.models import JobStatus
from importdesk.tui.app import make_app
from importdesk.tui.screens import main_screen
from importdesk.workspace import Workspace

OUT = Path(__file__).parent / "out"
HEADER = "sku,name,description,category,price,currency,weight_kg,active,ean,launched_on,attributes"
TICK = 0.010


def products_csv(rows: int, name: str) -> Path:
    path = OUT / name
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    rnd = random.Random(rows)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(rows):
            out.write(f"SKU-{i:08d},Product {i},\"A sturdy, well-made thing\",category-{i % 50},"
                      f"{rnd.randint(100, 999999) / 100:.2f},EUR,{rnd.randint(1, 9999) / 1000},true,,"
                      f"2010-06-19,\"{{\"\"color\"\":\"\"red\"\"}}\"\n")
    tmp.replace(path)
    return path


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def read_jobs(engine: Engine, uids: list[str]) -> list:
    try:
        return [engine.get_job(u) for u in uids]
    finally:
        engine.close()  # this thread's connection


async def measure(engine: Engine, uids: list[str], workers: int, child_processes: bool, external: bool) -> float:
    app = make_app(engine, run_queue=not external, poll_interval=0.5, queue_workers=workers,
                   child_processes=child_processes)
    lateness: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        if last[0]:
            lateness.append(max(0.0, now - last[0] - TICK))
        last[0] = now

    t0 = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        app.set_interval(TICK, tick, name="lag probe")
        outside = [subprocess.Popen([str(Path(sys.executable).parent / "importdesk"), "--workspace",
                                     str(engine.workspace.root), "work"], stderr=subprocess.DEVNULL)
                   for _ in range(workers)] if external else []
        concurrent = 0
        while True:
            await pilot.pause(0.25)
            # read in a thread of its own: the bench's look must not be the event loop's lag
            jobs = await asyncio.to_thread(read_jobs, engine, uids)
            concurrent = max(concurrent, sum(j.status is JobStatus.PROCESSING for j in jobs))
            if all(j.status.is_final for j in jobs):
                break
        took = time.perf_counter() - t0
        for proc in outside:
            proc.wait()
    ms = [x * 1000 for x in lateness]
    where = ("two `importdesk work` processes, the app watching" if external
             else "child processes" if child_processes else "threads of the app (baseline)")
    print(f"imports in {where}, {workers} queue worker(s): both jobs done in {took:.1f} s; "
          f"at most {concurrent} ran at once; "
          f"statuses {[engine.get_job(u).status.value for u in uids]}, rows done "
          f"{[engine.get_job(u).progress.done for u in uids]}")
    print(f"timer lateness over {len(ms):,} ticks: p50 {statistics.median(ms):.1f} ms, "
          f"p99 {pct(ms, 0.99):.1f} ms, max {max(ms):.1f} ms  (goal p99 < 50 ms)")
    return pct(ms, 0.99)


def before_and_after(before: Path, rounds: int, args: list[str]) -> None:
    """Interleaved: the other checkout, then this one, `rounds` times; the p99 of each printed."""
    runs = {"before": {"PYTHONPATH": str(before / "src")}, "after": {}}
    p99: dict[str, list[float]] = {name: [] for name in runs}
    for r in range(1, rounds + 1):
        for name, env in runs.items():
            print(f"== round {r}, {name}: the app from {env.get('PYTHONPATH', 'this checkout')}", flush=True)
            done = subprocess.run([sys.executable, __file__, *args], env={**os.environ, **env},
                                  capture_output=True, text=True, check=True)
            print(done.stdout, end="", flush=True)
            p99[name].append(float(re.findall(r"p99 ([\d.]+) ms", done.stdout)[-1]))
    for name, values in p99.items():
        print(f"p99 lag, {name}: " + ", ".join(f"{v:.1f}" for v in values) + f" ms (median "
              f"{statistics.median(values):.1f} ms; goal < 50 ms)")


def main() -> None:
    before = next((Path(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--before=")), None)
    if before is not None:
        rounds = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--rounds=")), 1)
        before_and_after(before.resolve(), rounds,
                         [a for a in sys.argv[1:] if not a.startswith(("--before=", "--rounds="))])
        return
    if SCREEN_GC_THRESHOLDS:
        gc.set_threshold(*SCREEN_GC_THRESHOLDS)  # as the app sets them for its own process
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = int(args[0]) if args else 1_000_000
    workers = int(args[1]) if len(args) > 1 else 2
    src = products_csv(rows, f"products_{rows}.csv")
    history = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--history=")), 0)
    external = "--external" in sys.argv
    p99 = {}
    if "--old-list" in sys.argv or "--public-redraw" in sys.argv:
        lists = [("JobList, its own row cache (the app)", main_screen.JobList),
                 ("DataTable, private render caches edited (before)", DataTableJobList)]
        if "--public-redraw" in sys.argv:
            lists.append(("DataTable, public update_cell", PublicRedrawJobList))
        current = main_screen.JobList
        lags = {}
        for name, widget in lists:
            main_screen.JobList = widget  # the screen composes and queries its list by this name
            with tempfile.TemporaryDirectory() as tmp:
                engine = Engine(Workspace.open(Path(tmp) / "ws"))
                fill(engine, history)
                uids = [engine.create_job(src, ImportOptions(resource_type="products", reference=f"lag {i}")).uid
                        for i in range(2)]
                print(f"-- job list: {name}")
                lags[name] = asyncio.run(measure(engine, uids, workers, True, external))
                engine.close()
        main_screen.JobList = current
        print("p99 lag by job list: " + "; ".join(f"{k} {v:.1f} ms" for k, v in lags.items()))
        return
    for child_processes in ([True, False] if "--with-threads" in sys.argv else [True]):
        with tempfile.TemporaryDirectory() as tmp:
            engine = Engine(Workspace.open(Path(tmp) / "ws"))
            if history:
                fill(engine, history)
            # two jobs of the same file: each keeps its own copy; the second updates what the first wrote
            uids = [engine.create_job(src, ImportOptions(resource_type="products", reference=f"lag {i}")).uid
                    for i in range(2)]
            p99[child_processes] = asyncio.run(measure(engine, uids, workers, child_processes, external))
            engine.close()
    if len(p99) == 2:
        print(f"p99 lag, imports in child processes vs in threads: {p99[True]:.1f} vs {p99[False]:.1f} ms "
              f"({p99[False] / max(p99[True], 0.1):.1f}x lower)")


if __name__ == "__main__":
    main()
