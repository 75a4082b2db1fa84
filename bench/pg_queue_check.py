"""Many workers on one PostgreSQL queue: every file imported exactly once, no job claimed twice,
also when a worker is SIGKILLed in the middle of a file. Prints what it saw and a verdict.

    .venv/bin/python bench/pg_queue_check.py --url postgresql://USER@HOST/DB       # the issue's check
    .venv/bin/python bench/pg_queue_check.py --url "$IMPORTDESK_TEST_PG" --files 100   # a quicker look

Two runs, each on an empty store (a schema of its own, dropped afterwards), each with --workers
`importdesk work` processes (the waiting worker a service manager would run) on one shared
workspace, stopped with SIGTERM once every job is final:

1. --files files of --rows rows.
2. The same, plus --big files of --big-rows rows (several batches each); --kills times, a worker
   that holds one of those mid-file (a batch committed, more to come) is SIGKILLed and a new worker
   started in its place.

Whether a job was claimed twice is not taken from importdesk's word: a trigger of this script's own
writes down every change of a job's worker or status, with the lease the job had at that moment.
A *double claim* is a claim of a job whose previous holder's lease had not run out. The verdict
also asks, per job: done, every row created once (counters, summary, its records in the store),
claimed once, or once more per kill of its worker (each a `lease_expired` takeover, taken from a
killed worker only); and every worker stopped cleanly (exit 0).

The tests hold a smaller version (tests/store/test_pg_queue.py). The URL needs the right to create
schemas.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _inputs  # bench helpers next to this file
from pg_store import VENV_BIN, schema

BATCH_ROWS = 5000  # importdesk's batch (engine/pipeline.py): a big file has several
DEADLINE_S = 1800  # a run that has not finished by then has found a bug (or a far too busy machine)

AUDIT_SQL = """
CREATE TABLE claim_audit (
    n bigserial PRIMARY KEY, uid text NOT NULL, old_status text, new_status text,
    old_worker text, new_worker text, old_lease_until timestamptz, at timestamptz NOT NULL);
CREATE FUNCTION claim_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO claim_audit (uid, old_status, new_status, old_worker, new_worker, old_lease_until, at)
    VALUES (NEW.uid, OLD.status, NEW.status, OLD.worker, NEW.worker, OLD.lease_until, now());
    RETURN NULL;
END $$;
CREATE TRIGGER claim_audit AFTER UPDATE ON jobs FOR EACH ROW
    WHEN (OLD.worker IS DISTINCT FROM NEW.worker OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION claim_audit();
"""


@dataclass
class Run:
    title: str
    sizes: dict[str, int] = field(default_factory=dict)  # job uid -> rows
    killed: list[tuple[str, str, int]] = field(default_factory=list)  # (worker, job uid, checkpoint at the kill)
    exit_codes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)


def cut_files(folder: Path, sizes: list[int]) -> list[Path]:
    """CSV files of the given sizes cut from one products file: no key in two files."""
    source = _inputs.input_file("products", sum(sizes), "csv")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with open(source, encoding="utf-8") as handle:
        header = handle.readline()
        for n, rows in enumerate(sizes):
            path = folder / f"f{n:04d}.csv"
            with open(path, "w", encoding="utf-8") as out:
                out.write(header)
                for _ in range(rows):
                    out.write(handle.readline())
            paths.append(path)
    return paths


def _worker(root: str, store: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "IMPORTDESK_STORE": store}
    return subprocess.Popen([str(VENV_BIN / "importdesk"), "work", "-w", root], env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("a"))


def _name(proc: subprocess.Popen) -> str:
    return f"{socket.gethostname()}:{proc.pid}"


def run_queue(run: Run, url: str, lease: float, workers: int, sizes: list[int], kills: int, big_rows: int) -> None:
    import psycopg

    from importdesk.engine import Engine, ImportOptions
    from importdesk.workspace import Workspace

    with schema(url) as base, tempfile.TemporaryDirectory() as root:
        store = f"{base}&lease={lease:g}"
        os.environ["IMPORTDESK_STORE"] = store
        engine = Engine(Workspace.open(root))  # creates the tables
        db = psycopg.connect(base, autocommit=True)  # on the run's schema
        db.execute(AUDIT_SQL)
        for path, rows in zip(cut_files(Path(root) / "in", sizes), sizes, strict=True):
            run.sizes[engine.create_job(path, ImportOptions(resource_type="products")).uid] = rows
        logs = Path(root) / "logs"
        logs.mkdir()
        start = time.perf_counter()
        procs = [_worker(root, store, logs / f"w{n}.log") for n in range(workers)]
        try:
            while len(run.killed) < kills:
                victim = _holder_mid_file(db, procs, big_rows)
                if victim is None:
                    if time.perf_counter() - start > DEADLINE_S or _all_final(db):
                        run.problems.append(f"only {len(run.killed)} of {kills} kills: no worker held a big "
                                            "file mid-way")
                        break
                    time.sleep(0.05)
                    continue
                proc, uid, checkpoint = victim
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                run.killed.append((_name(proc), uid, checkpoint))
                procs.remove(proc)
                procs.append(_worker(root, store, logs / f"w{len(procs) + len(run.killed)}.log"))
            while not _all_final(db):
                if time.perf_counter() - start > DEADLINE_S:
                    run.problems.append(f"jobs still not final after {DEADLINE_S} s")
                    break
                time.sleep(0.2)
            run.seconds = time.perf_counter() - start
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            run.exit_codes = [proc.wait(timeout=120) for proc in procs]
        judge(run, db, engine)
        db.close()
        engine.close()
        del os.environ["IMPORTDESK_STORE"]


def _holder_mid_file(db, procs: list[subprocess.Popen], big_rows: int):
    """(a live worker, its job, the job's checkpoint) where that job is a big file with at least one
    batch committed and more than one still to come; None when no worker is there right now."""
    by_name = {_name(p): p for p in procs}
    for worker, uid, checkpoint in db.execute(
            "SELECT worker, uid, data_row_index FROM jobs WHERE status = 'processing' AND total = %s"
            " AND data_row_index BETWEEN %s AND %s", (big_rows, BATCH_ROWS, big_rows - 2 * BATCH_ROWS)):
        if worker in by_name:
            return by_name[worker], uid, checkpoint
    return None


def _all_final(db) -> bool:
    return db.execute("SELECT count(*) FROM jobs WHERE status IN ('pending', 'processing')").fetchone()[0] == 0


def judge(run: Run, db, engine) -> None:
    from importdesk.models import JobStatus

    jobs = engine.get_jobs(list(run.sizes))
    wrong = [uid for uid, rows in run.sizes.items()
             if (jobs[uid].status, jobs[uid].progress.done, jobs[uid].progress.error, jobs[uid].progress.pending,
                 jobs[uid].summary.create, jobs[uid].summary.update, jobs[uid].summary.unchanged)
             != (JobStatus.DONE, rows, 0, 0, rows, 0, 0) or engine.record_count("products", uid) != rows]
    records = engine.record_count("products")
    audit = db.execute("SELECT uid, old_status, new_status, old_worker, new_worker, old_lease_until < at"
                       " FROM claim_audit ORDER BY n").fetchall()
    claims = [a for a in audit if a[2] == "processing" and (a[1] != "processing" or a[3] != a[4])]
    double = [a for a in claims if a[1] == "processing" and a[5] is not True]
    takeovers = [a for a in claims if a[1] == "processing"]
    killed_workers = {worker for worker, _uid, _cp in run.killed}
    kills_per_job = Counter(uid for _w, uid, _cp in run.killed)
    per_job = Counter(a[0] for a in claims)
    claimed_wrong = [uid for uid in run.sizes if per_job[uid] != 1 + kills_per_job[uid]]
    from_live = [a for a in takeovers if a[3] not in killed_workers]
    warned_wrong = [uid for uid in run.sizes
                    if sum(i.code == "lease_expired" for i in engine.list_items(uid)) != kills_per_job[uid]]
    expected = sum(run.sizes.values())
    run.lines = [
        ("jobs", f"{len(run.sizes):,} ({expected:,} rows), {run.seconds:.0f} s"),
        ("files imported exactly once", f"{len(run.sizes) - len(wrong):,}/{len(run.sizes):,}"),
        ("records in the store", f"{records:,}/{expected:,}"),
        ("claims", f"{len(claims):,} (expected {len(run.sizes) + len(run.killed):,})"),
        ("double claims", f"{len(double)}"),
        ("workers SIGKILLed mid-file", ", ".join(f"job {uid[-6:]} at row {cp:,} of {run.sizes[uid]:,}"
                                                 for _w, uid, cp in run.killed) or "none"),
        ("takeovers (lease ran out)", f"{len(takeovers)}, {len(from_live)} from a worker still alive"),
        ("workers' exit codes (SIGTERM)", " ".join(map(str, run.exit_codes))),
    ]
    checks = [(not wrong, f"{len(wrong)} jobs not imported exactly once (e.g. {wrong[:3]})"),
              (records == expected, f"{records:,} records, not {expected:,}"),
              (not double, f"{len(double)} double claims (e.g. {double[:2]})"),
              (not claimed_wrong, f"{len(claimed_wrong)} jobs claimed a wrong number of times "
                                  f"(e.g. {claimed_wrong[:3]})"),
              (not from_live, f"{len(from_live)} jobs taken from a live worker"),
              (not warned_wrong, f"{len(warned_wrong)} jobs without one lease_expired warning per kill"),
              (all(code == 0 for code in run.exit_codes), f"workers' exit codes {run.exit_codes}")]
    run.problems += [message for ok, message in checks if not ok]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("IMPORTDESK_TEST_PG"), help="a PostgreSQL URL")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--rows", type=int, default=5, help="rows of each of the --files files")
    parser.add_argument("--big", type=int, default=4, help="run 2's extra files of --big-rows rows")
    parser.add_argument("--big-rows", type=int, default=6 * BATCH_ROWS)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--lease", type=float, default=10.0, help="seconds (the store URL's lease=)")
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url (or set IMPORTDESK_TEST_PG)")
    if args.big < args.kills:
        parser.error("--big must be at least --kills (each kill lands in a big file)")
    runs = [Run(f"{args.workers} workers x {args.files} files"),
            Run(f"the same + {args.big} files of {args.big_rows:,} rows, a worker SIGKILLed mid-file x{args.kills}")]
    run_queue(runs[0], args.url, args.lease, args.workers, [args.rows] * args.files, 0, args.big_rows)
    run_queue(runs[1], args.url, args.lease, args.workers, [args.big_rows] * args.big + [args.rows] * args.files,
              args.kills, args.big_rows)
    load = os.getloadavg()
    print(f"\n`importdesk work` processes on one PostgreSQL store (lease {args.lease:g} s; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end, {os.cpu_count()} cores)")
    for run in runs:
        print(f"\n{run.title}")
        for name, value in run.lines:
            print(f"  {name:<32}{value}")
        print(f"  {'verdict':<32}{'PASS' if not run.problems else 'FAIL: ' + '; '.join(run.problems)}")
    failed = any(run.problems for run in runs)
    print(f"\n{'FAIL' if failed else 'PASS'}: every file imported exactly once, 0 double claims"
          f"{' — not so' if failed else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
