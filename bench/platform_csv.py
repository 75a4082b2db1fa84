"""What nothing-dropped and grouping cost on table files: the flat products CSV (positional fast
path) against the same rows with one column that fills no field (kept in _extra: the dict path),
and a Medusa product CSV of the same number of rows (4 variants per handle, price and option
column families, products and variants from one file), in interleaved rounds, in process.

    .venv/bin/python bench/platform_csv.py                 # 100k rows, 2 rounds
    .venv/bin/python bench/platform_csv.py --rows 20000 --repeat 1

Each run imports into a fresh workspace and is checked (status done, no errors, every record in)
before it counts. Prints records/s per case and, per round, each case's rate over the flat path's.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _inputs import OUT, input_file

from importdesk.engine import Engine, ImportOptions
from importdesk.workspace import Workspace

MEDUSA_HEADER = ["Product Handle", "Product Title", "Product Status", "Product Image 1", "Product Tag 1",
                 "Variant Title", "Variant Sku", "Variant Manage Inventory", "Variant Option 1 Name",
                 "Variant Option 1 Value", "Variant Price EUR", "Variant Price USD"]


def extra_column_file(rows: int) -> Path:
    path = OUT / f"platform_csv-extra-{rows}.csv"
    if not path.exists():
        part = path.with_name(path.name + ".part")
        with open(input_file("products", rows, "csv"), newline="", encoding="utf-8") as src, \
                open(part, "w", newline="", encoding="utf-8") as out:
            reader, writer = csv.reader(src), csv.writer(out)
            writer.writerow([*next(reader), "warehouse_note"])
            for i, row in enumerate(reader):
                writer.writerow([*row, f"shelf {i % 97}"])
        part.replace(path)
    return path


def medusa_file(rows: int) -> Path:
    path = OUT / f"platform_csv-medusa-{rows}.csv"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        part = path.with_name(path.name + ".part")
        sizes = ("S", "M", "L", "XL")
        with open(part, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(MEDUSA_HEADER)
            for i in range(rows):
                p, size = i // 4, sizes[i % 4]
                writer.writerow([f"product-{p}", f"Product {p}", "published", f"https://cdn.example.test/{p}.jpg",
                                 f"tag-{p % 20}", size, f"SKU-{p}-{size}", "TRUE", "Size", size,
                                 f"{10 + p % 90}.50", f"{12 + p % 90}"])
        part.replace(path)
    return path


def import_rate(path: Path, rtype: str, expected: int) -> float:
    root = Path(tempfile.mkdtemp(prefix="platform_csv-"))
    try:
        engine = Engine(Workspace.open(root / "ws"))
        try:
            job = engine.create_job(path, ImportOptions(resource_type=rtype))
            start = time.perf_counter()
            job = engine.run_job(job.uid)
            seconds = time.perf_counter() - start
            if job.status.value != "done" or job.progress.error or job.progress.done != expected:
                raise SystemExit(f"{path.name}: {job.status.value}, {job.progress} (expected {expected} records)")
        finally:
            engine.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return expected / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    n = args.rows
    cases = {
        "flat products (positional path)": (input_file("products", n, "csv"), "products", n),
        "+1 unknown column kept in _extra": (extra_column_file(n), "products", n),
        "Medusa CSV (products + variants)": (medusa_file(n), "medusa_product", n + n // 4),
    }
    rates: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.repeat):
        for name, (path, rtype, expected) in cases.items():
            rates[name].append(import_rate(path, rtype, expected))
    base = rates["flat products (positional path)"]
    print(f"{n:,} rows, {args.repeat} round(s), records/s (median), ratio to the flat path per round (median, range)")
    for name, values in rates.items():
        ratios = [v / b for v, b in zip(values, base, strict=True)]
        print(f"  {name:34s} {statistics.median(values):>10,.0f}/s   x{statistics.median(ratios):.2f} "
              f"({min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
