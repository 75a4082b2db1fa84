"""Nested JSONL against flat CSV: the same number of records, imported by `importdesk run` in the same run.

    python bench/nested_import.py [--rows 1000000] [--repeat 1]

The nested file holds price objects as Elastic Path price books send them, one per line:
``{"data": {"type": "item-price", "pricebook_external_ref": …, "attributes": {"sku": …,
"currencies": {"USD": {"amount": …, "includes_tax": …, "tiers": {"min_5": {"minimum_quantity": 5,
"amount": …}}}, "EUR": {…}}}}}`` — a map of currencies with tiers, checked to the leaf, a field read
from the envelope. The flat file is the products CSV of bench/import_speed.py (11 columns). Both
in fresh workspaces, each in its own process; prints wall time, rows/s, CPU seconds and the
ratio of the rates. Goal (issue 10): the nested path at least half the flat path's rate.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_speed import OUT, VENV_BIN, make_csv, run_case

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    flat, nested = make_csv(args.rows), make_jsonl(args.rows)
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
    print(f"{args.rows:,} records each, median of {args.repeat}")
    print(f"{'method':<34} {'seconds':>8} {'rows/s':>10} {'cpu s':>7} {'peak MB':>8}")
    rates = {}
    for name, make_cmd in cases.items():
        seconds, peak, cpu = run_case(name, make_cmd, args.repeat)
        rates[name] = args.rows / seconds
        print(f"{name:<34} {seconds:8.2f} {rates[name]:10,.0f} {cpu:7.2f} {peak:8.0f}")
    flat_rate, nested_rate = rates.values()
    print(f"\nnested / flat rate: {nested_rate / flat_rate:.2f} (goal >= 0.5)")


if __name__ == "__main__":
    main()
