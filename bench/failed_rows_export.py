"""Failed-rows export: CSV vs XLSX with openpyxl (write_only) vs XlsxWriter (constant_memory).

Builds a job with N failed rows (default 100,000): a products CSV where every row has a negative
price (and every 7th row a formula-looking description, so the text-cell path is exercised), imported
with the Engine into a temporary workspace with skip_errors. Then writes the job's failed rows with
``write_failed_rows`` once per case, each **in its own subprocess**, so the peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) belongs to that case alone. Prints seconds (median
of ``--repeat`` runs), rows/s, peak RSS and the time ratio to CSV.

Cases: ``read`` (iterate the items only: the floor), ``csv``, and per XLSX engine
(``xlsxwriter`` when installed, ``openpyxl``) once with every row commented (``all``) and once with
the default comment cap (``cap``: comments on the first 20,000 rows only).

    .venv/bin/python bench/failed_rows_export.py                 # 100k rows, 3 runs each
    .venv/bin/python bench/failed_rows_export.py --rows 20000 --repeat 1

The workspace is cached in bench/out/ (git-ignored); ``--fresh`` rebuilds it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
HEADER = "sku,name,description,category,price,currency,weight_kg,active,ean,launched_on,attributes,internal_note"


def make_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\n")
        for i in range(rows):
            desc = "=HYPERLINK(\"http://x\")" if i % 7 == 0 else "A fine, sturdy item"
            f.write(f"SKU-{i:07d},Product {i},\"{desc.replace(chr(34), chr(34) * 2)}\",tools,-{i % 500 + 1}.50,"
                    f"EUR,0.5,true,0{i % 10}12345678901,2025-01-0{i % 9 + 1},\"{{\"\"n\"\":{i}}}\",note {i}\n")


def build_job(rows: int, fresh: bool) -> tuple[Path, str]:
    """A workspace holding one job with ``rows`` failed rows; cached by row count."""
    ws_dir = OUT / f"failed_rows_ws_{rows}"
    meta = ws_dir / "job.json"
    if meta.exists() and not fresh:
        return ws_dir, json.loads(meta.read_text())["uid"]
    shutil.rmtree(ws_dir, ignore_errors=True)
    ws_dir.mkdir(parents=True)
    from importdesk.engine import Engine
    from importdesk.engine.service import ImportOptions
    from importdesk.workspace import Workspace

    src = ws_dir / f"bad_prices_{rows}.csv"
    make_csv(src, rows)
    engine = Engine(Workspace.open(ws_dir / "ws"))
    t = time.perf_counter()
    job = engine.create_job(src, ImportOptions(resource_type="products", skip_errors=True))
    job = engine.run_job(job.uid)
    print(f"imported {rows:,} rows in {time.perf_counter() - t:.1f} s: {job.progress.error:,} failed", file=sys.stderr)
    engine.close()
    assert job.progress.error == rows, job.progress
    meta.write_text(json.dumps({"uid": job.uid}))
    return ws_dir, job.uid


# --- one case per subprocess --------------------------------------------------------------------

def run_case(case: str, ws_dir: Path, uid: str, out_dir: Path) -> dict:
    from importdesk.engine import Engine
    from importdesk.exports.failed_rows import COMMENT_LIMIT, write_failed_rows
    from importdesk.models import ItemLevel
    from importdesk.workspace import Workspace

    engine = Engine(Workspace.open(ws_dir / "ws"))
    resource_type = engine.registry.get("products")
    items = engine.iter_items(uid, ItemLevel.ERROR)
    t = time.perf_counter()
    if case == "read":
        rows = len({i.row_number for i in items})
    elif case == "csv":
        rows = write_failed_rows(items, out_dir / "failed.csv", "csv", resource=resource_type)
    else:
        engine_name, comments = case.split("-")
        rows = write_failed_rows(items, out_dir / f"failed-{case}.xlsx", "xlsx", resource=resource_type,
                                 xlsx_engine=engine_name,
                                 comment_limit=COMMENT_LIMIT if comments == "cap" else sys.maxsize)
    seconds = time.perf_counter() - t
    engine.close()
    return {"case": case, "rows": rows, "seconds": seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--cases", help="comma-separated subset of the cases")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--ws", help=argparse.SUPPRESS)
    ap.add_argument("--uid", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child, Path(args.ws), args.uid, Path(args.ws))))
        return

    OUT.mkdir(exist_ok=True)
    ws_dir, uid = build_job(args.rows, args.fresh)
    engines = (["xlsxwriter"] if importlib.util.find_spec("xlsxwriter") else []) + ["openpyxl"]
    cases = ["read", "csv"] + [f"{e}-{c}" for e in engines for c in ("all", "cap")]
    if args.cases:
        cases = [c for c in cases if c in args.cases.split(",")]
    results: dict[str, list[dict]] = {c: [] for c in cases}
    for _ in range(args.repeat):
        for case in cases:
            out = subprocess.run([sys.executable, __file__, "--child", case, "--ws", str(ws_dir), "--uid", uid],
                                 capture_output=True, text=True, check=True)
            results[case].append(json.loads(out.stdout.strip().splitlines()[-1]))

    print(f"\nfailed-rows export, {args.rows:,} failed rows x 14 columns, median of {args.repeat} run(s)\n")
    print(f"{'case':<18} {'seconds':>8} {'rows/s':>10} {'peak RSS MB':>12} {'x csv':>7}")
    base = statistics.median(r["seconds"] for r in results["csv"]) if "csv" in results else None
    for case, runs in results.items():
        sec = statistics.median(r["seconds"] for r in runs)
        rss = max(r["peak_rss_mb"] for r in runs)
        rows = runs[0]["rows"]
        ratio = f"{sec / base:6.1f}x" if base else ""
        print(f"{case:<18} {sec:8.2f} {rows / sec:10,.0f} {rss:12.0f} {ratio:>7}")
    if "xlsxwriter-all" in results and "openpyxl-all" in results:
        a = statistics.median(r["seconds"] for r in results["openpyxl-all"])
        b = statistics.median(r["seconds"] for r in results["xlsxwriter-all"])
        print(f"\nopenpyxl write_only / XlsxWriter constant_memory: {a / b:.1f}x the time")


if __name__ == "__main__":
    main()
