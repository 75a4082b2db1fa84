"""XLSX readers compared: time and peak memory of reading every row, each in its own subprocess.

Readers: openpyxl (read_only, values_only), python-calamine (iter_rows; it has no lazy API: the
sheet is read whole first, see python-calamine issue #42), importdesk's streaming reader
(regex fast path + expat), and the same reader with the fast path off (expat only). Each run
is a subprocess of its own, so its peak RSS (``ru_maxrss``) belongs to that reader alone; runs
are interleaved (A B C A B C) so load that drifts affects every reader alike. Prints the median
time and the largest peak of ``--repeat`` rounds.

    .venv/bin/python bench/xlsx_readers.py                          # 100k rows, 3 rounds
    .venv/bin/python bench/xlsx_readers.py --file bench/out/import_speed-v1-products-1000000.xlsx \
        --repeat 1 --skip openpyxl                                   # any workbook, e.g. 1M rows

Measured on a shared 2-core machine (load ~5, so read the ratios), bench/import_speed.py's
products file (11 columns, inline strings, a date column), every row, 1 round:

    100,000 rows (6.7 MiB file, 59 MB of sheet XML)   time s   peak RSS MiB
    baseline (python only)                               -          14
    openpyxl read_only values_only                    30.70          35
    python-calamine iter_rows                          1.59         116
    importdesk streaming (regex+expat)                 4.68          28
    importdesk streaming, expat only                   7.37          25

    1,000,000 rows (66.9 MiB file), openpyxl skipped   time s   peak RSS MiB
    python-calamine iter_rows                         25.46        1015
    importdesk streaming (regex+expat)                33.09          28
    importdesk streaming, expat only                  53.33          25

The same 1,000,000 rows on 2026-12-04, 2 rounds, load ~1.5, after spans of alike rows came to be
read by a template of their first row (readers/xlsx_templates.py):

    python-calamine iter_rows                          9.61        1015
    importdesk streaming (regex+expat)                 6.29          29
    importdesk streaming, expat only                  33.46          20
    importdesk count (scan of the XML)                 3.10          29
    importdesk count by reading the rows               6.46          29

The count (200,000 rows of bench/import_speed.py's products sheet, 114 MB of XML, machine at
load ~9, 1 round): the scan of the XML (readers/xlsx_count.py) 1.64 s, the count by reading the
rows 7.26 s (4.4x):

    .venv/bin/python bench/xlsx_readers.py --file bench/out/import_speed-v1-products-200000.xlsx \
        --repeat 1 --skip openpyxl,calamine,expat

The generated workbook is cached in bench/out/ (git-ignored); ``--fresh`` rebuilds it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
COLUMNS = 11


def make_workbook(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Products")
    ws.append(["sku", "name", "description", "price", "currency", "stock", "category",
               "weight", "active", "created", "updated"])
    base = dt.date(2024, 1, 1)
    for i in range(rows):
        ws.append([
            f"{i:08d}",                      # text with leading zeros
            f"Product {i}",
            "A fine, sturdy item" if i % 3 else "Plain item",
            round((i * 7919) % 10000 / 100, 2),  # float
            "EUR",
            i % 500,                          # int
            f"cat-{i % 40}",
            (i % 97) / 10,
            bool(i % 2),
            base + dt.timedelta(days=i % 1000),            # date
            dt.datetime(2024, 5, 1, 8, 30) + dt.timedelta(minutes=i),  # datetime
        ])
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)


# --- one reader per subprocess ------------------------------------------------------------------

def read_openpyxl(path: str) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for _row in wb.worksheets[0].iter_rows(values_only=True):
        n += 1
    wb.close()
    return n


def read_calamine(path: str) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    n = 0
    for _row in wb.get_sheet_by_index(0).iter_rows():
        n += 1
    wb.close()
    return n


def read_importdesk(path: str) -> int:
    from importdesk.readers import open_source

    n = 0
    with open_source(path) as src:
        for _rec in src.records():
            n += 1
    return n + 1  # + header row, to compare with the raw readers


def read_importdesk_expat(path: str) -> int:
    """The streaming reader with its regex fast path switched off: every row through expat."""
    from importdesk.readers import xlsx_fastrows

    xlsx_fastrows.fast_rows = lambda f, book: None
    return read_importdesk(path)


def count_importdesk(path: str) -> int:
    """importdesk's count (readers/xlsx_count.py: a scan of the sheet's XML, no cell read; it
    falls back to reading the rows when it cannot be sure, which shows here as a reading's time)."""
    from importdesk.readers import open_source

    with open_source(path) as src:
        return src.count() + 1


def count_importdesk_by_reading(path: str) -> int:
    """The count the way it was made before the scan: every row read."""
    from importdesk.readers import open_source

    with open_source(path) as src:
        return src._count_by_reading() + 1


def read_nothing(path: str) -> int:
    """Baseline: the interpreter alone (what every subprocess pays before reading)."""
    return 0


READERS = {
    "baseline (python only)": read_nothing,
    "openpyxl read_only values_only": read_openpyxl,
    "python-calamine iter_rows": read_calamine,
    "importdesk streaming (regex+expat)": read_importdesk,
    "importdesk streaming, expat only": read_importdesk_expat,
    "importdesk count (scan of the XML)": count_importdesk,
    "importdesk count by reading the rows": count_importdesk_by_reading,
}


def child(name: str, path: str) -> None:
    import resource

    t0 = time.perf_counter()
    rows = READERS[name](path)
    seconds = time.perf_counter() - t0
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"rows": rows, "seconds": seconds, "rss_mib": rss_kib / 1024}))


def run_child(name: str, path: Path) -> dict:
    env = dict(os.environ)
    src = str(HERE.parent / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", name, str(path)],
        capture_output=True, text=True, env=env,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--file", type=Path, help="read this workbook instead of the generated one")
    ap.add_argument("--skip", default="", help="comma-separated words: skip readers whose name has one")
    ap.add_argument("--fresh", action="store_true", help="rebuild the workbook")
    ap.add_argument("--child", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--make", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.make:
        make_workbook(Path(args.make), args.rows)
        return

    if args.file:
        path = args.file
    else:
        OUT.mkdir(exist_ok=True)
        path = OUT / f"products_{args.rows}x{COLUMNS}.xlsx"
        if args.fresh or not path.exists():
            # In a subprocess: on Linux a child's ru_maxrss starts from its parent's high-water
            # mark (kept across fork/exec), so the parent must stay small for the figures to mean much.
            t0 = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--make", str(path), "--rows", str(args.rows)],
                           check=True)
            print(f"wrote {path.name} with openpyxl write_only in {time.perf_counter() - t0:.1f} s")
    skip = [w for w in args.skip.split(",") if w]
    names = [n for n in READERS if not any(w in n for w in skip)]
    print(f"workbook: {path.name}, {path.stat().st_size / 2**20:.1f} MiB on disk; "
          f"{args.repeat} interleaved round(s), each reader in a subprocess\n")

    runs: dict[str, list[dict]] = {n: [] for n in names}
    for _ in range(args.repeat):
        for name in names:
            runs[name].append(run_child(name, path))
    results: dict[str, dict] = {}
    for name in names:
        ok = [r for r in runs[name] if "error" not in r]
        if not ok:
            results[name] = {"error": runs[name][0]["error"]}
            continue
        results[name] = {
            "rows": ok[0]["rows"],
            "seconds": statistics.median(r["seconds"] for r in ok),
            "rss_mib": max(r["rss_mib"] for r in ok),
        }

    print(f"{'reader':36s} {'rows':>10s} {'time s':>8s} {'rows/s':>10s} {'peak RSS MiB':>13s}")
    for name, r in results.items():
        if "error" in r:
            print(f"{name:36s} error: {r['error']}")
            continue
        rate = f"{r['rows'] / r['seconds']:,.0f}" if r["seconds"] > 0 and r["rows"] else "-"
        print(f"{name:36s} {r['rows']:>10,d} {r['seconds']:>8.2f} {rate:>10s} {r['rss_mib']:>13.0f}")

    ca = results.get("python-calamine iter_rows", {})
    me = results.get("importdesk streaming (regex+expat)", {})
    base = results.get("baseline (python only)", {}).get("rss_mib", 0.0)
    if "seconds" in ca and "seconds" in me:
        print(f"\nimportdesk streaming / raw calamine: {me['seconds'] / ca['seconds']:.1f}x the time, "
              f"peak RSS above the bare interpreter {me['rss_mib'] - base:.0f} MiB vs {ca['rss_mib'] - base:.0f} MiB")


if __name__ == "__main__":
    main()
