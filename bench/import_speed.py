"""Import speed and memory: `importdesk run` against the sqlite3 CLI and sqlite-utils, same file, same run.

    python bench/import_speed.py [--rows 1000000] [--repeat 1]

Generates an N-row, 11-column products CSV (cached in bench/out/), then times, each in a fresh
database / workspace and its own process:
  - `sqlite3 DB ".import --csv FILE products"`       (C, no validation: the floor)
  - `sqlite-utils insert DB products FILE --csv --no-detect-types`   (no validation)
  - `importdesk run FILE --type products`            (validated, classified, crash-safe batches)
and prints wall time, rows/s, CPU time (all processes: importdesk commits in a second process from
20,000 rows on, so its CPU time exceeds its wall time on 2 cores), peak RSS (the sum over the
command and the processes it starts, sampled every 50 ms on Linux)
and the ratios. Also runs importdesk on a 10x smaller file to show memory does not grow with the
file size. Goals (issue 2): within 5x the sqlite3 CLI (aim 3x),
at least 2x faster than sqlite-utils --no-detect-types, peak RSS < 150 MB, 100k vs 1M within 20%.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
VENV_BIN = Path(sys.executable).parent
HEADER = ["sku", "name", "description", "category", "price", "currency", "weight_kg", "active", "ean",
          "launched_on", "attributes"]


def make_csv(rows: int) -> Path:
    path = OUT / f"products_{rows}.csv"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    rnd = random.Random(rows)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow([
                f"SKU-{i:08d}", f"Product {i}", "A sturdy, well-made thing", f"category-{i % 50}",
                f"{rnd.randint(1, 999_999) / 100:.2f}", rnd.choice(("EUR", "USD", "GBP")),
                f"{rnd.randint(1, 50_000) / 1000}", rnd.choice(("true", "false")),
                f"{rnd.randint(0, 10**13 - 1):013d}", f"20{rnd.randint(10, 26)}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}",
                '{"color":"red","size":"M"}',
            ])
    tmp.replace(path)
    return path


_MEASURE = r"""
import os, resource, subprocess, sys, time

def tree_rss_kb(root):
    # resident memory of the process and all its descendants (importdesk's batch writer is one)
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/statm") as f:
                    rss[int(entry)] = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            except (OSError, IndexError, ValueError):
                pass
    tree, changed = {root}, True
    while changed:
        grown = tree | {pid for pid, parent in parents.items() if parent in tree}
        changed, tree = grown != tree, grown
    return sum(rss.get(pid, 0) for pid in tree)

t = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0
while proc.poll() is None:
    if os.path.isdir("/proc"):
        peak = max(peak, tree_rss_kb(proc.pid))
    time.sleep(0.05)
seconds = time.perf_counter() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(seconds, max(peak, u.ru_maxrss), u.ru_utime + u.ru_stime, proc.returncode)
"""


def measure(cmd: list[str]) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB of the command and the processes it starts, CPU seconds), in a process of its own."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=True)
    seconds, rss_kb, cpu, rc = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"command failed ({rc}): {' '.join(cmd)}")
    return float(seconds), int(rss_kb) / 1024, float(cpu)


def run_case(name: str, make_cmd, repeat: int) -> tuple[float, float, float]:
    times, peaks, cpus = [], [], []
    for _ in range(repeat):
        work = Path(tempfile.mkdtemp(prefix="importdesk-bench-"))
        try:
            seconds, peak, cpu = measure(make_cmd(work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        times.append(seconds)
        peaks.append(peak)
        cpus.append(cpu)
    return statistics.median(times), max(peaks), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if not shutil.which("sqlite3"):
        raise SystemExit("the sqlite3 command-line tool is needed (apt-get install sqlite3)")
    big = make_csv(args.rows)
    small = make_csv(args.rows // 10)
    importdesk = str(VENV_BIN / "importdesk")
    sqlite_utils = str(VENV_BIN / "sqlite-utils")
    cases = {
        "sqlite3 .import --csv": lambda w: ["sqlite3", str(w / "t.db"), f".import --csv {big} products"],
        "sqlite-utils --no-detect-types": lambda w: [sqlite_utils, "insert", str(w / "t.db"), "products", str(big),
                                                     "--csv", "--no-detect-types"],
        "importdesk run": lambda w: [importdesk, "--workspace", str(w), "run", str(big), "--type", "products"],
        f"importdesk run ({args.rows // 10:,} rows)": lambda w: [importdesk, "--workspace", str(w), "run", str(small),
                                                                 "--type", "products"],
    }
    results = {}
    print(f"{args.rows:,} rows, {big.stat().st_size / 1e6:.0f} MB CSV, median of {args.repeat}")
    print(f"{'method':<34} {'seconds':>8} {'rows/s':>10} {'cpu s':>7} {'peak MB':>8} {'x sqlite3':>9}")
    for name, make_cmd in cases.items():
        seconds, peak, cpu = run_case(name, make_cmd, args.repeat)
        results[name] = (seconds, peak)
        rows = args.rows // 10 if "(" in name else args.rows
        base = results["sqlite3 .import --csv"][0] * (0.1 if "(" in name else 1)
        print(f"{name:<34} {seconds:8.2f} {rows / seconds:10,.0f} {cpu:7.2f} {peak:8.0f} {seconds / base:9.2f}")
    ours, peak = results["importdesk run"]
    print()
    print(f"importdesk vs sqlite3 CLI:            {ours / results['sqlite3 .import --csv'][0]:.2f}x the time (goal <= 5, aim 3)")
    print(f"importdesk vs sqlite-utils:           {results['sqlite-utils --no-detect-types'][0] / ours:.2f}x faster (goal >= 2)")
    small_peak = results[f"importdesk run ({args.rows // 10:,} rows)"][1]
    print(f"peak memory:                          {peak:.0f} MB (goal < 150); "
          f"{args.rows // 10:,} rows: {small_peak:.0f} MB, growth {peak / small_peak - 1:+.0%} (goal within 20%)")


if __name__ == "__main__":
    main()
