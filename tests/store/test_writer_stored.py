"""A re-import's batch classified by the batch writer (store/batch_writer.py, "stored" steps), one
request as the child runs it: the rows whose values differ are updated, the job's counters saved
as all unchanged are corrected in the same transaction, and a batch it cannot sort alone (a key
not stored, or one this job wrote) commits nothing and goes back to the runner."""

from __future__ import annotations

import os
import sqlite3
from collections import deque

import pytest

from importdesk.store import batch_writer
from importdesk.store.jobs import JobStore

SELECT = ("SELECT _key, _job_uid, rowid, name, price FROM records_t"
          " WHERE _key IN (SELECT value FROM json_each(?))")
UPDATE = "UPDATE records_t SET name = ?, price = ?, _job_uid = ?, _row = ?, _updated_at = ? WHERE rowid = ?"
# the job as the runner saves it before the step: every row of the batch counted unchanged
SAVE = ("one", "UPDATE jobs SET summary_update = 0, summary_unchanged = 2, processed_count = 0 WHERE uid = ?",
        ("job-2",))


@pytest.fixture
def child(tmp_path):
    """run(steps) -> the reply, on one connection, as the child's loop runs a request."""
    conn = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    conn.execute("CREATE TABLE records_t (_key TEXT NOT NULL PRIMARY KEY, name TEXT, price REAL,"
                 " _job_uid TEXT, _row INTEGER, _created_at TEXT, _updated_at TEXT)")
    conn.executemany("INSERT INTO records_t VALUES (?, ?, ?, 'job-1', ?, 'then', 'then')",
                     [("A", "Apple", 0.1 + 0.2, 2), ("B", "Pear", 1.0, 3), ("C", "Plum", 2.5, 4)])
    conn.execute("CREATE TABLE jobs (uid TEXT PRIMARY KEY, summary_update INTEGER, summary_unchanged INTEGER,"
                 " processed_count INTEGER)")
    conn.execute("INSERT INTO jobs VALUES ('job-2', 0, 0, 0)")

    tallies = deque()  # (the child's: what each request it committed corrected)

    def run(keys, values, rows=None, save=SAVE, ahead=0):
        step = ("stored", SELECT, "job-2", keys, values, rows or list(range(10, 10 + len(keys))), UPDATE, "now")
        tally = ("tally", JobStore.TALLY_BAD_ROWS_SQL, None, JobStore.TALLY_UPDATES_SQL, "job-2", ahead)
        return batch_writer._run(conn, [save, step, tally], os.getppid(), tallies=tallies)

    run.conn = conn
    yield run
    conn.close()


def _records(conn) -> list[tuple]:
    return conn.execute("SELECT * FROM records_t ORDER BY _key").fetchall()


def _counters(conn) -> tuple:
    return conn.execute("SELECT summary_update, summary_unchanged, processed_count FROM jobs").fetchone()


def test_only_the_rows_that_differ_are_written_and_the_counters_say_so(child):
    reply = child(["B", "A"], [("Pear", 1.0), ("Apple", 0.3)])  # 0.3 is not 0.1 + 0.2: an update
    assert reply == ("stored", bytes([1, 0]))
    assert _records(child.conn) == [("A", "Apple", 0.3, "job-2", 11, "then", "now"),
                                    ("B", "Pear", 1.0, "job-1", 3, "then", "then"),
                                    ("C", "Plum", 2.5, "job-1", 4, "then", "then")]
    assert _counters(child.conn) == (1, 1, 1)


def test_a_batch_all_unchanged_writes_no_record(child):
    assert child(["C", "B"], [("Plum", 2.5), ("Pear", 1)]) == ("stored", bytes([1, 1]))  # 1 == 1.0, as stored
    assert [r[3] for r in _records(child.conn)] == ["job-1"] * 3
    assert _counters(child.conn) == (0, 2, 0)


@pytest.mark.parametrize("keys", [["A", "Z"], ["A", "B"]], ids=["a key not stored", "a key this job wrote"])
def test_a_batch_the_writer_cannot_sort_alone_commits_nothing(child, keys):
    if keys == ["A", "B"]:
        child.conn.execute("UPDATE records_t SET _job_uid = 'job-2' WHERE _key = 'B'")
    before = _records(child.conn)
    assert child(keys, [("Renamed", 9.0), ("Renamed", 9.0)]) == "changed"
    assert _records(child.conn) == before
    assert _counters(child.conn) == (0, 0, 0)  # the job's save before the step went too


def test_a_batch_sent_behind_another_counts_the_updates_that_one_made(child):
    """The runner saved the second batch's job counting the first as all unchanged (its reply had
    not come): the second's transaction adds the first's updates ("tally", one request ahead)."""
    assert child(["A", "B"], [("Apple", 0.3), ("Pear", 1.0)]) == ("stored", bytes([0, 1]))
    assert _counters(child.conn) == (1, 1, 1)
    # both counted unchanged, as planned before the first's reply
    save = ("one", "UPDATE jobs SET summary_update = 0, summary_unchanged = 3, processed_count = 0 WHERE uid = ?",
            ("job-2",))
    assert child(["C"], [("Plum", 2.5)], rows=[12], save=save, ahead=1) == ("stored", bytes([1]))
    assert _counters(child.conn) == (1, 2, 1)
