"""The fault-injection loop: for every write transaction N of an import (the claim, the header
warnings, the table, each batch, the end), make the N-th write fail — disk full at its COMMIT, an
I/O error inside it, a lock held past the busy timeout at its BEGIN, or a disk that stays full —
once with every batch committed in this process and once with the batch writer committing them.

After each: the job is error or interrupted (pending if the claim itself failed), its counters,
in the store and in the job the runner returned, are exactly what is committed, and resume / retry
ends with the records, items and counts of a clean import.

Size: 400 rows in batches of 40 — 10 batch commits, so that the batch writer has batches in
flight and queued at every write — small enough that the whole loop runs in CI; the rule it checks
does not depend on the batch size. The seeded workspace (the records that exist before
the import) is made once per test and copied for each write: the seed runs before the plan is armed.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.engine.writer_start import start_writer
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

from support import PRODUCTS_HEADER, FixedClock, StepClock, counting_uids, write_products

ROWS, BATCH, BAD_EVERY = 400, 40, 23
JSONL_CLEAN_ROWS = 240  # the JSON Lines file's first rows are all valid: their batches go to the writer raw
SEEDED = 80  # the last rows' keys exist before the import: half unchanged, half updated
KINDS = [("full", False), ("io", False), ("locked", False), ("full", True)]


def _dead_worker() -> str:
    """A worker id whose process has ended: recover_stale may take its jobs back."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("files")
    data = write_products(folder / "products.csv", ROWS, bad_every=BAD_EVERY)
    lines = [PRODUCTS_HEADER]
    for i in range(ROWS - SEEDED, ROWS):
        name = f"Product {i}" if i % 2 else f"Old name {i}"
        lines.append(f"SKU-{i:07d},{name},,tools,{i % 500 + 1}.50,EUR,0.5,true,,2025-01-0{i % 9 + 1},")
    seed = folder / "seed.csv"
    seed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data, seed


def _writer_without_raw_batches(ctx, job, pv, count_call=None, helper=None):
    """The batch writer as the engine starts it, without the recipe of the job's validator: it takes
    validated batches only (and still counts a new file), so it starts without importing the schemas."""
    return start_writer(ctx, job, None, count_call)


def _engine(root: Path, clock: StepClock, first_uid: int = 1) -> Engine:
    engine = Engine(Workspace.open(root), clock=clock, uid_factory=counting_uids(start=first_uid))
    engine.worker = _dead_worker()
    return engine


@dataclass(frozen=True)
class Seeded:
    """A workspace holding the seed import's records, its database in one file, and where its clock
    and ids stopped: each trial's copy goes on from there as if it had run the seed itself."""

    root: Path
    data: Path
    clock_now: object
    jobs: int


def _seeded(root: Path, files) -> Seeded:
    data, seed = files
    clock = FixedClock()
    engine = _engine(root, clock)
    try:
        engine.run_job(engine.create_job(seed, ImportOptions(resource_type="products")).uid)
    finally:
        engine.close()
    with contextlib.closing(sqlite3.connect(Workspace.open(root).db_path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Seeded(root, data, clock.now, jobs=1)


def _records(engine: Engine) -> list[tuple]:
    conn = engine.ctx.db.conn()
    conn.row_factory = None
    cols = [r[1] for r in conn.execute("PRAGMA table_info(records_products)")
            if r[1] not in ("_created_at", "_updated_at")]
    return conn.execute(f"SELECT {', '.join(cols)} FROM records_products ORDER BY _key").fetchall()


def _items(engine: Engine, uid: str) -> list[tuple]:
    conn = engine.ctx.db.conn()
    conn.row_factory = None
    return conn.execute(
        "SELECT row_number, level, field, value, code, message, raw_row, record_key FROM job_items"
        " WHERE job_uid = ? ORDER BY row_number, level, field, code", (uid,)).fetchall()


def _counts(job) -> tuple:
    return (job.progress.model_dump(), job.summary.model_dump(), job.metadata.data_row_index, job.processed_count,
            job.errors_count, job.warnings_count, job.type_counts.model_dump())


def _assert_counts_are_what_is_committed(engine: Engine, uid: str) -> None:
    job = engine.get_job(uid)
    p, s = job.progress, job.summary
    conn = engine.ctx.db.conn()
    conn.row_factory = None
    written = conn.execute("SELECT count(*) FROM records_products WHERE _job_uid = ?", (uid,)).fetchone()[0] \
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'records_products'").fetchone() else 0
    last_written = conn.execute("SELECT max(_row) FROM records_products WHERE _job_uid = ?", (uid,)).fetchone()[0] \
        if written else None
    error_rows, last_error = conn.execute(
        "SELECT count(DISTINCT row_number), max(row_number) FROM job_items WHERE job_uid = ? AND level = 'error'",
        (uid,)).fetchone()
    levels = dict(conn.execute("SELECT level, count(*) FROM job_items WHERE job_uid = ? GROUP BY level", (uid,)))
    assert p.total == p.done + p.error + p.pending
    assert job.metadata.data_row_index == p.done + p.error
    assert p.done == s.create + s.update + s.unchanged
    assert s.create + s.update == job.processed_count == written
    assert p.error == error_rows and job.errors_count == levels.get("error", 0)
    assert job.warnings_count == levels.get("warning", 0)
    checkpoint_row = job.metadata.data_row_index + 1  # CSV line of the last counted record
    assert (last_written or 0) <= checkpoint_row and (last_error or 0) <= checkpoint_row


def _import(seeded: Seeded, root: Path, fault_plan, fail_at: int = 0, kind: str = "full", sticky: bool = False):
    """On a copy of the seeded workspace, import with the plan armed, check the state it left, continue
    as a user would. Returns (the job's final counts, records, items, writes counted, the status the
    fault left)."""
    shutil.copytree(seeded.root, root, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    engine = _engine(root, StepClock(seeded.clock_now), first_uid=seeded.jobs + 1)
    try:
        job = engine.create_job(seeded.data, ImportOptions(resource_type="products", skip_errors=True))
        fault_plan.arm(fail_at, kind, sticky)
        try:
            returned = engine.run_job(job.uid)
        except Exception:  # the claim itself failed: nothing started
            assert fail_at == 1
            returned = None
        finally:
            writes, fired = fault_plan.writes, fault_plan.fired
            fault_plan.disarm()
        stored = engine.get_job(job.uid)
        left = stored.status
        if returned is None:
            assert stored.status is JobStatus.PENDING
        elif stored.status is JobStatus.PROCESSING:  # its end could not be recorded either
            assert fail_at == writes or sticky
            assert returned.status is JobStatus.INTERRUPTED
            assert "could not be recorded" in returned.error_message
            assert _counts(returned) == _counts(stored)
            assert [j.uid for j in engine.recover_stale()] == [job.uid]
        elif fired:
            assert stored.status in (JobStatus.ERROR, JobStatus.INTERRUPTED), (fail_at, kind, sticky)
            assert _counts(returned) == _counts(stored)
            assert "internal error" not in (stored.error_message or "")
        _assert_counts_are_what_is_committed(engine, job.uid)

        status = engine.get_job(job.uid).status
        if status is JobStatus.INTERRUPTED:
            engine.resume(job.uid)
        elif status is JobStatus.ERROR:
            engine.retry(job.uid)
        final = engine.run_job(job.uid) if status is not JobStatus.DONE else engine.get_job(job.uid)
        assert final.status is JobStatus.DONE, final.error_message
        return _counts(final), _records(engine), _items(engine, job.uid), writes, (left, fired)
    finally:
        engine.close()


@pytest.mark.parametrize("kind, sticky", KINDS, ids=[f"{k}{'-sticky' if s else ''}" for k, s in KINDS])
@pytest.mark.parametrize("mode", ["in_process", "batch_writer"])
def test_every_write_of_an_import_can_fail_and_nothing_is_lost(tmp_path, monkeypatch, files, fault_plan, mode,
                                                               kind, sticky):
    """One test per mode and kind of fault (so a parallel run spreads them), each over every write."""
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", BATCH)
    monkeypatch.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 0 if mode == "batch_writer" else 10**9)
    seeded = _seeded(tmp_path / "seeded", files)
    clean_counts, clean_records, clean_items, writes, _ = _import(seeded, tmp_path / "clean", fault_plan)
    assert clean_counts[0] == {"total": ROWS, "done": ROWS - ROWS // BAD_EVERY, "error": ROWS // BAD_EVERY,
                               "pending": 0}
    assert writes >= ROWS // BATCH + 3  # the claim, the header warnings, each batch, the end
    # Every batch has a bad row, so a raw batch handed to the writer comes back "redo" before its
    # transaction begins: the writes the faults are injected into are the same without raw batches.
    # The clean import above took the real path; the trials' writers skip loading the validator.
    assert BAD_EVERY <= BATCH
    monkeypatch.setattr("importdesk.engine.pipeline.start_writer", _writer_without_raw_batches)

    tried = exact = fired = 0
    for fail_at in range(1, writes + 1):
        trial = tmp_path / f"w{fail_at}"
        counts, records, items, _, (left, raised) = _import(seeded, trial, fault_plan, fail_at, kind, sticky)
        tried += 1
        fired += bool(raised)
        assert (counts, records, items) == (clean_counts, clean_records, clean_items), \
            f"write {fail_at} failing ({kind}{', sticky' if sticky else ''}) left {left}"
        exact += 1
    print(f"\nfault loop ({mode}, {kind}{', sticky' if sticky else ''}): {writes} write transactions, "
          f"{tried} faults planned, {fired} raised, {exact} outcomes exact")
    # a doomed transaction that rolls back by itself (the writer's insert meeting existing keys)
    # raises nothing; every other write's failure was met
    assert fired >= tried - 1


@pytest.fixture(scope="module")
def jsonl_files(tmp_path_factory, files) -> tuple[Path, Path]:
    """The products as JSON Lines (one object a line, the records the batch writer decodes
    itself), bad prices only from row JSONL_CLEAN_ROWS on (so the first batches are committed raw)."""
    import json

    folder = tmp_path_factory.mktemp("jsonl")
    path = folder / "products.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(ROWS):
            price = "-1.00" if i >= JSONL_CLEAN_ROWS and i % BAD_EVERY == BAD_EVERY - 1 else f"{i % 500 + 1}.50"
            out.write(json.dumps({"sku": f"SKU-{i:07d}", "name": f"Product {i}", "category": "tools",
                                  "price": price, "currency": "EUR", "weight_kg": "0.5", "active": True,
                                  "launched_on": f"2025-01-0{i % 9 + 1}"}) + "\n")
    return path, files[1]


@pytest.mark.parametrize("kind, sticky", KINDS[:2], ids=[k for k, _ in KINDS[:2]])
def test_json_lines_the_writer_decodes_every_write_can_fail_and_nothing_is_lost(
        tmp_path, monkeypatch, jsonl_files, fault_plan, kind, sticky):
    """The fault loop over a JSON Lines import whose batches go to the batch writer as lines: in
    batches of BATCH lines, as a table's rows (the writer's JSON Lines batches are half
    BATCH_ROWS: json_line_rows.batch_rows), so the same 10 batch commits as the loop above."""
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 2 * BATCH)
    monkeypatch.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 0)
    seeded = _seeded(tmp_path / "seeded", jsonl_files)
    clean_counts, clean_records, clean_items, writes, _ = _import(seeded, tmp_path / "clean", fault_plan)
    bad = sum(1 for i in range(JSONL_CLEAN_ROWS, ROWS) if i % BAD_EVERY == BAD_EVERY - 1)
    assert clean_counts[0] == {"total": ROWS, "done": ROWS - bad, "error": bad, "pending": 0}
    assert writes >= ROWS // BATCH + 3  # the claim, the header warnings, each batch, the end
    for fail_at in range(1, writes + 1):
        counts, records, items, _, (left, _) = _import(seeded, tmp_path / f"w{fail_at}", fault_plan, fail_at,
                                                        kind, sticky)
        assert (counts, records, items) == (clean_counts, clean_records, clean_items), \
            f"write {fail_at} failing ({kind}) left {left}"
