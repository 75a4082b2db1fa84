"""Import speed and memory of `importdesk run`, against the sqlite3 CLI and peers, in one interleaved run.

    .venv/bin/python bench/import_speed.py                                  # 1M rows, 2 rounds, every path
    .venv/bin/python bench/import_speed.py --rows 100k,1M --repeat 2 --peers --xlsx-max-rows 100k
    .venv/bin/python bench/import_speed.py --rows 20000 --repeat 1 --only fresh,validate
    .venv/bin/python bench/import_speed.py --rows 200k --only fresh,invalid30 --before ../base   # before/after

For each size, every case runs once per round, rounds interleaved (A B C A B C), each in a fresh
database or workspace and a process of its own, measured by bench/_measure.py: wall seconds, CPU
seconds of the whole process tree, and peak memory as the sum over the process tree (importdesk's
batch writer is a second process), sampled every 50 ms. Every run is checked before it counts:
exit code, and the job's status, counters and create/update/unchanged summary (the rows a peer
left in its table), so a run that did less work can never look fast.

Cases (same rows in every file of a size; files cached in bench/out/, see bench/_inputs.py):
  sqlite3      `sqlite3 DB ".import --csv FILE products"`: C, no validation, the baseline of
               every size (always run)
  fresh        `importdesk run FILE --type products` into an empty workspace
  validate     the same with --validate (dry run)
  unchanged    the same file again, into a workspace that already holds it
  changed      every row with a new name and price, into that workspace (all updates)
  invalid30    3 rows in 10 invalid, --skip-errors, empty workspace
  jsonl, xlsx  the same rows as JSONL / XLSX, empty workspace
  peers (--peers): sqlite-utils, pandas, duckdb, frictionless (see bench/_peers.py); one that
               cannot be installed here is shown as "not available (why)" and the run goes on.
--before DIR runs each chosen importdesk path a second time per round with the importdesk of another
checkout (DIR/.venv/bin/importdesk, e.g. `git archive main` unpacked with its own venv), interleaved
with this one, and prints after/before per path (re-import paths excepted: their seed workspace is
this version's).
Ratios are taken per round (each case against the baseline or path of its own round, so load that
drifts between rounds cancels out) and the median is printed with the range over rounds, each
next to its goal (issue 15; the goals are stated for 1M rows on a quiet machine: on a loaded one
read the ratios, not the seconds).

Peers: pip install -c constraints.txt -c bench/constraints.txt -e '.[bench]'
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _inputs  # bench helpers next to this file
import _peers
from _measure import Measurement, measure

VENV_BIN = Path(sys.executable).parent
BASELINE = "sqlite3"
PATHS = ("fresh", "validate", "unchanged", "changed", "invalid30", "jsonl", "xlsx")
SQLITE3_HINT = ("the sqlite3 command-line tool is not installed "
                "(Debian/Ubuntu: apt-get update && apt-get install -y sqlite3)")


@dataclass(frozen=True)
class Case:
    name: str
    label: str
    generator: str = "products"
    fmt: str = "csv"
    seeded: bool = False            # runs in a copy of a workspace that already holds the products rows
    options: tuple[str, ...] = ()
    expect: Callable[[int], dict] | None = None   # importdesk: expected job fields for n rows
    rc: int = 0
    bin_dir: Path | None = None     # importdesk of another checkout (--before); None: this one


def _job(summary: str, job_type: str = "execute", valid: float = 1.0) -> Callable[[int], dict]:
    def expected(rows: int) -> dict:
        done = round(rows * valid)
        return {"job_type": job_type, "status": "done", "progress": {"total": rows, "done": done, "error": rows - done,
                                                                      "pending": 0},
                "summary": {"create": 0, "update": 0, "unchanged": 0, summary: done}}
    return expected


CASES = {case.name: case for case in (
    Case(BASELINE, "sqlite3 CLI .import --csv"),
    Case("fresh", "importdesk run (CSV)", expect=_job("create")),
    Case("validate", "importdesk run --validate", options=("--validate",), expect=_job("create", "validate")),
    # --force: the same bytes as the seed's job, which `run` refuses as a duplicate otherwise
    Case("unchanged", "re-import, unchanged", seeded=True, options=("--force",), expect=_job("unchanged")),
    Case("changed", "re-import, all changed", generator="changed", seeded=True, expect=_job("update")),
    Case("invalid30", "30% invalid, --skip-errors", generator="invalid30", options=("--skip-errors",),
         expect=_job("create", valid=0.7), rc=1),
    Case("jsonl", "importdesk run (JSONL)", fmt="jsonl", expect=_job("create")),
    Case("xlsx", "importdesk run (XLSX)", fmt="xlsx", expect=_job("create")),
    Case("sqlite-utils", "sqlite-utils --no-detect-types"),
    Case("pandas", "pandas read_csv(str)+to_sql"),
    Case("duckdb", "duckdb read_csv -> sqlite"),
    Case("frictionless", "frictionless validate -> sqlite"),
)}


class BenchError(Exception):
    """A run that did not do what it was asked to: the measurement would be meaningless."""


# --- running one case -------------------------------------------------------------------------------

@dataclass
class SizeRun:
    """Everything measured at one size: per case, one Measurement per round."""
    rows: int
    csv_mb: float
    load: tuple[float, float] = (0.0, 0.0)   # 1-minute load average before and after
    runs: dict[str, list[Measurement]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def importdesk_bin(case: Case) -> str:
    return str((case.bin_dir or VENV_BIN) / "importdesk")


def importdesk_cmd(workspace: Path, source: Path, case: Case) -> list[str]:
    return [importdesk_bin(case), "--workspace", str(workspace), "run", str(source), "--type", "products",
            *case.options]


def run_once(case: Case, rows: int, seed: Path | None) -> Measurement:
    source = _inputs.input_file(case.generator, rows, case.fmt)
    work = Path(tempfile.mkdtemp(prefix="importdesk-bench-"))
    try:
        if case.expect is None:
            db = work / "t.db"
            if case.name == BASELINE:
                cmd = ["sqlite3", str(db), f'.import --csv "{source}" products']
            else:
                cmd = _peers.command(case.name, source, db)
            result = measure(cmd)
            _check_rc(case, result, cmd)
            _check_table(case, db, rows)
        else:
            workspace = work / "ws"
            if case.seeded:
                shutil.copytree(seed, workspace)
            cmd = importdesk_cmd(workspace, source, case)
            result = measure(cmd)
            _check_job(case, workspace, rows)  # first: its message says more than an exit code
            _check_rc(case, result, cmd)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def make_seed(seed: Path, rows: int) -> None:
    """A workspace holding the products rows, copied for the re-import cases."""
    case = CASES["fresh"]
    out = subprocess.run(importdesk_cmd(seed, _inputs.input_file("products", rows, "csv"), case), capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise BenchError(f"preparing the seed workspace failed ({out.returncode}): {out.stderr.strip()[-300:]}")
    _check_job(case, seed, rows)


def _check_rc(case: Case, result: Measurement, cmd: list[str]) -> None:
    if result.rc != case.rc:
        raise BenchError(f"{case.name}: exit code {result.rc}, expected {case.rc}; "
                         f"run it by hand to see why: {' '.join(cmd)}")


def _check_table(case: Case, db: Path, rows: int) -> None:
    try:
        with sqlite3.connect(db) as conn:
            count = conn.execute("SELECT count(*) FROM products").fetchone()[0]
        conn.close()
    except sqlite3.Error as exc:
        raise BenchError(f"{case.name}: no products table to count ({exc})") from exc
    if count != rows:
        raise BenchError(f"{case.name}: {count:,} rows in the products table, expected {rows:,}")


def _check_job(case: Case, workspace: Path, rows: int) -> None:
    cmd = [importdesk_bin(case), "--workspace", str(workspace), "jobs", "--json", "--limit", "1"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    job = json.loads(out.stdout)["data"][0]
    wanted = case.expect(rows)
    got = {name: job[name] for name in wanted}
    if got != wanted:
        raise BenchError(f"{case.name}: the job ended as {got} ({job.get('error_message')}), expected {wanted}")


# --- one size, interleaved -------------------------------------------------------------------------

def run_size(rows: int, names: list[str], repeat: int, xlsx_max_rows: int | None,
             log: Callable[[str], None]) -> SizeRun:
    csv_path = _inputs.input_file("products", rows, "csv")
    size = SizeRun(rows, csv_path.stat().st_size / 1e6)
    active = []
    for name in names:
        reason = _peers.unavailable(name) if name in _peers.PEERS else None
        if reason:
            size.unavailable[name] = reason
        elif name == "xlsx" and xlsx_max_rows is not None and rows > xlsx_max_rows:
            size.skipped[name] = f"XLSX only up to {xlsx_max_rows:,} rows (--xlsx-max-rows)"
        else:
            active.append(CASES[name])
    for case in active:  # write every input before the first timed run
        _inputs.input_file(case.generator, rows, case.fmt)
    seed_dir = Path(tempfile.mkdtemp(prefix="importdesk-bench-seed-"))
    seed = seed_dir / "ws"
    try:
        if any(case.seeded for case in active):
            log(f"{rows:,} rows: preparing the workspace the re-import cases start from")
            make_seed(seed, rows)
        load_before = os.getloadavg()[0]
        for round_no in range(1, repeat + 1):
            for case in active:
                result = run_once(case, rows, seed)
                size.runs.setdefault(case.name, []).append(result)
                log(f"{rows:,} rows, round {round_no}/{repeat}: {case.name:<13} {result.wall:8.2f} s wall "
                    f"{result.cpu:8.2f} s cpu {result.peak_mb:6.0f} MB")
    finally:
        shutil.rmtree(seed_dir, ignore_errors=True)
    size.load = (load_before, os.getloadavg()[0])
    return size


# --- reporting -------------------------------------------------------------------------------------

def paired_ratios(size: SizeRun, case: str, base: str, metric: str = "wall") -> list[float]:
    """case / base for each round (the two measured in the same round)."""
    pairs = zip(size.runs.get(case, []), size.runs.get(base, []), strict=False)  # none when either did not run
    return [getattr(a, metric) / getattr(b, metric) for a, b in pairs if getattr(b, metric) > 0]


def format_ratio(ratios: list[float]) -> str:
    if not ratios:
        return "-"
    text = f"{statistics.median(ratios):.2f}x"
    if len(ratios) > 1:
        text += f" ({min(ratios):.2f}-{max(ratios):.2f})"
    return text


def verdict(value: float, limit: float, strict: bool = False) -> str:
    ok = value < limit if strict else value <= limit
    return "met" if ok else "MISSED"


def judge(ratios: list[float], limit: float, strict: bool = False) -> str:
    """Met or missed on the median; said to be unsure when the rounds fall on both sides of the goal."""
    result = verdict(statistics.median(ratios), limit, strict)
    if verdict(min(ratios), limit, strict) != verdict(max(ratios), limit, strict):
        result += ", rounds on both sides"
    return result


def table(size: SizeRun, names: list[str]) -> list[str]:
    rounds = max((len(v) for v in size.runs.values()), default=0)
    lines = [f"{size.rows:,} rows ({size.csv_mb:.0f} MB CSV), median of {rounds} interleaved round(s); "
             f"load average {size.load[0]:.1f} before, {size.load[1]:.1f} after, on {os.cpu_count()} cores",
             f"{'case':<32} {'wall s':>8} {'cpu s':>8} {'rows/s':>10} {'peak MB':>8} {'x CLI wall':>18} "
             f"{'x CLI cpu':>10}"]
    if max(size.load) > (os.cpu_count() or 1):
        lines.insert(1, "the machine was loaded: wall time includes waiting for a core; the cpu ratios are steadier")
    for name in names:
        label = CASES[name].label
        if name in size.unavailable:
            lines.append(f"{label:<32} not available ({size.unavailable[name]})")
            continue
        if name in size.skipped:
            lines.append(f"{label:<32} not run ({size.skipped[name]})")
            continue
        runs = size.runs.get(name)
        if not runs:
            continue
        wall = statistics.median(r.wall for r in runs)
        cpu = statistics.median(r.cpu for r in runs)
        peak = max(r.peak_mb for r in runs)
        cpu_ratio = statistics.median(paired_ratios(size, name, BASELINE, "cpu") or [0])
        lines.append(f"{label:<32} {wall:8.2f} {cpu:8.2f} {size.rows / wall:10,.0f} {peak:8.0f} "
                     f"{format_ratio(paired_ratios(size, name, BASELINE)):>18} {cpu_ratio:9.2f}x")
    return lines


@dataclass(frozen=True)
class Goal:
    text: str
    case: str
    base: str
    limit: float
    metric: str = "wall"
    strict: bool = False    # "faster than": below the limit, not equal


GOALS = (
    Goal("CSV execute / sqlite3 CLI, wall", "fresh", BASELINE, 2.0),
    Goal("CSV execute / sqlite3 CLI, CPU", "fresh", BASELINE, 3.5, metric="cpu"),
    Goal("CSV execute / pandas + to_sql", "fresh", "pandas", 1.0, strict=True),
    *(Goal(f"CSV execute / {peer} (validates)", "fresh", peer, 1.0, strict=True) for peer in _peers.VALIDATING),
    Goal("validate only / execute", "validate", "fresh", 0.6),
    Goal("unchanged re-import / fresh", "unchanged", "fresh", 0.8),
    Goal("all-changed re-import / fresh", "changed", "fresh", 1.2),
    Goal("30% invalid / fresh", "invalid30", "fresh", 1.3),
    Goal("JSONL / CSV, same rows", "jsonl", "fresh", 1.3),
    Goal("XLSX / CSV, same rows", "xlsx", "fresh", 1.3),
)
PEAK_LIMIT_MB = 150.0


def goals(size: SizeRun) -> list[str]:
    """One line per goal: the paired ratio on wall time and on CPU time, the goal and whether it is met
    (on the goal's own metric; the other one helps read a loaded machine, where wall time waits)."""
    lines = [f"goals at {size.rows:,} rows (issue 15; stated for 1,000,000 rows on a quiet machine)",
             f"{'':<40} {'wall':>20} {'cpu':>20}  {'goal':<10} verdict"]
    for goal in GOALS:
        ratios = paired_ratios(size, goal.case, goal.base, goal.metric)
        wall = paired_ratios(size, goal.case, goal.base, "wall")
        cpu = paired_ratios(size, goal.case, goal.base, "cpu")
        sign = "<" if goal.strict else "<="
        result = judge(ratios, goal.limit, goal.strict) if ratios else f"n/a ({_why_missing(size, goal)})"
        lines.append(f"{goal.text:<40} {format_ratio(wall):>20} {format_ratio(cpu):>20}  "
                     f"{sign + ' ' + str(goal.limit) + ' ' + goal.metric:<10} {result}")
    peak_goal = f"< {PEAK_LIMIT_MB:.0f} MB"
    if "xlsx" in size.runs:
        peak = max(r.peak_mb for r in size.runs["xlsx"])
        lines.append(f"{'XLSX peak memory':<40} {peak:>17.0f} MB {'':>20}  {peak_goal:<10} "
                     f"{verdict(peak, PEAK_LIMIT_MB, True)}")
    ours = {name: max(r.peak_mb for r in runs) for name, runs in size.runs.items()
            if CASES[name].expect is not None}
    if ours:
        worst = max(ours, key=ours.get)
        lines.append(f"{'peak memory, every importdesk path':<40} {ours[worst]:>17.0f} MB {'':>20}  {peak_goal:<10} "
                     f"{verdict(ours[worst], PEAK_LIMIT_MB, True)} (largest: {worst})")
    return lines


def _why_missing(size: SizeRun, goal: Goal) -> str:
    for name in (goal.case, goal.base):
        if name in size.unavailable:
            return f"{name} not available"
        if name in size.skipped:
            return f"{name} not run at this size"
        if name not in size.runs:
            return f"{name} not run" + (": add --peers" if name in _peers.PEERS else "")
    return "no paired rounds"


def memory_summary(sizes: list[SizeRun]) -> list[str]:
    cells = []
    for size in sizes:
        peaks = {name: max(r.peak_mb for r in runs) for name, runs in size.runs.items()
                 if CASES[name].expect is not None}
        if peaks:
            worst = max(peaks, key=peaks.get)
            csv_peak = f", CSV execute {peaks['fresh']:.0f} MB" if "fresh" in peaks and worst != "fresh" else ""
            cells.append(f"{size.rows:,}: {peaks[worst]:.0f} MB ({worst}{csv_peak})")
    return [f"memory flat (goal: whole-tree peak < {PEAK_LIMIT_MB:.0f} MB at 100k, 1M and 5M rows): "
            + ", ".join(cells)] if len(cells) > 1 else []


# --- command line ----------------------------------------------------------------------------------

def parse_count(text: str) -> int:
    text = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = int(float(text[:-1]) * scale) if scale > 1 else int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a row count must be at least 1")
    return number


def parse_counts(text: str) -> list[int]:
    try:
        return [parse_count(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: row counts like 100000,1000000 or 100k,1M") from exc


def _names(allowed: tuple[str, ...] | list[str], what: str) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        names = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {what} {', '.join(unknown)}; choose from {', '.join(allowed)}")
        return names
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=parse_counts, default=[1_000_000],
                        help="sizes to measure, comma-separated (100000,1000000 or 100k,1M; default 1M)")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved rounds per size (default 2)")
    parser.add_argument("--paths", type=_names(PATHS, "path"), default=list(PATHS),
                        help=f"importdesk paths to measure (default all: {','.join(PATHS)})")
    parser.add_argument("--peers", action="store_true", help=f"also measure {', '.join(_peers.PEERS)}")
    parser.add_argument("--only", type=_names([n for n in CASES if n != BASELINE], "case"),
                        help="measure just these paths and peers (the sqlite3 baseline always runs)")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also run each chosen importdesk path with DIR/.venv/bin/importdesk (after/before table)")
    parser.add_argument("--xlsx-max-rows", type=parse_count,
                        help="run the xlsx path only at sizes up to this (writing a 1M-row XLSX is slow)")
    return parser


def selected(args: argparse.Namespace) -> list[str]:
    """The cases to run, in table order, the baseline first."""
    if args.only is not None:
        return [BASELINE, *(name for name in CASES if name in args.only)]
    wanted = set(args.paths) | (set(_peers.PEERS) if args.peers else set())
    return [BASELINE, *(name for name in CASES if name in wanted)]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.repeat < 1:
        raise SystemExit("--repeat must be at least 1")
    if not shutil.which("sqlite3"):
        raise SystemExit(SQLITE3_HINT)
    if not (VENV_BIN / "importdesk").exists():
        raise SystemExit("run it with the project's interpreter: .venv/bin/python bench/import_speed.py")
    # Measured as an installed command runs, from bytecode. Where this variable is set, every run
    # compiled every module again (~0.25 s), and a checkout whose tree held bytecode already (from
    # the batch writer's `python -I`) looked faster than one that did not.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    names = selected(args)
    if args.before is not None:
        names = [*names, *add_before_cases(args.before, names)]
    command = " ".join(["bench/import_speed.py", *(sys.argv[1:] if argv is None else argv)])
    print(f"{command}\nsqlite3 {_sqlite3_version()}, python {sys.version.split()[0]}, cases: {', '.join(names)}",
          flush=True)

    def log(text: str) -> None:
        print("  " + text, file=sys.stderr, flush=True)

    sizes = []
    try:
        for rows in args.rows:
            size = run_size(rows, names, args.repeat, args.xlsx_max_rows, log)
            sizes.append(size)
            print("\n".join(["", *table(size, names), "", *goals(size), *before_after(size, names)]), flush=True)
    except BenchError as exc:
        print(f"\nbench stopped: {exc}", file=sys.stderr)
        return 1
    summary = memory_summary(sizes)
    if summary:
        print("\n" + "\n".join(summary))
    return 0


BEFORE = "@before"


def add_before_cases(checkout: Path, names: list[str]) -> list[str]:
    """A twin of each chosen importdesk path, run with another checkout's importdesk."""
    bin_dir = checkout.resolve() / ".venv" / "bin"
    if not (bin_dir / "importdesk").exists():
        raise SystemExit(f"--before: no {bin_dir / 'importdesk'} (make a venv there and pip install -e it)")
    added = []
    for name in names:
        case = CASES[name]
        if case.expect is None or case.seeded:
            continue
        twin = dataclasses.replace(case, name=name + BEFORE, label=f"{case.label} before", bin_dir=bin_dir)
        CASES[twin.name] = twin
        added.append(twin.name)
    return added


def before_after(size: SizeRun, names: list[str]) -> list[str]:
    pairs = [(name[:-len(BEFORE)], name) for name in names if name.endswith(BEFORE)]
    if not pairs:
        return []
    lines = ["", "after / before (this checkout against --before, paired per round)",
             f"{'':<40} {'wall':>20} {'cpu':>20}"]
    for after, before in pairs:
        lines.append(f"{CASES[after].label:<40} {format_ratio(paired_ratios(size, after, before)):>20} "
                     f"{format_ratio(paired_ratios(size, after, before, 'cpu')):>20}")
    return lines


def _sqlite3_version() -> str:
    out = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True)
    return out.stdout.split()[0] if out.stdout else "?"


if __name__ == "__main__":
    sys.exit(main())
