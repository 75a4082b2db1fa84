"""The pipeline end to end through the Engine facade: counts, classification, threshold, lifecycle."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path

import pytest

from importdesk.engine import ImportOptions, UsageError
from importdesk.models import ItemLevel, JobStatus, JobType

from support import SAMPLES, write_products


def run(engine, path, **options):
    job = engine.create_job(path, ImportOptions(**options))
    return engine.run_job(job.uid)


def invariant(job):
    p = job.progress
    assert p.total == p.done + p.error + p.pending


def test_clean_file_creates_every_record(engine):
    job = run(engine, SAMPLES / "products.csv", resource_type="products")
    assert job.status is JobStatus.DONE
    assert (job.progress.total, job.progress.done, job.progress.error, job.progress.pending) == (1000, 1000, 0, 0)
    assert job.summary.create == 1000 and job.processed_count == 1000
    assert engine.record_count("products") == 1000
    assert job.metadata.data_row_index == 1000
    assert job.provider_data.sha256 and job.provider_data.kept_path.startswith("archive/")
    assert (engine.workspace.root / job.provider_data.kept_path).read_bytes() == (SAMPLES / "products.csv").read_bytes()


def test_reimport_is_unchanged_and_writes_nothing(engine):
    run(engine, SAMPLES / "products.csv", resource_type="products")
    again = run(engine, SAMPLES / "products.csv", resource_type="products")
    assert (again.summary.create, again.summary.update, again.summary.unchanged) == (0, 0, 1000)
    assert again.processed_count == 0
    records = list(engine.iter_records("products", job_uid=again.uid))
    assert records == []  # unchanged rows keep their last writing job


def test_error_file_reports_each_bad_row_with_column_and_value(engine):
    job = run(engine, SAMPLES / "products_with_errors.csv", resource_type="products", skip_errors=True)
    assert job.status is JobStatus.DONE
    assert (job.progress.done, job.progress.error) == (167, 33)
    invariant(job)
    assert (job.summary.create, job.summary.update) == (164, 3)
    price = engine.list_items(job.uid, field="price", level=ItemLevel.ERROR)
    assert {(i.row_number, i.value) for i in price} >= {(70, "-5.00"), (97, "abc")}
    ragged = [i for i in engine.list_items(job.uid, limit=1000) if i.row_number == 30]
    assert ragged[0].code == "malformed_row" and "6 values" in ragged[0].message
    assert json.loads(json.dumps(ragged[0].raw_row))  # the raw row is kept for fixing and retrying


def test_duplicate_keys_later_row_wins_with_a_warning(engine):
    job = run(engine, SAMPLES / "products_with_errors.csv", resource_type="products", skip_errors=True)
    dupes = [i for i in engine.list_items(job.uid, level=ItemLevel.WARNING, limit=100) if i.code == "duplicate_key"]
    assert {(i.row_number, i.value) for i in dupes} == {(149, "SKU-002005"), (82, "SKU-002046"), (128, "SKU-002092")}
    assert "row 6" in next(i.message for i in dupes if i.row_number == 149)
    record = next(r for r in engine.iter_records("products") if r["sku"] == "SKU-002005")
    assert record["name"].endswith("(2026 edition)")


def test_unknown_column_is_a_warning(engine):
    job = run(engine, SAMPLES / "products_with_errors.csv", resource_type="products", skip_errors=True)
    unknown = engine.list_items(job.uid, level=ItemLevel.WARNING, field=None, code="unknown_column")
    assert [i.value for i in unknown] == ["internal_note"]


def test_duplicates_across_batches_are_found(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 10)
    path = write_products(tmp_path / "p.csv", 25)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("SKU-0000003,Changed,,tools,9.99,EUR,0.5,true,,2025-01-01,\n")
    job = run(engine, path, resource_type="products")
    assert (job.summary.create, job.summary.update) == (25, 1)
    warning = engine.list_items(job.uid, code="duplicate_key")
    assert len(warning) == 1 and warning[0].row_number == 27 and "row 5" in warning[0].message


def test_validate_writes_no_records_and_confirm_executes(engine):
    job = run(engine, SAMPLES / "products_with_errors.csv", resource_type="products", job_type=JobType.VALIDATE,
              skip_errors=True)
    assert job.status is JobStatus.DONE and engine.record_count("products") == 0
    assert (job.summary.create, job.summary.update) == (164, 3)
    execute = engine.confirm(job.uid)
    assert execute.job_type is JobType.EXECUTE and execute.validated_job_uid == job.uid
    assert execute.provider_data.sha256 == job.provider_data.sha256
    done = engine.run_job(execute.uid)
    assert done.summary.create == 164 and engine.record_count("products") == 164
    with pytest.raises(UsageError, match="is a done execute job: only a done validate job can be confirmed"):
        engine.confirm(done.uid)


def test_threshold_interrupts_and_resume_with_skip_errors_finishes(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 10)
    path = write_products(tmp_path / "bad.csv", 100, bad_every=4)  # 25% bad
    job = run(engine, path, resource_type="products")
    assert job.status is JobStatus.INTERRUPTED and "threshold" in job.error_message
    assert job.progress.error == 11  # stops at the row that crosses 10% of 100
    invariant(job)
    resumed = engine.resume(job.uid, skip_errors=True)
    assert resumed.status is JobStatus.PENDING
    done = engine.run_job(job.uid)
    assert done.status is JobStatus.DONE
    assert (done.progress.done, done.progress.error, done.progress.pending) == (75, 25, 0)
    assert engine.count_items(done.uid, level=ItemLevel.ERROR) == 25
    assert engine.record_count("products") == 75


def test_missing_required_column_is_fatal_and_named(engine, tmp_path):
    path = tmp_path / "no_price.csv"
    path.write_text("sku,name\nA-1,Thing\n", encoding="utf-8")
    job = run(engine, path, resource_type="products")
    assert job.status is JobStatus.ERROR
    assert "no_price.csv" in job.error_message and "price" in job.error_message
    assert job.failed_at is not None
    invariant(job)


def test_german_prices_with_locale(engine):
    job = run(engine, SAMPLES / "preise_de.csv", resource_type="prices", locale="de")
    assert job.status is JobStatus.DONE and job.progress.error == 0, engine.list_items(job.uid)[:3]
    assert job.provider_data.encoding in ("cp1252", "windows-1252") and job.provider_data.delimiter == ";"
    amounts = {r["amount"] for r in engine.iter_records("prices")}
    assert any(a >= 1000 for a in amounts)  # "1.234,50" became 1234.50


def test_parent_resource_and_shared_data_fill_rows(engine, tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("sku,amount\nA-1,10.00\nA-2,12.50\n", encoding="utf-8")
    job = run(engine, path, resource_type="prices", parent_resource_id="EU-Retail",
              shared_entity_data={"currency": "EUR"})
    assert job.status is JobStatus.DONE and job.progress.done == 2, engine.list_items(job.uid)
    rows = list(engine.iter_records("prices"))
    assert {(r["price_list"], r["currency"]) for r in rows} == {("EU-Retail", "EUR")}


def test_multi_type_jsonl_counts_per_type(engine):
    job = run(engine, SAMPLES / "subscriptions.jsonl", resource_type=None)
    assert job.resource_type == "mixed" and job.status is JobStatus.DONE
    assert job.type_counts.uploaded == job.type_counts.imported
    assert job.type_counts.uploaded["subscription"] == 60
    assert engine.record_count("subscription_plan") == 6


def test_xlsx_keeps_leading_zeros_and_dates(engine):
    job = run(engine, SAMPLES / "customers.xlsx", resource_type="customers")
    assert job.status is JobStatus.DONE and job.progress.done == 250
    rows = list(engine.iter_records("customers"))
    assert any(r["postcode"].startswith("0") for r in rows)
    assert all(r["birth_date"] is None or hasattr(r["birth_date"], "year") for r in rows)


def test_user_defined_schema(engine):
    (engine.workspace.schemas / "wine_catalogue.toml").write_bytes(
        (SAMPLES / "schemas" / "wine_catalogue.toml").read_bytes())
    engine.ctx.reload_schemas()
    job = run(engine, SAMPLES / "wines.csv", resource_type="wines")
    assert job.status is JobStatus.DONE and job.progress.done == 100


def test_cancel_and_interrupt_from_an_event(engine, tmp_path, monkeypatch):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 10)
    path = write_products(tmp_path / "p.csv", 50)
    job = engine.create_job(path, ImportOptions(resource_type="products"))
    stop = threading.Event()

    def stop_after_first_batch(event):
        if event.job.progress.processed >= 10:
            stop.set()

    done = engine.run_job(job.uid, cancel=stop, on_progress=stop_after_first_batch, interval=0)
    assert done.status is JobStatus.INTERRUPTED
    assert done.metadata.data_row_index == done.progress.processed < 50
    invariant(done)
    engine.resume(job.uid)
    finished = engine.run_job(job.uid)
    assert finished.status is JobStatus.DONE and finished.progress.done == 50
    assert finished.summary.create == 50 and engine.record_count("products") == 50


def test_lifecycle_rules_are_enforced(engine, tmp_path):
    path = write_products(tmp_path / "p.csv", 3)
    job = engine.create_job(path, ImportOptions(resource_type="products"))
    with pytest.raises(UsageError, match="resumed only when interrupted"):
        engine.resume(job.uid)
    canceled = engine.cancel(job.uid)
    assert canceled.status is JobStatus.CANCELED and canceled.canceled_at
    with pytest.raises(UsageError, match="is canceled, not pending: it cannot start"):
        engine.run_job(job.uid)
    engine.delete(job.uid)
    with pytest.raises(UsageError, match="no job"):
        engine.get_job(job.uid)


def test_short_uid_finds_the_job(engine, tmp_path):
    job = engine.create_job(write_products(tmp_path / "p.csv", 1), ImportOptions(resource_type="products"))
    assert engine.get_job(job.uid[-6:]).uid == job.uid


@pytest.mark.sqlite_only("refused or answered before the store is asked")
def test_unknown_type_and_locale_are_usage_errors(engine):
    with pytest.raises(UsageError, match="unknown resource type"):
        engine.create_job(SAMPLES / "products.csv", ImportOptions(resource_type="nope"))
    with pytest.raises(UsageError, match="locale"):
        engine.create_job(SAMPLES / "products.csv", ImportOptions(resource_type="products", locale="xx_YY_zz"))


@pytest.mark.sqlite_only("refused or answered before the store is asked")
def test_type_is_suggested_from_headers(engine):
    assert engine.suggest_type(SAMPLES / "products.csv") == "products"
    assert engine.suggest_type(SAMPLES / "customers.xlsx") == "customers"


def test_same_file_is_kept_once(engine):
    a = engine.create_job(SAMPLES / "products.csv", ImportOptions(resource_type="products"))
    b = engine.create_job(SAMPLES / "products.csv", ImportOptions(resource_type="products"))
    assert a.provider_data.kept_path == b.provider_data.kept_path


# The batch writer (store/batch_writer.py) is SQLite's alone: the tests from here on make SQLite workspaces
# of their own and run on SQLite only.
def _stored_rows(db_path):
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'records_products'").fetchone() is None:
            return []  # (dry runs only)
        return conn.execute("SELECT * FROM records_products ORDER BY _key").fetchall()


def _items(engine, uid):
    return sorted((i.row_number or 0, i.field or "", i.value or "", i.code, i.message, str(i.raw_row),
                   i.record_key or "") for i in engine.list_items(uid, limit=10_000))


def _raw_when(choose):
    """A WriterOverlap.wants_raw that waits for the writer's validator and hands a batch over raw
    when ``choose(n)`` says so for the n-th batch asked about (the type still all new): which
    batches go raw then depends on the test, not on how fast the two processes are."""
    asked = []

    def wants_raw(self, resource_type):
        asked.append(resource_type)
        return (self.open and self.committer.may_be_all_new(resource_type) and choose(len(asked))
                and self._writer.helper_ready(wait=True) == self._raw_fingerprint)
    return wants_raw


def _count_when_waited(real_counted):
    def counted(self, wait=False):
        return real_counted(self, wait=True) if wait else (False, None)
    return counted


def _room_every_other_time(real_has_room):
    room = itertools.cycle([False, True])

    def has_room(self):
        return real_has_room(self) and next(room)
    return has_room


WRITER_MODES = ("writer", "raw", "alternate", "held", "backlog")


def _outcomes(tmp_path, monkeypatch, paths, modes, job_types=None, skip_errors=True):
    """Per mode ("writer": positional rows committed by the BatchWriter, "raw": each batch handed
    to it raw and validated there, "alternate": every other batch raw, "positional": in this
    process, "dict": the dict path), the jobs' results after importing ``paths`` in order
    (``job_types``: each path's, execute by default; a dry run takes the writer in the same modes;
    ``skip_errors``: the jobs', else they have the default error threshold)."""
    from importdesk.engine import Engine
    from importdesk.engine.batch_overlap import WriterOverlap
    from importdesk.engine.row_mapper import RowMapper
    from importdesk.store import batch_writer
    from importdesk.workspace import Workspace

    from support import FixedClock, counting_uids

    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 64)
    results = []
    for mode in modes:
        with monkeypatch.context() as m:
            m.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS",
                      0 if mode in (*WRITER_MODES, "drain", "busy") else 10**9)
            if mode == "writer":
                m.setattr(WriterOverlap, "wants_raw", lambda self, name: False)
            if mode in ("raw", "alternate"):  # no batch held while the writer counts: each can go raw
                m.setattr("importdesk.engine.pipeline.HELD_BATCHES", 0)
            if mode == "raw":
                m.setattr(WriterOverlap, "wants_raw", _raw_when(lambda n: True))
            if mode == "alternate":
                m.setattr(WriterOverlap, "wants_raw", _raw_when(lambda n: n % 2 == 1))
            if mode in ("held", "backlog"):  # the count comes only when waited for: HELD_BATCHES held first
                m.setattr(batch_writer.BatchWriter, "counted", _count_when_waited(batch_writer.BatchWriter.counted))
            if mode == "drain":  # 4 held while it counts; then room every other time: rows held raw behind them
                m.setattr(batch_writer.BatchWriter, "counted", _count_when_waited(batch_writer.BatchWriter.counted))
                m.setattr("importdesk.engine.pipeline.HELD_BATCHES", 4)
                m.setattr(WriterOverlap, "wants_raw", _raw_when(lambda n: True))
                m.setattr(WriterOverlap, "has_room", _room_every_other_time(WriterOverlap.has_room))
            if mode == "busy":  # 4 held while it counts; the writer then looks busy: each batch read behind
                # them is validated here while it waits, the first of two held (HELD_ROWS 2)
                m.setattr(batch_writer.BatchWriter, "counted", _count_when_waited(batch_writer.BatchWriter.counted))
                m.setattr("importdesk.engine.pipeline.HELD_BATCHES", 4)
                m.setattr("importdesk.engine.pipeline.HELD_ROWS", 2)
                m.setattr(batch_writer.BatchWriter, "replies_waiting", lambda self: 0)
            if mode == "backlog":  # 3 held; then the writer looks busy: more held behind it
                m.setattr("importdesk.engine.pipeline.HELD_BATCHES", 3)
                m.setattr(batch_writer.BatchWriter, "replies_waiting", lambda self: 0)
            if mode == "dict":
                m.setattr(RowMapper, "positional", lambda self: None)
            ws = Workspace.open(tmp_path / f"ws-{mode}")
            eng = Engine(ws, clock=FixedClock(), uid_factory=counting_uids())
            try:
                outcome = []
                for path, job_type in zip(paths, job_types or [JobType.EXECUTE] * len(paths), strict=True):
                    job = run(eng, path, resource_type="products", skip_errors=skip_errors, job_type=job_type)
                    invariant(job)
                    outcome.append((job.status, job.progress, job.summary, job.type_counts, job.processed_count,
                                    job.errors_count, job.warnings_count, job.metadata.data_row_index,
                                    _items(eng, job.uid)))
                rows = _stored_rows(ws.db_path)
                results.append((outcome, rows, [[type(v) for v in r] for r in rows]))
            finally:
                eng.close()
    return results


@pytest.mark.parametrize("sample", ["products.csv", "products_with_errors.csv"])
def test_positional_path_stores_what_the_dict_path_stores(tmp_path, monkeypatch, sample):
    """Tabular rows take the PositionalValidator path (committed by the batch writer from
    WRITER_MIN_ROWS on); forced onto the dict path, the same file gives the same records (byte
    for byte, types included), items and counts."""
    writer, raw, alternate, held, backlog, positional, by_dict = _outcomes(
        tmp_path, monkeypatch, [SAMPLES / sample], [*WRITER_MODES, "positional", "dict"])
    assert writer == raw == alternate == held == backlog == positional == by_dict
    assert writer[1]


def _rows_held_unvalidated(monkeypatch) -> list[bool]:
    """Per batch held after the count (HeldRows): were its rows packed?"""
    from importdesk.engine import held_batches

    held: list[bool] = []
    real_init = held_batches.HeldRows.__init__

    def init(self, rows):
        real_init(self, rows)
        held.append(self._packed is not None)

    monkeypatch.setattr(held_batches.HeldRows, "__init__", init)
    return held


def _products_file(tmp_path, kind: str) -> Path:
    """900 products, bad rows among them; CSV and JSON Lines with a ragged row and a key twice."""
    if kind == "xlsx":
        return _write_products_xlsx(tmp_path / "p.xlsx", 900, bad_every=70)
    path = write_products(tmp_path / "p.csv", 900, bad_every=70)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[600] = lines[600] + ",one too many"  # a ragged row (a Record among the rows)
    lines[700] = lines[650]  # a key twice
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if kind == "jsonl":
        import csv

        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        out = tmp_path / "p.jsonl"
        out.write_text("".join(json.dumps(dict(zip(rows[0], r, strict=False))) + "\n" for r in rows[1:]),
                       encoding="utf-8")
        path = out
    return path


@pytest.mark.parametrize("kind", ["csv", "jsonl", "xlsx"])
def test_batches_held_unvalidated_behind_the_counted_ones_import_the_same(tmp_path, monkeypatch, kind):
    """After the count, while the batches validated during it are worked off, the next ones are
    held as read (packed where they can be) and validated when their turn comes, by the writer
    (raw) when it has room then, else here: the import is the one made in this process, bad,
    ragged and repeated rows alike."""
    path = _products_file(tmp_path, kind)
    packed = _rows_held_unvalidated(monkeypatch)
    sent = _writes_raw(monkeypatch)
    drain, positional = _outcomes(tmp_path, monkeypatch, [path], ["drain", "positional"])
    assert drain[0] == positional[0]  # status, counters, checkpoint, items
    # the same records (their times are a batch's clock reading: a batch that came back reads it again)
    assert list(map(_without_times, drain[1])) == list(map(_without_times, positional[1]))
    assert drain[0][0][1].error > 10  # (the bad rows are there)
    assert packed and any(packed) == (kind != "jsonl")  # (JSON lines are held as the lines they are)
    assert any(sent)  # some batches held so went raw


@pytest.mark.parametrize("kind, job_type, skip_errors", [
    ("csv", JobType.EXECUTE, True), ("csv", JobType.EXECUTE, False), ("csv", JobType.VALIDATE, True),
    ("jsonl", JobType.EXECUTE, True), ("xlsx", JobType.EXECUTE, True)])
def test_batches_held_behind_a_busy_writer_are_validated_here_and_import_the_same(tmp_path, monkeypatch,
                                                                                  kind, job_type, skip_errors):
    """While the writer works off the batches held during the count and has no room, the runner
    validates the batches it holds behind them instead of waiting (in file order, the error
    threshold applied at their commit): the job is the one made in this process."""
    from importdesk.engine.pipeline import JobRunner

    path = _products_file(tmp_path, kind)
    validated: list[int] = []
    real = JobRunner._validate_held

    def validate_held(self, held):
        validated.append(len(held))
        return real(self, held)

    monkeypatch.setattr(JobRunner, "_validate_held", validate_held)
    busy, positional = _outcomes(tmp_path, monkeypatch, [path], ["busy", "positional"], job_types=[job_type],
                                 skip_errors=skip_errors)
    assert busy[0] == positional[0]  # status, counters, checkpoint, items
    assert list(map(_without_times, busy[1])) == list(map(_without_times, positional[1]))
    assert busy[0][0][1].error > 10
    assert len(validated) > 3  # (batches held behind the busy writer were validated here)


def test_batch_writer_conflicts_are_committed_in_process(tmp_path, monkeypatch):
    """Keys that exist already make the writer's insert change nothing; that batch is then
    classified and committed by the runner, the same as without a writer."""
    first = write_products(tmp_path / "a.csv", 300)
    second = write_products(tmp_path / "b.csv", 300, start=200, bad_every=7)
    writer, raw, alternate, held, backlog, positional = _outcomes(tmp_path, monkeypatch, [first, second],
                                                                  [*WRITER_MODES, "positional"])
    assert writer == raw == alternate == held == backlog == positional
    summary = writer[0][1][2]
    assert summary.create > 0 and summary.update + summary.unchanged == 100 - 100 // 7


def test_a_reimport_is_classified_and_written_by_the_batch_writer(tmp_path, monkeypatch):
    """Once a type's keys exist, each batch is classified and written by the writer while the next
    batch is validated ("stored" steps); one with a key the job saw before is classified by the
    runner, its writes committed by the writer: the same records, items and counts as in process,
    duplicates across batches included."""
    from importdesk.store import batch_writer

    from support import PRODUCTS_HEADER

    first = write_products(tmp_path / "a.csv", 300)
    lines = [PRODUCTS_HEADER]
    for i in range(300):  # a third renamed, a seventh rejected, the rest as they were
        name = f"Renamed {i}" if i % 3 == 0 else f"Product {i}"
        price = "-1.00" if i % 7 == 6 else f"{i % 500 + 1}.50"
        lines.append(f"SKU-{i:07d},{name},,tools,{price},EUR,0.5,true,,2025-01-0{i % 9 + 1},")
        if i == 100:  # a new key: the writer sends that batch back ("changed")
            lines.append("SKU-0009999,New,,tools,1.50,EUR,0.5,true,,2025-01-01,")
        if i == 250:  # a key twice in one batch: classified here
            lines.append("SKU-0000249,Twice,,tools,1.50,EUR,0.5,true,,2025-01-01,")
    lines += ["SKU-0000001,Product 1,,tools,2.50,EUR,0.5,true,,2025-01-02,",  # unchanged, seen 300 rows before
              "SKU-0000003,Again,,tools,4.50,EUR,0.5,true,,2025-01-04,"]  # written by this job, changed again
    second = tmp_path / "b.csv"
    second.write_text("\n".join(lines) + "\n", encoding="utf-8")
    real_submit = batch_writer.BatchWriter.submit
    sent = []

    def counting_submit(self, steps):
        sent.extend("stored" if step[0] == "stored" else "upsert" for step in steps
                    if step[0] == "stored" or (step[1].startswith("INSERT INTO") and "ON CONFLICT" in step[1]))
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", counting_submit)
    writer, positional = _outcomes(tmp_path, monkeypatch, [first, second], ["writer", "positional"])
    assert writer == positional
    summary = writer[0][1][2]
    assert (summary.create, summary.update, summary.unchanged) == (1, 86 + 2, 172 + 1)
    # the second job's batches of 64, classified by the writer ("stored", each sent behind the one
    # before it) but for: the second (sent back, its new key) and the third, sent behind it
    # (skipped, then classified here); the fourth (SKU-0000249 twice); the last (SKU-0000001 again)
    assert sent == ["stored", "stored", "stored", "upsert", "upsert", "upsert", "upsert"]


@pytest.mark.parametrize("skip_errors", [True, False], ids=["skipping-errors", "with-threshold"])
def test_reimport_batches_classified_by_the_writer_behind_each_other_count_each_others_updates(tmp_path,
                                                                                             monkeypatch,
                                                                                             skip_errors):
    """Each batch of a re-import the writer classifies ("stored") is handed over while the one
    before it is in flight, counted on that one's "all unchanged": its transaction and the
    runner both add the updates the one before made, so at every commit the runner's counters
    are the store's, and the outcome is the in-process one (bad rows included)."""
    from importdesk.store import batch_writer

    from support import PRODUCTS_HEADER

    first = write_products(tmp_path / "a.csv", 640)
    lines = [PRODUCTS_HEADER]
    for i in range(640):  # in every batch of 64: some renamed, one rejected
        name = f"Renamed {i}" if i % 5 == 0 else f"Product {i}"
        price = "-1.00" if i % 64 == 33 else f"{i % 500 + 1}.50"
        lines.append(f"SKU-{i:07d},{name},,tools,{price},EUR,0.5,true,,2025-01-0{i % 9 + 1},")
    second = tmp_path / "b.csv"
    second.write_text("\n".join(lines) + "\n", encoding="utf-8")
    real_submit = batch_writer.BatchWriter.submit
    stored_behind = []

    def submit(self, steps):
        if any(step[0] == "stored" for step in steps):
            tally = next(step for step in steps if step[0] == "tally")
            stored_behind.append(tally[-1])  # the requests in flight ahead of it
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", submit)
    checked = _commits_match_the_store(monkeypatch)
    writer, positional = _outcomes(tmp_path, monkeypatch, [first, second], ["writer", "positional"],
                                   skip_errors=skip_errors)
    assert writer[0] == positional[0]
    assert list(map(_without_times, writer[1])) == list(map(_without_times, positional[1]))
    summary = writer[0][1][2]
    assert (summary.create, summary.update, summary.unchanged) == (0, 128 - 2, 640 - 128 - 8)
    assert len(stored_behind) == 10 and stored_behind.count(1) >= 8  # all but the first sent behind another
    assert len(checked) > 15


@pytest.mark.parametrize("lost_at", [1, 2])
def test_a_reimport_batch_the_writer_committed_without_a_reply_counts_as_the_store_says(tmp_path, monkeypatch,
                                                                                       lost_at):
    """The writer commits a batch it classified, and dies before its reply ("stored": which rows
    it updated) is read, the batch behind it committed or not: the job's counters are the ones
    the store saved, and a later row with the key of an unchanged row of that batch is still
    worded as a duplicate."""
    from importdesk.store import batch_writer

    from support import PRODUCTS_HEADER

    first = write_products(tmp_path / "a.csv", 200)
    lines = [PRODUCTS_HEADER]
    for i in range(200):  # a third renamed, the rest as they were
        name = f"Renamed {i}" if i % 3 == 0 else f"Product {i}"
        lines.append(f"SKU-{i:07d},{name},,tools,{i % 500 + 1}.50,EUR,0.5,true,,2025-01-0{i % 9 + 1},")
    lines.append("SKU-0000001,Product 1,,tools,2.50,EUR,0.5,true,,2025-01-02,")  # unchanged in the first batch
    second = tmp_path / "b.csv"
    second.write_text("\n".join(lines) + "\n", encoding="utf-8")
    real_result = batch_writer.BatchWriter.result
    lost = []

    def result_lost_after_commit(self):
        reply = real_result(self)
        if isinstance(reply, tuple) and reply[0] == "stored" and not lost and len(stored) + 1 == lost_at:
            lost.append(reply)
            self._proc.kill()
            self._proc.wait()
            return ("error", "the batch writer stopped (exit code -9)")
        if isinstance(reply, tuple) and reply[0] == "stored":
            stored.append(reply)
        return reply

    real_submit = batch_writer.BatchWriter.submit
    submitted = []

    def submit_but_the_third_stored(self, steps):
        if any(step[0] == "stored" for step in steps):
            submitted.append(steps)
            if lost_at == 2 and len(submitted) == 3:  # in flight behind the second, never committed
                self.in_flight += 1
                return None
        return real_submit(self, steps)

    stored = []
    monkeypatch.setattr(batch_writer.BatchWriter, "result", result_lost_after_commit)
    monkeypatch.setattr(batch_writer.BatchWriter, "submit", submit_but_the_third_stored)
    # (with an error threshold no batch is worded: the stored batches' corrections are all there is)
    writer, positional = _outcomes(tmp_path, monkeypatch, [first, second], ["writer", "positional"], skip_errors=False)
    assert len(lost) == 1
    assert writer == positional
    summary = writer[0][1][2]
    assert (summary.create, summary.update, summary.unchanged) == (0, 67, 133 + 1)


@pytest.mark.parametrize("failure", ["error", "stale"])
def test_a_failing_batch_writer_is_replaced_by_in_process_commits(tmp_path, monkeypatch, failure):
    from importdesk.store import batch_writer

    real_submit = batch_writer.BatchWriter.submit
    calls = []

    def failing_submit(self, steps):
        calls.append(1)
        if len(calls) == 2:  # the writer rolls the second batch back
            if failure == "error":
                steps = [*steps, ("one", "SELECT * FROM no_such_table", ())]
            else:  # the job is not this runner's any more
                steps = [("check", "SELECT 1 WHERE 0", ()), *steps]
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", failing_submit)
    path = write_products(tmp_path / "p.csv", 300, bad_every=9)
    if failure == "stale":
        (outcome, _rows, _types), = _outcomes(tmp_path, monkeypatch, [path], ["writer"])
        status, progress = outcome[0][:2]
        assert status is JobStatus.ERROR and progress.done + progress.error == 64
        return
    writer, positional = _outcomes(tmp_path, monkeypatch, [path], ["writer", "positional"])
    assert writer == positional and len(calls) == 3  # the batch after it was in flight; no writer then


def test_a_batch_writer_that_dies_is_replaced_by_in_process_commits(tmp_path, monkeypatch):
    from importdesk.store import batch_writer

    real_submit = batch_writer.BatchWriter.submit
    calls = []

    def dying_submit(self, steps):
        calls.append(1)
        if len(calls) == 3:  # killed with two batches handed over, maybe committed, maybe not
            self._proc.kill()
            self._proc.wait()
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", dying_submit)
    path = write_products(tmp_path / "p.csv", 400, bad_every=9)
    writer, positional = _outcomes(tmp_path, monkeypatch, [path], ["writer", "positional"])
    assert writer == positional
    # one more batch may be handed over before the death is noticed (when the one before it was
    # committed in time); none after
    assert len(calls) in (3, 4)


def test_batches_in_flight_that_cannot_be_settled_are_not_counted(tmp_path, monkeypatch):
    """The writer rolls back the last batch and its reply is lost: the job must not claim rows
    that were never committed (a retry continues after the last committed one)."""
    from importdesk.engine.pipeline import JobRunner
    from importdesk.store import batch_writer

    real_submit = batch_writer.BatchWriter.submit
    real_finish = JobRunner._finish
    calls = []
    batches = -(-400 // 64)  # _outcomes makes batches of 64 rows

    def last_batch_fails(self, steps):
        calls.append(1)
        if len(calls) == batches:
            steps = [*steps, ("one", "SELECT * FROM no_such_table", ())]
        return real_submit(self, steps)

    def finish_with_lost_replies(self, status, message):
        def lost(keep=0):
            raise RuntimeError("the writer's reply was lost")
        self._settle = lost
        return real_finish(self, status, message)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", last_batch_fails)
    monkeypatch.setattr(JobRunner, "_finish", finish_with_lost_replies)
    path = write_products(tmp_path / "p.csv", 400)
    (outcome, rows, _types), = _outcomes(tmp_path, monkeypatch, [path], ["writer"])
    status, progress = outcome[0][:2]
    checkpoint = outcome[0][7]
    assert len(calls) == batches
    assert status is JobStatus.ERROR
    assert progress.done == checkpoint == len(rows) == 400 - 16  # all but the last batch
    assert progress.total == progress.done + progress.error + progress.pending


def _writes_raw(monkeypatch) -> list[bool]:
    """Per request handed to the batch writer: did it carry raw rows for the writer to validate?"""
    from importdesk.store import batch_writer

    real_submit = batch_writer.BatchWriter.submit
    sent: list[bool] = []

    def submit(self, steps):
        sent.append(any(step[0] in ("rows", "worded") for step in steps))
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", submit)
    return sent


def test_batches_validated_by_the_writer_store_what_the_runner_would(tmp_path, monkeypatch):
    """Clean batches handed over raw are validated and committed by the writer; one with a bad
    row is worded there (the job skips bad rows), one with a key twice comes back and is
    classified here."""
    sent = _writes_raw(monkeypatch)
    path = write_products(tmp_path / "p.csv", 700)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[300] = lines[300].replace(",0.5,", ",heavy,")  # batch 5: one bad row
    lines[520] = lines[450]  # batch 9: a key twice (rows 451 and 521)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw, positional = _outcomes(tmp_path, monkeypatch, [path], ["raw", "positional"])
    assert raw == positional
    outcome = raw[0][0]
    assert outcome[1].error == 1 and outcome[6] == 1  # the bad row; the duplicate's warning
    assert sent.count(True) >= 8  # the other batches went raw


def _worded_replies(monkeypatch) -> list[tuple[int, int]]:
    """(bad rows, error items) of every "worded" reply of a batch writer from now on."""
    from importdesk.store import batch_writer

    real_result = batch_writer.BatchWriter.result
    replies: list[tuple[int, int]] = []

    def result(self):
        reply = real_result(self)
        if isinstance(reply, tuple) and reply[0] == "worded":
            replies.append(reply[1:])
        return reply

    monkeypatch.setattr(batch_writer.BatchWriter, "result", result)
    return replies


def _commits_match_the_store(monkeypatch) -> list[int]:
    """Each time the runner takes a committed job as its own, its counters must be the stored
    job's (a worded batch's correction is made on both sides, or neither), when the writer has
    not committed another batch since; the checkpoints compared."""
    from importdesk.engine.pipeline import JobRunner

    real_restore = JobRunner._restore
    seen: list[int] = []

    def counters(job):
        return (job.progress, job.summary, job.processed_count, job.errors_count, job.type_counts,
                job.metadata.data_row_index)

    def restore(self, snapshot):
        real_restore(self, snapshot)
        stored = self.ctx.jobs.get(self.job.uid)
        if self.job.metadata.data_row_index and stored.metadata.data_row_index == self.job.metadata.data_row_index:
            assert counters(self.job) == counters(stored)
            seen.append(self.job.metadata.data_row_index)

    monkeypatch.setattr(JobRunner, "_restore", restore)
    return seen


def test_bad_rows_worded_by_the_writer_are_counted_and_worded_as_here(tmp_path, monkeypatch):
    """A job that skips bad rows hands the writer raw batches with bad rows too: it words them
    itself (the same code as here) and commits the valid rows with the errors. Every bad row is
    an error item as the runner would word it, the counters are the same at every commit, and a
    batch handed over behind a worded one (counted on its rows all created) is corrected too."""
    path = write_products(tmp_path / "p.csv", 1000, bad_every=3)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[10] = lines[10].replace(",0.5,", ",heavy,")  # two errors in one row
    lines[200] = lines[200] + ",one too many"  # a ragged row
    lines[420] = lines[400]  # a key twice in a batch: that batch comes back, classified here
    for i in range(641, 705):  # batch 11: every row bad
        lines[i] = lines[i].replace(",EUR,", ",EURO,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    worded = _worded_replies(monkeypatch)
    checked = _commits_match_the_store(monkeypatch)
    raw, alternate, positional = _outcomes(tmp_path, monkeypatch, [path], ["raw", "alternate", "positional"])
    assert raw[0] == alternate[0] == positional[0]  # status, counters, checkpoint, items
    # the same records (their times are a batch's clock reading: a batch that came back reads it again)
    assert (list(map(_without_times, raw[1])) == list(map(_without_times, alternate[1]))
            == list(map(_without_times, positional[1])))
    outcome = positional[0][0]
    assert outcome[0] is JobStatus.DONE and outcome[1].error > 300
    assert sum(bad for bad, _ in worded) > 250  # most bad rows were worded by the writer
    assert any(bad == 64 and errors > 64 for bad, errors in worded)  # the batch of bad rows only (some twice)
    assert len(checked) > 20


@pytest.mark.parametrize("mode", ["raw", "alternate", "held", "backlog"])
def test_the_error_threshold_stops_at_the_same_row_when_the_writer_validates(tmp_path, monkeypatch, mode):
    """Rows 100-170 are bad: with 10% of 400 allowed, the job stops at its 41st error, whichever
    process validated the batches around it (a raw batch with errors comes back; the batch
    validated here meanwhile counted on fewer errors and is validated again from the file; the
    batches held while the writer counted are validated before the total, the threshold a share
    of it, is known)."""
    from support import PRODUCTS_HEADER

    lines = [PRODUCTS_HEADER]
    for i in range(400):
        price = "-1.00" if 100 <= i < 170 else f"{i % 500 + 1}.50"
        lines.append(f"SKU-{i:07d},Product {i},,tools,{price},EUR,0.5,true,,2025-01-0{i % 9 + 1},")
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def outcomes():
        from importdesk.engine.batch_overlap import WriterOverlap
        from importdesk.store import batch_writer

        results = []
        monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 64)
        for m_name in (mode, "positional"):
            with monkeypatch.context() as m:
                m.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 0 if m_name != "positional" else 10**9)
                if m_name in ("held", "backlog"):
                    m.setattr(batch_writer.BatchWriter, "counted", _count_when_waited(batch_writer.BatchWriter.counted))
                    if m_name == "backlog":  # batches held after the count too, behind a busy writer
                        m.setattr("importdesk.engine.pipeline.HELD_BATCHES", 3)
                        m.setattr(batch_writer.BatchWriter, "replies_waiting", lambda self: 0)
                else:
                    m.setattr("importdesk.engine.pipeline.HELD_BATCHES", 0)
                m.setattr(WriterOverlap, "wants_raw", _raw_when(
                    (lambda n: True) if m_name == "raw" else (lambda n: n % 2 == 0)))
                from importdesk.engine import Engine
                from importdesk.workspace import Workspace

                from support import FixedClock, counting_uids

                eng = Engine(Workspace.open(tmp_path / f"ws-{m_name}"), clock=FixedClock(), uid_factory=counting_uids())
                try:
                    job = run(eng, path, resource_type="products")
                    invariant(job)
                    results.append((job.status, job.progress, job.metadata.data_row_index, job.error_message,
                                    _items(eng, job.uid), _stored_rows(eng.workspace.db_path)))
                finally:
                    eng.close()
        return results

    by_writer, here = outcomes()
    assert by_writer == here
    status, progress, checkpoint = here[:3]
    assert status is JobStatus.INTERRUPTED and progress.error == 41 and checkpoint == 141


def test_a_writer_that_dies_with_raw_batches_in_flight_loses_and_doubles_nothing(tmp_path, monkeypatch):
    from importdesk.store import batch_writer

    real_submit = batch_writer.BatchWriter.submit
    calls = []

    def dying_submit(self, steps):
        calls.append(1)
        if len(calls) == 3:  # killed with two raw batches handed over, maybe committed, maybe not
            self._proc.kill()
            self._proc.wait()
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", dying_submit)
    path = write_products(tmp_path / "p.csv", 400, bad_every=150)
    raw, positional = _outcomes(tmp_path, monkeypatch, [path], ["raw", "positional"])
    assert raw == positional


def test_a_writer_whose_validator_differs_gets_no_raw_rows(tmp_path, monkeypatch):
    """The writer rebuilds the validator from the recipe; when what it rebuilt is not the
    runner's (here: another locale, as a schema edited meanwhile would), every batch is validated
    here, and the import is the same."""
    from importdesk.schemas import positional_recipe

    real_recipe = positional_recipe.recipe
    monkeypatch.setattr(positional_recipe, "recipe", lambda *args: {**real_recipe(*args), "locale": "de"})
    sent = _writes_raw(monkeypatch)
    path = write_products(tmp_path / "p.csv", 300)
    raw, positional = _outcomes(tmp_path, monkeypatch, [path], ["raw", "positional"])
    assert raw == positional
    assert sent and not any(sent)


def _saved_counts(monkeypatch) -> list[tuple[int, int, int, int]]:
    """(total, done, error, pending) of every job row saved from now on, in order."""
    from importdesk.store.jobs import JobStore

    saved = []
    real_save = JobStore.save

    def save(self, job, conn, **kwargs):
        saved.append((job.progress.total, job.progress.done, job.progress.error, job.progress.pending))
        return real_save(self, job, conn, **kwargs)

    monkeypatch.setattr(JobStore, "save", save)
    return saved


def _assert_the_total_came_with_the_first_commit(saved, total: int) -> None:
    first = saved.index(next(s for s in saved if s[0]))
    assert all(s[0] == total and s[0] == s[1] + s[2] + s[3] for s in saved[first:])
    assert all(s == (0, 0, 0, 0) for s in saved[:first])  # the claim only: nothing committed before the total


def test_a_new_job_is_counted_by_the_writer_and_every_commit_knows_the_total(tmp_path, monkeypatch):
    """The runner does not read the file before the import starts: the writer counts it while the
    first batches are validated, and the job's first commit already holds the exact total (so
    does every commit after it: total = done + error + pending)."""
    from importdesk.readers.csv_source import CsvSource

    def counted_here(self):
        raise AssertionError("the runner counted the file itself")

    saved = _saved_counts(monkeypatch)
    path = write_products(tmp_path / "p.csv", 700, bad_every=50)
    with monkeypatch.context() as m:
        m.setattr(CsvSource, "_count_records", counted_here)
        (by_writer,) = _outcomes(tmp_path, m, [path], ["held"])
    _assert_the_total_came_with_the_first_commit(saved, 700)
    (positional,) = _outcomes(tmp_path / "here", monkeypatch, [path], ["positional"])
    assert by_writer == positional


def test_a_count_the_writer_cannot_make_is_made_here(tmp_path, monkeypatch):
    from importdesk.readers.csv_source import CsvSource

    monkeypatch.setattr(CsvSource, "count_elsewhere",
                        lambda self: ("importdesk.readers.csv_count", "no_such_function", ()))
    path = write_products(tmp_path / "p.csv", 500, bad_every=40)
    by_writer, positional = _outcomes(tmp_path, monkeypatch, [path], ["held", "positional"])
    assert by_writer == positional
    assert by_writer[0][0][1].total == 500


# ---- dry runs on the batch writer (engine/dry_run_overlap.py) ------------------------------------

def _seen_key_requests(monkeypatch) -> list[str]:
    """Per request handed to the batch writer: "keys" (a dry run's seen keys, new ones), "ask"
    (which keys the job saw), "classified" (keys a classification gives), or "other"."""
    from importdesk.store import batch_writer

    real_submit = batch_writer.BatchWriter.submit
    kinds: list[str] = []

    def submit(self, steps):
        sql = " ".join(step[1] for step in steps if step[0] in ("many", "rows", "ask"))
        kinds.append("ask" if steps[-1][0] == "ask" else "keys" if any(s[0] in ("keys", "raw_keys") for s in steps)
                     else "classified" if "INTO temp.seen_keys" in sql else "other")
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", submit)
    return kinds


def _with_repeated_keys(path, pairs):
    """``path`` with the line of each (later, earlier) data row pair made the same key."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for later, earlier in pairs:
        sku = lines[earlier].split(",", 1)[0]
        lines[later] = sku + "," + lines[later].split(",", 1)[1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("bad_every", [0, 9])
def test_a_dry_run_on_the_batch_writer_reports_what_one_in_process_reports(tmp_path, monkeypatch, bad_every):
    """A validate job hands its batches to the writer (raw or validated here) and keeps its seen
    keys there: the same items, counters and summary as in process, and no record written."""
    kinds = _seen_key_requests(monkeypatch)
    path = write_products(tmp_path / "p.csv", 700, bad_every=bad_every)
    results = _outcomes(tmp_path, monkeypatch, [path], [*WRITER_MODES, "positional", "dict"], [JobType.VALIDATE])
    assert all(r == results[0] for r in results)
    (status, progress, summary, *_), = results[0][0]
    assert status is JobStatus.DONE and summary.create == progress.done == 700 - 700 // (bad_every or 701)
    assert results[0][1] == []  # no records table
    assert "keys" in kinds and "other" not in kinds


@pytest.mark.parametrize("bad_every", [0, 9])
def test_a_dry_runs_lines_are_parsed_by_the_writer_or_here_as_the_files_reader_would(tmp_path, monkeypatch, bad_every):
    """Once the writer's count has shown each line to be one record, a dry run hands its batches
    over as lines (readers/csv_lines.py). A blank line, a line of delimiters, a ragged row and a
    quoted cell with a delimiter in later batches: the writer takes only batches of full rows,
    the runner parses the others by its reader's rules. The same outcome as in process, and the
    rows numbered by their lines."""
    from importdesk.store import batch_writer

    real_submit, real_result = batch_writer.BatchWriter.submit, batch_writer.BatchWriter.result
    sent, replies = [], []

    def submit(self, steps):
        sent.append(any(isinstance(step[2], tuple) and step[2][0] == "csv_lines"
                        for step in steps if step[0] == "raw_keys"))
        return real_submit(self, steps)

    def result(self):
        replies.append(real_result(self))
        return replies[-1]

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", submit)
    monkeypatch.setattr(batch_writer.BatchWriter, "result", result)
    lines = write_products(tmp_path / "p.csv", 700, bad_every=bad_every).read_text(encoding="utf-8").splitlines()
    lines[300] = ""
    lines[380] = ",,,,,,,,,,"
    lines[450] = lines[450] + ",one too many"
    lines[520] = lines[520].replace("Product 519", '"Product 519, boxed"')
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = _outcomes(tmp_path, monkeypatch, [tmp_path / "p.csv"], [*WRITER_MODES, "positional"],
                        [JobType.VALIDATE])
    assert all(r == results[0] for r in results)
    (status, progress, *_, items), = results[0][0]
    assert status is JobStatus.DONE and progress.total == 698
    assert [row for row, _f, _v, code, *_ in items if code == "malformed_row"] == [451]
    bad_prices = {i for i in range(700) if bad_every and i % bad_every == bad_every - 1} - {299, 379, 449}
    assert progress.error == 1 + len(bad_prices)
    assert True in sent and "redo" in replies  # lines the writer took, and lines it gave back


def test_a_dry_run_on_the_batch_writer_finds_stored_and_repeated_keys(tmp_path, monkeypatch):
    """Keys in the store, a key twice in one batch, and keys repeated batches later: the writer
    says "conflict", and the runner classifies that batch and the ones after it, asking the
    writer which keys the job saw; the same updates, unchanged rows and warnings as in process."""
    kinds = _seen_key_requests(monkeypatch)
    seed = write_products(tmp_path / "a.csv", 100)
    path = write_products(tmp_path / "b.csv", 400, start=300, bad_every=11)
    # lines of the file (row = line + 1): 150 repeats 141 (one batch), 260 repeats 20, 390 repeats 200
    path = _with_repeated_keys(path, [(150, 141), (260, 20), (390, 200)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[330] = "SKU-0000050" + lines[330][len("SKU-0000350"):]  # a stored key, other values
    lines[331] = (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines()[61]  # a stored row as it is
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = _outcomes(tmp_path, monkeypatch, [seed, path], [*WRITER_MODES, "positional", "dict"],
                        [JobType.EXECUTE, JobType.VALIDATE])
    assert all(r == results[0] for r in results)
    dry_run = results[0][0][1]
    summary, items = dry_run[2], dry_run[8]
    assert (summary.update, summary.unchanged) == (4, 1)
    duplicates = [item for item in items if item[3] == "duplicate_key"]
    assert [row for row, *_ in duplicates] == [151, 261, 391]
    assert "ask" in kinds and "classified" in kinds


@pytest.mark.parametrize("first", ["repeated", "stored"])
def test_a_dry_run_whose_writer_held_its_keys_as_prints_finds_the_first_one_not_new(tmp_path, monkeypatch, first):
    """Every batch new until one brings a key of a batch long before, or one the store holds:
    the writer held the keys as prints, says "conflict" and makes them exact rows; the runner
    asks it from then on. The same outcome as in process."""
    from importdesk.store import batch_writer

    real_result = batch_writer.BatchWriter.result
    replies = []

    def result(self):
        replies.append(real_result(self))
        return replies[-1]

    monkeypatch.setattr(batch_writer.BatchWriter, "result", result)
    kinds = _seen_key_requests(monkeypatch)
    seed = write_products(tmp_path / "a.csv", 100)
    path = write_products(tmp_path / "b.csv", 500, start=300, bad_every=13)
    if first == "repeated":  # line 420 (batch 6 of 64 rows) repeats line 11 (batch 0), 481 repeats 430
        path = _with_repeated_keys(path, [(420, 11), (481, 430)])
    else:  # line 400 holds a stored key
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[400] = "SKU-0000050" + lines[400][len("SKU-0000699"):]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = _outcomes(tmp_path, monkeypatch, [seed, path], [*WRITER_MODES, "positional"],
                        [JobType.EXECUTE, JobType.VALIDATE])
    assert all(r == results[0] for r in results)
    summary, items = results[0][0][1][2], results[0][0][1][8]
    duplicates = [row for row, *_ in items if _[2] == "duplicate_key"]
    assert (duplicates, summary.update) == (([421, 482], 2) if first == "repeated" else ([], 1))
    assert "keys" in kinds and "ask" in kinds and "conflict" in replies


def test_a_dry_run_whose_writer_dies_finds_its_keys_again(tmp_path, monkeypatch):
    """The writer dies with batches handed over: the keys it held are found again by reading the
    rows before the committed checkpoint, so a key repeated after that is still a duplicate."""
    from importdesk.store import batch_writer

    real_submit = batch_writer.BatchWriter.submit
    calls = []

    def dying_submit(self, steps):
        calls.append(1)
        if len(calls) == 3:
            self._proc.kill()
            self._proc.wait()
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", dying_submit)
    path = _with_repeated_keys(write_products(tmp_path / "p.csv", 400, bad_every=9), [(380, 10), (300, 250)])
    writer, positional = _outcomes(tmp_path, monkeypatch, [path], ["writer", "positional"], [JobType.VALIDATE])
    assert writer == positional and len(calls) in (3, 4)  # (one more may go before the death is noticed)
    items = writer[0][0][8]
    assert [row for row, *_, in items if _[2] == "duplicate_key"] == [301, 381]


@pytest.mark.parametrize("job_type", [JobType.EXECUTE, JobType.VALIDATE])
def test_batches_found_all_stored_at_once_count_what_row_by_row_counts(tmp_path, monkeypatch, job_type):
    """A re-import's batch whose keys are all stored, by another job, is sorted into unchanged and
    updated rows at once: all unchanged, one row changed, every row changed. A batch with a new
    key, a key twice or a key seen before is classified row by row, as always: the same summary,
    warnings, seen keys and records either way."""
    from importdesk.engine.batch_commit import BatchCommitter

    looked = []
    real = BatchCommitter._all_stored

    def spy(self, *args, **kwargs):
        outcome = real(self, *args, **kwargs)
        looked.append(None if outcome is None else (outcome.unchanged, outcome.updated))
        return outcome

    seed = write_products(tmp_path / "a.csv", 400)
    lines = seed.read_text(encoding="utf-8").splitlines()
    lines[100] = lines[100].replace(",0.5,", ",0.75,")  # batch 2 (rows 65-128): one changed row
    for i in range(129, 193):  # batch 3: every row changed
        lines[i] = lines[i].replace(",0.5,", ",0.25,")
    lines[300] = lines[10]  # batch 5: row 11's key and values again (a duplicate, unchanged)
    lines[390] = lines[390].replace("SKU-0000389", "SKU-9000389")  # batch 7: a new key
    again = tmp_path / "b.csv"
    again.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths, types = [seed, again], [JobType.EXECUTE, job_type]
    monkeypatch.setattr(BatchCommitter, "_all_stored", spy)
    fast = _outcomes(tmp_path / "fast", monkeypatch, paths, ["writer", "positional"], types)
    monkeypatch.setattr(BatchCommitter, "_all_stored", lambda self, *a, **k: None)
    slow = _outcomes(tmp_path / "slow", monkeypatch, paths, ["writer", "positional"], types)
    assert fast == slow and fast[0] == fast[1]
    summary, items = fast[0][0][1][2], fast[0][0][1][8]
    assert (summary.create, summary.update, summary.unchanged) == (1, 65, 334)
    assert [row for row, *_ in items if _[2] == "duplicate_key"] == [301]
    assert {(64, 0), (63, 1), (0, 64), None} <= set(looked)

def test_a_dry_run_whose_writer_fails_a_batch_finds_its_keys_again(tmp_path, monkeypatch):
    """The writer rolls back the second batch (an error, not the store refusing): that batch and
    the one after it are committed here, the keys the writer held found again from the file."""
    from importdesk.store import batch_writer

    real_submit = batch_writer.BatchWriter.submit
    calls = []

    def failing_submit(self, steps):
        calls.append(1)
        if len(calls) == 2:
            steps = [*steps, ("one", "SELECT * FROM no_such_table", ())]
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", failing_submit)
    path = _with_repeated_keys(write_products(tmp_path / "p.csv", 300, bad_every=9), [(250, 5), (200, 100)])
    writer, positional = _outcomes(tmp_path, monkeypatch, [path], ["writer", "positional"], [JobType.VALIDATE])
    assert writer == positional and len(calls) == 3  # the batch after it was in flight; no writer then
    items = writer[0][0][8]
    assert [row for row, *_ in items if _[2] == "duplicate_key"] == [201, 251]


def _write_products_xlsx(path, rows: int, bad_every: int):
    """The products of write_products as a workbook (dates as date cells, prices as numbers)."""
    import datetime as dt

    import openpyxl

    from support import PRODUCTS_HEADER

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Products")
    ws.append(PRODUCTS_HEADER.split(","))
    for i in range(rows):
        price = -1 if bad_every and i % bad_every == bad_every - 1 else i % 500 + 1.5
        ws.append([f"SKU-{i:07d}", f"Product {i}", None, "tools", price, "EUR", 0.5, True, None,
                   dt.date(2025, 1, i % 9 + 1), None])
    wb.save(path)
    return path


def test_a_new_xlsx_job_is_counted_by_the_writer_without_reading_its_rows_first(tmp_path, monkeypatch):
    """As for CSV: the writer scans the sheet (readers/xlsx_count.py) while the first batches are
    validated; the first commit holds the exact total, and the outcome is the one of a job
    counted and committed here."""
    from importdesk.readers import xlsx_count
    from importdesk.readers.xlsx_source import XlsxSource

    def counted_here(self):
        raise AssertionError("the runner counted the sheet itself")

    saved = _saved_counts(monkeypatch)
    path = _write_products_xlsx(tmp_path / "p.xlsx", 700, bad_every=50)
    with monkeypatch.context() as m:
        m.setattr(XlsxSource, "_count_records", counted_here)
        m.setattr(XlsxSource, "_count_by_reading", counted_here)
        (by_writer,) = _outcomes(tmp_path, m, [path], ["held"])
    _assert_the_total_came_with_the_first_commit(saved, 700)
    with monkeypatch.context() as m:  # counted here, by reading the rows
        m.setattr(xlsx_count, "count_records", lambda *args: None)
        m.setattr("importdesk.readers.xlsx_source.count_records", lambda *args: None)
        (positional,) = _outcomes(tmp_path / "here", m, [path], ["positional"])
    assert by_writer[0] == positional[0] and by_writer[2] == positional[2]
    # the records, but for their timestamps (the fixed clock ticks once more per batch offered raw:
    # its date cells cannot travel, so it is committed here)
    assert [_without_times(r) for r in by_writer[1]] == [_without_times(r) for r in positional[1]]
    assert by_writer[0][0][1].error == 14


def _without_times(row):
    return tuple(v for v in row if not (isinstance(v, str) and v.startswith("2026-11-")))


def test_xlsx_rows_with_date_cells_are_validated_raw_by_the_writer(tmp_path, monkeypatch):
    """Date cells travel to the writer as tuples (schemas/raw_cells.py) and are dates again there:
    batches of a sheet with a date column are handed over raw, and the import is the one made
    here, row for row (the bad rows' batches come back and are worded here)."""
    from importdesk.schemas import raw_cells

    sent = _writes_raw(monkeypatch)
    path = _write_products_xlsx(tmp_path / "p.xlsx", 400, bad_every=150)
    raw, positional = _outcomes(tmp_path, monkeypatch, [path], ["raw", "positional"])
    assert raw == positional
    assert raw[0][0][1].error == 2 and raw[0][0][1].done == 398
    assert sent[:3] == [True, True, True]  # (64-row batches: the first bad row is in the third)
    from importdesk.store import batch_writer

    delivered = []
    tried = batch_writer.BatchWriter.submit

    def submit(self, steps):
        tried(self, steps)
        delivered.append(any(step[0] == "rows" for step in steps))

    with monkeypatch.context() as m:  # as it was: no batch with a date cell could go raw
        m.setattr(raw_cells, "packed", lambda rows: rows)
        m.setattr(batch_writer.BatchWriter, "submit", submit)
        (unpacked,) = _outcomes(tmp_path / "unpacked", m, [path], ["raw"])
    assert unpacked[0] == positional[0]
    assert delivered and not any(delivered)
