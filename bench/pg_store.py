"""The PostgreSQL store against SQLite, and PostgreSQL with 1, 2 and 4 workers, in one run.

    .venv/bin/python bench/pg_store.py --url postgresql://USER@HOST/DB          # the issue's sizes
    .venv/bin/python bench/pg_store.py --url "$IMPORTDESK_TEST_PG" --rows 200k --files 8 --file-rows 25k

Part 1: one products CSV of --rows rows (bench/_inputs.py, cached in bench/out/), imported with
`importdesk run FILE --type products` into an empty SQLite workspace and into an empty PostgreSQL
store (a schema of its own), rounds interleaved; rows/s and PostgreSQL's time as a multiple of
SQLite's, per round, median.

Part 2: --files files of --file-rows rows each (distinct keys), queued on an empty PostgreSQL
store, then drained by 1, 2 and 4 `importdesk work` processes started together (all on one
workspace, as machines sharing a folder would be); rows/s from the first start to the last end,
and the ratio to one worker. Every run is checked before it counts: the job's counters, or every
job done with every row created.

The workers' CPU seconds (their own, not PostgreSQL's) say what more workers cost per row: on a
machine shared with others, where the kernel gives each session one share of the CPU (Linux's
autogroup scheduling), the wall time cannot show scaling but the CPU per row still shows overhead.

The URL needs the right to create schemas (each run makes one and drops it afterwards). On a
2-core machine the workers share the cores with PostgreSQL itself: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _inputs  # bench helpers next to this file

VENV_BIN = Path(sys.executable).parent


def _size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


@contextmanager
def schema(url: str):
    """A store URL on a new schema, dropped afterwards."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    try:
        yield f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def _env(store: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "IMPORTDESK_STORE"}
    if store:
        env["IMPORTDESK_STORE"] = store
    return env


def run_one(path: Path, rows: int, store: str | None) -> float:
    """Seconds for `importdesk run` of the file into an empty store; checks the job."""
    with tempfile.TemporaryDirectory() as ws:
        start = time.perf_counter()
        out = subprocess.run([str(VENV_BIN / "importdesk"), "run", str(path), "--type", "products", "--json",
                              "-w", ws], capture_output=True, text=True, env=_env(store))
        seconds = time.perf_counter() - start
        if out.returncode != 0:
            raise RuntimeError(f"importdesk run failed ({out.returncode}): {out.stderr[-500:]}")
        job = json.loads(out.stdout)
        if (job["status"], job["progress"]["done"], job["summary"]["create"]) != ("done", rows, rows):
            raise RuntimeError(f"the run did not import every row: {job['status']} {job['progress']}")
        return seconds


def split_files(files: int, file_rows: int) -> list[Path]:
    """`files` CSVs of `file_rows` rows each, cut from one products file (so keys never repeat)."""
    source = _inputs.input_file("products", files * file_rows, "csv")
    folder = _inputs.OUT / f"pg_store-{files}x{file_rows}"
    paths = [folder / f"part{n:03d}.csv" for n in range(files)]
    if all(p.exists() for p in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    with open(source, encoding="utf-8") as handle:
        header = handle.readline()
        for path in paths:
            part = path.with_name(path.name + ".part")
            with open(part, "w", encoding="utf-8") as out:
                out.write(header)
                for _ in range(file_rows):
                    out.write(handle.readline())
            part.replace(path)
    return paths


def drain(paths: list[Path], file_rows: int, workers: int, store: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the workers) for `workers` processes of `importdesk work` to
    import every queued file; checks every job."""
    os.environ["IMPORTDESK_STORE"] = store
    try:
        from importdesk.engine import Engine, ImportOptions
        from importdesk.models import JobStatus
        from importdesk.workspace import Workspace

        with tempfile.TemporaryDirectory() as root:
            ws = Workspace.open(root)
            engine = Engine(ws)
            uids = [engine.create_job(p, ImportOptions(resource_type="products")).uid for p in paths]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            procs = [subprocess.Popen([str(VENV_BIN / "importdesk"), "work", "--once", "-w", root], env=_env(store),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
            codes = [p.wait() for p in procs]
            seconds = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            jobs = engine.get_jobs(uids)
            bad = [j for j in jobs.values() if (j.status, j.progress.done, j.summary.create)
                   != (JobStatus.DONE, file_rows, file_rows)]
            if bad or any(codes):
                raise RuntimeError(f"exit codes {codes}; jobs not fully imported: {[(j.uid, j.status) for j in bad]}")
            engine.close()
            return seconds, cpu
    finally:
        del os.environ["IMPORTDESK_STORE"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("IMPORTDESK_TEST_PG"), help="a PostgreSQL URL")
    parser.add_argument("--rows", default="1M", help="rows of the part-1 file (default 1M)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of part 1 (default 1)")
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--file-rows", default="50k")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--skip", choices=("single", "workers"), help="leave a part out")
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url (or set IMPORTDESK_TEST_PG)")
    rows, file_rows = _size(args.rows), _size(args.file_rows)
    if args.skip != "single":
        path = _inputs.input_file("products", rows, "csv")
        sqlite_s, pg_s = [], []
        for _ in range(args.repeat):
            sqlite_s.append(run_one(path, rows, None))
            with schema(args.url) as store:
                pg_s.append(run_one(path, rows, store))
        ratio = statistics.median(p / s for p, s in zip(pg_s, sqlite_s, strict=True))
        print(f"\none file of {rows:,} products rows, `importdesk run` (median of {args.repeat})")
        print(f"{'store':<12}{'seconds':>10}{'rows/s':>12}{'x SQLite':>10}")
        for name, times in (("SQLite", sqlite_s), ("PostgreSQL", pg_s)):
            t = statistics.median(times)
            print(f"{name:<12}{t:>10.1f}{rows / t:>12,.0f}{(t / statistics.median(sqlite_s)):>10.2f}")
        print(f"(per-round ratio, median: {ratio:.2f})")
    if args.skip != "workers":
        paths = split_files(args.files, file_rows)
        total = args.files * file_rows
        print(f"\n{args.files} files x {file_rows:,} rows on one PostgreSQL store, `importdesk work` processes")
        print(f"{'workers':<10}{'seconds':>10}{'rows/s':>12}{'x 1 worker':>12}{'worker CPU s':>14}"
              f"{'rows/CPU s':>12}")
        base = None
        for workers in (int(w) for w in args.workers.split(",")):
            with schema(args.url) as store:
                seconds, cpu = drain(paths, file_rows, workers, store)
            rate = total / seconds
            base = base or rate
            print(f"{workers:<10}{seconds:>10.1f}{rate:>12,.0f}{rate / base:>12.2f}{cpu:>14.1f}{total / cpu:>12,.0f}")


if __name__ == "__main__":
    main()
