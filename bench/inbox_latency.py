"""Inbox latency and throughput.

    .venv/bin/python bench/inbox_latency.py [--files 20] [--burst 1000] [--stability 1.0] [--workers 1]

1. Latency: ~20 files written one after another (a pause between them); for each, the time from the
   writer closing the file to its job appearing in the database. Prints median and p90. The floor is
   the stability window (default 1.0 s, as in production).
2. Burst: 1,000 small files dropped at once; files/s until all of them are jobs (queued), and, with
   workers, until all jobs are done and their files archived.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from importdesk.engine import Engine
from importdesk.inbox import InboxWatcher
from importdesk.models import JobFilter
from importdesk.workspace import Workspace


def csv_text(tag: str, rows: int = 3) -> str:
    return "sku,name,price,currency\n" + "".join(f"{tag}-{i},Item {tag} {i},{i + 1}.25,EUR\n" for i in range(rows))


def job_count(engine: Engine) -> int:
    return engine.count_jobs(JobFilter())


def latency(files: int, stability: float, rescan: float) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "ws")
        engine = Engine(ws)
        watcher = InboxWatcher(engine, stability=stability, rescan_interval=rescan, workers=0)
        watcher.start()
        time.sleep(0.3)
        results = []
        try:
            for i in range(files):
                before = job_count(engine)
                path = ws.inbox / f"products-lat-{i:03d}.csv"
                with open(path, "w") as handle:
                    handle.write(csv_text(f"L{i}"))
                closed = time.perf_counter()
                while job_count(engine) == before:
                    time.sleep(0.002)
                    if time.perf_counter() - closed > 30:
                        raise SystemExit("timed out waiting for a job")
                results.append(time.perf_counter() - closed)
                time.sleep(0.05)
        finally:
            watcher.stop()
            engine.close()
        return results


def burst(count: int, stability: float, rescan: float, workers: int) -> tuple[float, float | None]:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "ws")
        engine = Engine(ws)
        watcher = InboxWatcher(engine, stability=stability, rescan_interval=rescan, workers=workers)
        watcher.start()
        time.sleep(0.3)
        folder = ws.inbox / "products"
        folder.mkdir()
        try:
            start = time.perf_counter()
            for i in range(count):
                (folder / f"burst-{i:04d}.csv").write_text(csv_text(f"B{i}", 2))
            written = time.perf_counter()
            while job_count(engine) < count:
                time.sleep(0.01)
                if time.perf_counter() - start > 300:
                    raise SystemExit("timed out waiting for the burst")
            queued = time.perf_counter() - start
            done = None
            if workers:
                finished = ("done", "error", "canceled")
                while sum(n for s, n in engine.status_counts().items() if s.value in finished) < count \
                        or any(ws.processing.glob("0*")):
                    time.sleep(0.02)
                    if time.perf_counter() - start > 600:
                        raise SystemExit("timed out waiting for the burst to run")
                done = time.perf_counter() - start
            print(f"  writing {count} files took {written - start:.2f}s")
        finally:
            watcher.stop()
            engine.close()
        return queued, done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--burst", type=int, default=1000)
    ap.add_argument("--stability", type=float, default=1.0)
    ap.add_argument("--rescan", type=float, default=5.0)
    ap.add_argument("--workers", type=int, default=1, help="workers for the burst's second figure (0: skip)")
    args = ap.parse_args()

    lat = sorted(latency(args.files, args.stability, args.rescan))
    p90 = lat[min(len(lat) - 1, round(0.9 * (len(lat) - 1)))]
    print(f"latency, writer close -> job in DB, {len(lat)} files, stability {args.stability:.1f}s:")
    print(f"  median {statistics.median(lat):.3f}s  p90 {p90:.3f}s  min {lat[0]:.3f}s  max {lat[-1]:.3f}s")
    print(f"  (minus the window: median {statistics.median(lat) - args.stability:.3f}s)")

    queued, done = burst(args.burst, args.stability, args.rescan, 0)
    print(f"burst of {args.burst} files, no workers: all queued as jobs in {queued:.2f}s "
          f"= {args.burst / queued:.0f} files/s (including the {args.stability:.1f}s window)")
    if args.workers:
        queued, done = burst(args.burst, args.stability, args.rescan, args.workers)
        print(f"burst of {args.burst} files, {args.workers} worker(s): queued in {queued:.2f}s "
              f"({args.burst / queued:.0f} files/s); all run and archived in {done:.2f}s "
              f"({args.burst / done:.0f} files/s)")


if __name__ == "__main__":
    main()
