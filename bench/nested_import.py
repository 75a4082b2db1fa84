"""Nested JSONL against flat CSV: the same number of records, imported by `importdesk run` in the same run.

    python bench/nested_import.py [--rows 1000000] [--repeat 1] [--before DIR]

The nested file holds price objects as Elastic Path price books send them, one per line:
``{"data": {"type": "item-price", "pricebook_external_ref": …, "attributes": {"sku": …,
"currencies": {"USD": {"amount": …, "includes_tax": …, "tiers": {"min_5": {"minimum_quantity": 5,
"amount": …}}}, "EUR": {…}}}}}`` — a map of currencies with tiers, checked to the leaf, a field read
from the envelope. The flat file is the products CSV of bench/import_speed.py (11 columns). Both
in fresh workspaces, each in its own process (bench/_measure.py), rounds interleaved; a run counts
only if its job imported every record. Prints wall time, rows/s, CPU seconds and the ratio of the
rates per round. Goal (issue 10): the nested path at least half the flat path's rate.
--before DIR also runs both with DIR/.venv/bin/importdesk (another checkout), interleaved, and
prints after/before per path, paired per round.
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
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also run both paths with DIR/.venv/bin/importdesk (after/before per path)")
    args = parser.parse_args()
    flat, nested = input_file("products", args.rows, "csv"), make_jsonl(args.rows)
    bins = {"": VENV_BIN / "importdesk"}
    if args.before is not None:
        bins[" before"] = args.before.resolve() / ".venv" / "bin" / "importdesk"
        if not bins[" before"].exists():
            raise SystemExit(f"--before: no {bins[' before']} (make a venv there and pip install -e it)")

    def nested_cmd(importdesk: str):
        def cmd(work: Path) -> list[str]:
            (work / "schemas").mkdir(parents=True, exist_ok=True)
            (work / "schemas" / "item_price.toml").write_text(PRICE_TYPE, encoding="utf-8")
            return [importdesk, "--workspace", str(work), "run", str(nested)]
        return cmd

    def flat_cmd(importdesk: str):
        return lambda w: [importdesk, "--workspace", str(w), "run", str(flat), "--type", "products"]

    cases = {}
    for suffix, importdesk in bins.items():
        cases["flat CSV (products, 11 columns)" + suffix] = flat_cmd(str(importdesk))
        cases["nested JSONL (currencies, tiers)" + suffix] = nested_cmd(str(importdesk))
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
    for _ in range(args.repeat):  # rounds interleaved: load that drifts hits both paths alike
        for name, cmd in cases.items():
            results[name].append(run_once(cmd, args.rows))
    print(f"{args.rows:,} records each, median of {args.repeat}")
    print(f"{'method':<41} {'seconds':>8} {'rows/s':>10} {'cpu s':>7} {'peak MB':>8}")
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"{name:<41} {wall:8.2f} {args.rows / wall:10,.0f} {cpu:7.2f} {max(r[2] for r in runs):8.0f}")
    names = list(results)
    for suffix in bins:
        flat_runs, nested_runs = results[names[0] + suffix], results[names[1] + suffix]
        ratios = [f[0] / n[0] for f, n in zip(flat_runs, nested_runs, strict=True)]
        cpu = [f[1] / n[1] for f, n in zip(flat_runs, nested_runs, strict=True)]
        print(f"\nnested / flat rate{suffix}: {statistics.median(ratios):.2f} (rounds {min(ratios):.2f}-"
              f"{max(ratios):.2f}; goal >= 0.5); by CPU {statistics.median(cpu):.2f}")
    if args.before is not None:
        print("\nafter / before (paired per round)      wall              cpu")
        for name in names[:2]:
            after, before = results[name], results[name + " before"]
            wall = [a[0] / b[0] for a, b in zip(after, before, strict=True)]
            cpu = [a[1] / b[1] for a, b in zip(after, before, strict=True)]
            print(f"{name:<34} {statistics.median(wall):5.2f}x ({min(wall):.2f}-{max(wall):.2f})"
                  f"  {statistics.median(cpu):5.2f}x ({min(cpu):.2f}-{max(cpu):.2f})")


if __name__ == "__main__":
    main()
