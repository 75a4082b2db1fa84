"""`importdesk records` against the sqlite3 CLI on the same table, same query, same run.

    python bench/records_query.py [--rows 100000] [--repeat 3]

Imports an N-row products CSV (bench/import_speed.py makes and caches it) into a fresh workspace,
then times, each in its own process, writing to /dev/null:
  - sqlite3 -json / -csv on the records table, the filter and sort written in SQL by hand
    (the floor: C, no checks, no type conversion)
  - sqlite-utils rows with the same SQL fragments (Python, what a sqlite-utils user runs today)
  - importdesk records products --where 'price>=5000' --order -price --nl / --csv
    (fields checked, values bound, decimals converted, streamed in chunks)
and prints the medians and the ratios. Goals: no slower than sqlite-utils rows on the same query
(which checks nothing); streaming costs what Python's per-record conversion costs, never a
page-by-page re-scan (which would grow with the square of N).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_speed import make_csv

VENV_BIN = Path(sys.executable).parent
SQL = ("SELECT sku, name, description, category, price, currency, weight_kg, active, ean, launched_on, attributes"
       " FROM records_products WHERE CAST(price AS REAL) >= 5000 ORDER BY CAST(price AS REAL) DESC, _key")


def timed(cmd: list[str], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = make_csv(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        importdesk = [str(VENV_BIN / "importdesk"), "--workspace", str(ws)]
        subprocess.run([*importdesk, "run", str(source), "--type", "products"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        db = str(ws / "importdesk.db")
        matching = subprocess.run(["sqlite3", db, SQL.replace("SELECT sku, name, description, category, price, "
                                   "currency, weight_kg, active, ean, launched_on, attributes", "SELECT count(*)")
                                   .split(" ORDER BY")[0]], check=True, capture_output=True, text=True).stdout.strip()
        query = ["records", "products", "--where", "price>=5000", "--order", "-price"]
        cases = {
            "sqlite3 -json": ["sqlite3", "-json", db, SQL],
            "importdesk records --nl": [*importdesk, *query, "--nl"],
            "sqlite-utils rows --nl": [str(VENV_BIN / "sqlite-utils"), "rows", db, "records_products", "--where",
                                       "CAST(price AS REAL) >= 5000", "--order", "CAST(price AS REAL) desc", "--nl"],
            "sqlite3 -csv": ["sqlite3", "-csv", "-header", db, SQL],
            "sqlite-utils rows --csv": [str(VENV_BIN / "sqlite-utils"), "rows", db, "records_products", "--where",
                                        "CAST(price AS REAL) >= 5000", "--order", "CAST(price AS REAL) desc",
                                        "--csv"],
            "importdesk records --csv": [*importdesk, *query, "--csv"],
            "importdesk records --nl --limit 50": [*importdesk, *query, "--nl", "--limit", "50"],
            "importdesk --version (start-up)": [*importdesk, "--version"],
        }
        results = {name: timed(cmd, args.repeat) for name, cmd in cases.items()}
    print(f"{args.rows:,} records, {int(matching):,} match; median of {args.repeat}")
    for name, seconds in results.items():
        print(f"  {name:<38} {seconds:7.2f} s")
    print(f"  ratio --nl / sqlite3 -json:  {results['importdesk records --nl'] / results['sqlite3 -json']:.1f}x")
    print(f"  ratio --csv / sqlite3 -csv:  {results['importdesk records --csv'] / results['sqlite3 -csv']:.1f}x")
    print(f"  ratio --nl / sqlite-utils --nl:   "
          f"{results['importdesk records --nl'] / results['sqlite-utils rows --nl']:.2f}x")
    print(f"  ratio --csv / sqlite-utils --csv: "
          f"{results['importdesk records --csv'] / results['sqlite-utils rows --csv']:.2f}x")


if __name__ == "__main__":
    main()
