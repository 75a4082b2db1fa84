"""bench/import_speed.py as a measuring tool: its options, its ratio lines, its refusal of runs that did
less work, and one tiny real run (2,000 rows, fresh CSV against the sqlite3 CLI). No timing is
asserted: the figures belong to the bench, not to the tests."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "import_speed.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("import_speed_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_sizes_read_like_a_person_writes_them(bench):
    args = bench.build_parser().parse_args(["--rows", "100k,1M,5_000_000,2000"])
    assert args.rows == [100_000, 1_000_000, 5_000_000, 2_000]


@pytest.mark.parametrize("argv", [["--rows", "lots"], ["--paths", "fresh,csv"], ["--only", "sqlite"]])
def test_unknown_values_are_usage_errors(bench, argv, capsys):
    with pytest.raises(SystemExit) as exc:
        bench.build_parser().parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "choose from" in err or "row counts like" in err


def test_the_baseline_always_runs_first(bench):
    parse = bench.build_parser().parse_args
    assert bench.selected(parse(["--only", "pandas,fresh"])) == ["sqlite3", "fresh", "pandas"]
    assert bench.selected(parse(["--paths", "jsonl,validate"])) == ["sqlite3", "validate", "jsonl"]
    assert bench.selected(parse(["--paths", "fresh", "--peers"])) == [
        "sqlite3", "fresh", "sqlite-utils", "pandas", "duckdb", "frictionless"]


def test_ratios_are_paired_per_round_and_judged_against_their_goal(bench):
    m = bench.Measurement
    size = bench.SizeRun(rows=1000, csv_mb=0.1, runs={
        "sqlite3": [m(1.0, 1.0, 10, 0), m(2.0, 1.0, 10, 0)],
        "fresh": [m(1.8, 3.0, 90, 0), m(5.0, 4.0, 95, 0)],   # 1.8x then 2.5x its own round's baseline
    })
    assert bench.paired_ratios(size, "fresh", "sqlite3") == [1.8, 2.5]
    assert bench.format_ratio([1.8, 2.5]) == "2.15x (1.80-2.50)"
    assert bench.format_ratio([]) == "-"
    lines = bench.goals(size)
    wall = next(line for line in lines if line.startswith("CSV execute / sqlite3 CLI, wall"))
    assert "2.15x (1.80-2.50)" in wall and wall.endswith("MISSED, rounds on both sides")
    cpu = next(line for line in lines if line.startswith("CSV execute / sqlite3 CLI, CPU"))
    assert "3.50x" in cpu and cpu.endswith("met, rounds on both sides")  # <= 3.5 is met
    assert bench.judge([1.1, 1.2], 1.3) == "met"
    assert bench.judge([1.0, 1.0], 1.0, strict=True) == "MISSED"
    pandas = next(line for line in lines if line.startswith("CSV execute / pandas"))
    assert "n/a (pandas not run: add --peers)" in pandas
    memory = next(line for line in lines if line.startswith("peak memory, every importdesk path"))
    assert "95 MB" in memory and "met" in memory


def test_a_peer_that_loaded_fewer_rows_stops_the_bench(bench, tmp_path):
    db = tmp_path / "t.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE products (sku)")
        conn.executemany("INSERT INTO products VALUES (?)", [("a",), ("b",)])
    conn.close()
    with pytest.raises(bench.BenchError, match="2 rows in the products table, expected 3"):
        bench._check_table(bench.CASES["pandas"], db, 3)


@pytest.mark.skipif(not shutil.which("sqlite3"), reason="the sqlite3 command-line tool is not installed")
def test_a_tiny_run_prints_the_table_and_the_goals(bench, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench._inputs, "OUT", tmp_path / "out")
    assert bench.main(["--rows", "2000", "--repeat", "1", "--only", "fresh"]) == 0
    out = capsys.readouterr().out
    assert "2,000 rows" in out
    row = next(line for line in out.splitlines() if line.startswith("importdesk run (CSV)"))
    assert "x" in row.split()[-1]
    goal = next(line for line in out.splitlines() if line.startswith("CSV execute / sqlite3 CLI, wall"))
    assert goal.endswith(("met", "MISSED", "both sides"))
    assert "n/a (validate not run)" in out
    assert list((tmp_path / "out").glob("import_speed-v*-products-2000.csv"))
