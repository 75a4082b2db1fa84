"""Nested JSONL against flat CSV: the same number of records, imported by `importdesk run` in the same run.

    python bench/nested_import.py [--rows 1000000] [--repeat 1]

The nested file holds price objects as Elastic Path price books send them, one per line:
``{"data": {"type": "item-price", "pricebook_external_ref": …, "attributes": {"sku": …,
"currencies": {"USD": {"amount": …, "includes_tax": …, "tiers": {"min_5": {"minimum_quantity": 5,
"amount": …}}}, "EUR": {…}}}}}`` — a map of currencies with tiers, checked to the leaf, a field read
from the envelope. The flat file is the products CSV of bench/import_speed.py (11 columns). Both
in fresh workspaces, each in its own process (bench/_measure.py), rounds interleaved; a run counts
only if its job imported every record. Prints wall time, rows/s, CPU seconds and the ratio of the
rates per round. Goal (issue 10): the nested path at least half the flat path's rate.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _inputs import OUT, input_file
from _measure import measure

VENV_BIN = Path(sys.executable).parent

PRICE_TYPE = '''
[resource]
name = "item_price"
wire_name = "item-price"
key = ["pricebook_external_ref", "sku"]

[fields.pricebook_external_ref]
type = "string"
source = "data.pricebook_external_ref"

[fields.sku]
type = "string"

[fields.currencies]
type = "map"
key_pattern = '^[A-Z]{3}$'
values = "object"
[fields.currencies.fields.amount]
type = "minor_units"
required = true
[fields.currencies.fields.includes_tax]
type = "boolean"
[fields.currencies.fields.tiers]
type = "map"
values = "object"
[fields.currencies.fields.tiers.fields.minimum_quantity]
type = "integer"
min = 1
required = true
[fields.currencies.fields.tiers.fields.amount]
type = "minor_units"
required = true
'''


def make_jsonl(rows: int) -> Path:
    path = OUT / f"prices_{rows}.jsonl"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    rnd = random.Random(rows)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8") as out:
        for i in range(rows):
            currencies = {}
            for cur in ("USD", "EUR"):
                amount = rnd.randint(100, 999_999)
                currencies[cur] = {"amount": amount, "includes_tax": cur == "EUR",
                                   "tiers": {"min_5": {"minimum_quantity": 5, "amount": amount * 9 // 10}}}
            out.write(json.dumps({"data": {"type": "item-price", "pricebook_external_ref": "retail",
                                           "attributes": {"sku": f"SKU-{i:08d}", "currencies": currencies}}}))
            out.write("\n")
    tmp.replace(path)
    return path


def run_once(cmd, rows: int) -> tuple[float, float, float]:
    """(wall, cpu, peak MB) of one import into a fresh workspace, checked: every record done."""
    work = Path(tempfile.mkdtemp(prefix="importdesk-bench-"))
    try:
        result = measure(cmd(work))
        if result.rc != 0:
            raise SystemExit(f"importdesk exited {result.rc}: {' '.join(cmd(work))}")
        db = sqlite3.connect(work / "importdesk.db")
        try:
            done, error = db.execute("SELECT done, error FROM jobs").fetchone()
        finally:
            db.close()
        if (done, error) != (rows, 0):
            raise SystemExit(f"the job imported {done} of {rows} records ({error} errors)")
        return result.wall, result.cpu, result.peak_mb
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    flat, nested = input_file("products", args.rows, "csv"), make_jsonl(args.rows)
    importdesk = str(VENV_BIN / "importdesk")

    def nested_cmd(work: Path) -> list[str]:
        (work / "schemas").mkdir(parents=True, exist_ok=True)
        (work / "schemas" / "item_price.toml").write_text(PRICE_TYPE, encoding="utf-8")
        return [importdesk, "--workspace", str(work), "run", str(nested)]

    cases = {
        "flat CSV (products, 11 columns)": lambda w: [importdesk, "--workspace", str(w), "run", str(flat),
                                                      "--type", "products"],
        "nested JSONL (currencies, tiers)": nested_cmd,
    }
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
    for _ in range(args.repeat):  # rounds interleaved: load that drifts hits both paths alike
        for name, cmd in cases.items():
            results[name].append(run_once(cmd, args.rows))
    print(f"{args.rows:,} records each, median of {args.repeat}")
    print(f"{'method':<34} {'seconds':>8} {'rows/s':>10} {'cpu s':>7} {'peak MB':>8}")
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"{name:<34} {wall:8.2f} {args.rows / wall:10,.0f} {cpu:7.2f} {max(r[2] for r in runs):8.0f}")
    flat_runs, nested_runs = results.values()
    ratios = [f[0] / n[0] for f, n in zip(flat_runs, nested_runs, strict=True)]
    print(f"\nnested / flat rate: {statistics.median(ratios):.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f};"
          " goal >= 0.5)")


if __name__ == "__main__":
    main()
