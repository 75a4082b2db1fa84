"""A re-import of the same bytes, read the same way, after a job that imported them in full and
whose records nobody wrote since: every valid row counted unchanged without being classified
(engine/unchanged_basis.py), with the same counters, items and records as a run that classifies
each row; and classified as usual as soon as that is no longer known."""

from __future__ import annotations

import sqlite3

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.engine.batch_overlap import WriterOverlap
from importdesk.models import JobStatus
from importdesk.store import batch_writer
from importdesk.workspace import Workspace

from support import PRODUCTS_HEADER, FixedClock, counting_uids, write_products

ROWS = 300  # batches of 64: 5


def _run(engine, path, **options):
    job = engine.create_job(path, ImportOptions(resource_type="products", **options))
    job = engine.run_job(job.uid)
    assert job.progress.total == job.progress.done + job.progress.error + job.progress.pending
    return job


def _outcome(engine, job):
    items = sorted((i.row_number or 0, i.field or "", i.code, i.message)
                   for i in engine.list_items(job.uid, limit=10_000))
    return (job.status, job.progress, job.summary, job.type_counts, job.processed_count, job.errors_count,
            job.warnings_count, job.metadata.data_row_index, items)


def _records(ws):
    with sqlite3.connect(ws.db_path) as conn:
        return conn.execute("SELECT * FROM records_products ORDER BY _key").fetchall()


@pytest.fixture
def sent(monkeypatch):
    """Each request the batch writer was sent, as the kinds of its steps."""
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 64)
    real_submit = batch_writer.BatchWriter.submit
    requests: list[list[str]] = []

    def recording_submit(self, steps):
        requests.append([step[0] for step in steps])
        return real_submit(self, steps)

    monkeypatch.setattr(batch_writer.BatchWriter, "submit", recording_submit)
    return requests


def _on_writer(monkeypatch, raw: bool) -> None:
    """Every job on the batch writer; ``raw``: each batch handed over raw when the writer has room
    (its validator waited for), else every batch validated here."""
    monkeypatch.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 0)
    monkeypatch.setattr("importdesk.engine.pipeline.HELD_BATCHES", 0)

    def wants_raw(self, name):
        return (raw and self.open and self._writer.helper_ready(wait=True) == self._raw_fingerprint
                and self.has_room_for_raw(name))

    monkeypatch.setattr(WriterOverlap, "wants_raw", wants_raw)


def _engine(tmp_path, name):
    ws = Workspace.open(tmp_path / name)
    return ws, Engine(ws, clock=FixedClock(), uid_factory=counting_uids())


def _in_process(tmp_path, monkeypatch, paths, locales=None):
    """The outcome of each import, every batch classified in this process (no batch writer)."""
    with monkeypatch.context() as m:
        m.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 10**9)
        ws, engine = _engine(tmp_path, "in-process")
        try:
            outcomes = [_outcome(engine, _run(engine, path, locale=locale))
                        for path, locale in zip(paths, locales or ["en"] * len(paths), strict=True)]
            return outcomes, _records(ws)
        finally:
            engine.close()


@pytest.mark.parametrize("raw", [False, True], ids=["validated-here", "raw"])
def test_a_reimport_of_the_same_bytes_counts_its_rows_unchanged_without_classifying_them(tmp_path, monkeypatch,
                                                                                       sent, raw):
    path = write_products(tmp_path / "p.csv", ROWS)
    expected, expected_records = _in_process(tmp_path, monkeypatch, [path, path])
    _on_writer(monkeypatch, raw)
    ws, engine = _engine(tmp_path, "writer")
    try:
        first = _run(engine, path)
        assert first.provider_data.recipe
        written = _records(ws)
        del sent[:]
        again = _run(engine, path)
        assert again.status is JobStatus.DONE and again.provider_data.recipe == first.provider_data.recipe
        assert [_outcome(engine, first), _outcome(engine, again)] == expected
        assert (again.summary.create, again.summary.update, again.summary.unchanged) == (0, 0, ROWS)
        assert _records(ws) == written == expected_records  # nothing written, times included
        # every batch of the second job: only the job's row saved, once nobody else wrote the type
        batches = [kinds for kinds in sent if "unless" in kinds]
        assert len(batches) == 5 and not any("stored" in kinds or "many" in kinds for kinds in sent)
        assert any("valid" in kinds for kinds in batches) == raw
    finally:
        engine.close()


def test_a_record_written_since_is_found_and_written_back(tmp_path, monkeypatch, sent):
    path = write_products(tmp_path / "p.csv", ROWS)
    renamed = tmp_path / "one.csv"
    renamed.write_text(f"{PRODUCTS_HEADER}\nSKU-0000005,Renamed,,tools,6.50,EUR,0.5,true,,2025-01-07,\n",
                       encoding="utf-8")
    expected, expected_records = _in_process(tmp_path, monkeypatch, [path, renamed, path])
    _on_writer(monkeypatch, raw=True)
    ws, engine = _engine(tmp_path, "writer")
    try:
        _run(engine, path)
        _run(engine, renamed)
        del sent[:]
        again = _run(engine, path)
        assert (again.summary.create, again.summary.update, again.summary.unchanged) == (0, 1, ROWS - 1)
        assert _outcome(engine, again) == expected[2]
        assert _records(ws) == expected_records
        assert not any("unless" in kinds for kinds in sent)  # its records are not all the first job's
    finally:
        engine.close()


def test_a_job_that_writes_the_type_meanwhile_ends_the_basis_and_the_rest_is_classified(tmp_path, monkeypatch,
                                                                                       sent):
    """Another job renames a row of a later batch while the re-import runs: the batch behind its
    write comes back, and from there on every row is classified, so that row is written back."""
    path = write_products(tmp_path / "p.csv", ROWS)
    renamed = tmp_path / "one.csv"
    renamed.write_text(f"{PRODUCTS_HEADER}\nSKU-0000290,Renamed,,tools,291.50,EUR,0.5,true,,2025-01-03,\n",
                       encoding="utf-8")
    _on_writer(monkeypatch, raw=False)
    ws, engine = _engine(tmp_path, "writer")
    other = Engine(Workspace.open(tmp_path / "writer"), clock=FixedClock(), uid_factory=counting_uids("01OTH"))
    real_hand_over = WriterOverlap.hand_over_unchanged
    handed = []

    def hand_over_unchanged(self, before, batch, now=None):
        handed.append(batch)
        if len(handed) == 2:  # between the first batch and the second, the other job writes
            assert _run(other, renamed).summary.update == 1
        return real_hand_over(self, before, batch, now)

    try:
        first = _run(engine, path)
        monkeypatch.setattr(WriterOverlap, "hand_over_unchanged", hand_over_unchanged)
        again = _run(engine, path)
        assert again.status is JobStatus.DONE
        assert (again.summary.create, again.summary.update, again.summary.unchanged) == (0, 1, ROWS - 1)
        assert again.progress.done == ROWS and again.metadata.data_row_index == ROWS
        records = {row[0]: row for row in _records(ws)}
        assert records["SKU-0000290"][2] == "Product 290"  # written back by the re-import
        assert records["SKU-0000290"][-5] == again.uid
        assert {row[-5] for key, row in records.items() if key != "SKU-0000290"} == {first.uid}
        # the second batch and the one handed over behind it came back: none was handed over after
        assert len(handed) == 3
    finally:
        other.close()
        engine.close()


def test_bytes_read_another_way_are_classified(tmp_path, monkeypatch, sent):
    """The same bytes imported with another locale validate to other values: no basis."""
    path = tmp_path / "p.csv"
    rows = [f"SKU-{i:07d},Product {i},,tools,\"{i},50\",EUR,\"0,5\",true,,2025-01-0{i % 9 + 1}," for i in range(ROWS)]
    path.write_text("\n".join([PRODUCTS_HEADER, *rows]) + "\n", encoding="utf-8")
    expected, expected_records = _in_process(tmp_path, monkeypatch, [path, path], ["de", "en"])
    _on_writer(monkeypatch, raw=True)
    ws, engine = _engine(tmp_path, "writer")
    try:
        first = _run(engine, path, locale="de")
        del sent[:]
        again = _run(engine, path, locale="en")
        assert again.provider_data.recipe != first.provider_data.recipe
        assert not any("unless" in kinds for kinds in sent)
        assert [_outcome(engine, first), _outcome(engine, again)] == expected
        assert again.summary.unchanged == 0 and _records(ws) == expected_records
    finally:
        engine.close()


def test_a_file_with_a_key_twice_is_classified(tmp_path, monkeypatch, sent):
    """The first import wrote one record for two rows: its records do not number its rows, so the
    re-import classifies, and words the key seen twice again."""
    path = write_products(tmp_path / "p.csv", ROWS)
    with path.open("a", encoding="utf-8") as out:
        out.write("SKU-0000007,Twice,,tools,8.50,EUR,0.5,true,,2025-01-08,\n")
    expected, expected_records = _in_process(tmp_path, monkeypatch, [path, path])
    _on_writer(monkeypatch, raw=True)
    ws, engine = _engine(tmp_path, "writer")
    try:
        first = _run(engine, path)
        del sent[:]
        again = _run(engine, path)
        assert [_outcome(engine, first), _outcome(engine, again)] == expected
        assert again.warnings_count == first.warnings_count == 1
        assert _records(ws) == expected_records
        assert not any("unless" in kinds for kinds in sent)
    finally:
        engine.close()
