"""A running job's seen keys on the runner's SQLite connection (store/seen_keys.py): a table per
job and type, keys and row numbers that come and go with the batch's transaction, and nothing
left of a job once it is forgotten — another job's keys untouched."""

from __future__ import annotations

import sqlite3

import pytest

from importdesk.store import seen_keys


@pytest.fixture
def conn():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE job_keys (job_uid TEXT)")  # (what an earlier version kept)
    yield conn
    conn.close()


def _tables(conn) -> list[str]:
    return sorted(name for (name,) in conn.execute("SELECT name FROM temp.sqlite_master WHERE type = 'table'"))


def test_each_job_and_type_sees_its_own_keys_and_a_later_row_wins(conn):
    seen_keys.prepare(conn, "job-1")
    seen_keys.remember(conn, [("job-1", "products", "A", 2), ("job-1", "products", "B", 3),
                              ("job-1", "prices", "A", 4), ("job-2", "products", "A", 9)])
    seen_keys.remember(conn, [("job-1", "products", "A", 7)])
    assert seen_keys.seen(conn, "job-1", "products", ["A", "B", "C"]) == {"A": 7, "B": 3}
    assert seen_keys.seen(conn, "job-1", "prices", ["A", "B"]) == {"A": 4}
    assert seen_keys.seen(conn, "job-2", "products", ["A"]) == {"A": 9}
    assert seen_keys.seen(conn, "job-3", "products", ["A"]) == {}
    assert seen_keys.seen(conn, 'job-"4', "odd'type", ["A"]) == {}  # (names are quoted)


def test_keys_of_a_batch_rolled_back_are_not_seen(conn):
    seen_keys.remember(conn, [("job-1", "products", "A", 2)])
    conn.execute("BEGIN IMMEDIATE")
    seen_keys.remember(conn, [("job-1", "products", "B", 3), ("job-1", "prices", "C", 4)])
    conn.execute("ROLLBACK")
    assert seen_keys.seen(conn, "job-1", "products", ["A", "B"]) == {"A": 2}
    assert seen_keys.seen(conn, "job-1", "prices", ["C"]) == {}


def test_a_job_forgotten_or_prepared_again_leaves_no_keys_and_others_keep_theirs(conn):
    seen_keys.remember(conn, [("job-1", "products", "A", 2), ("job-1", "prices", "A", 4),
                              ("job-10", "products", "A", 5), ("job-2", "products", "A", 9)])
    seen_keys.forget(conn, "job-1", final=True)
    assert _tables(conn) == ["seen_keys:job-10:products", "seen_keys:job-2:products"]  # (not a prefix match)
    assert seen_keys.seen(conn, "job-1", "products", ["A"]) == {}
    assert seen_keys.seen(conn, "job-10", "products", ["A"]) == {"A": 5}
    seen_keys.prepare(conn, "job-2")  # a run starts with no keys
    assert seen_keys.seen(conn, "job-2", "products", ["A"]) == {}
    assert _tables(conn) == ["seen_keys:job-10:products"]


def test_keys_of_one_job_and_type_remembered_outside_a_transaction_are_kept_whole_or_not_at_all(conn):
    """After the batch writer committed a batch, its unchanged rows' keys are remembered here on
    their own: in one transaction, which a failing key leaves with none of them."""
    seen_keys.remember_keys(conn, "job-1", "products", [("A", 2), ("B", 3)])
    seen_keys.remember_keys(conn, "job-1", "products", iter([("A", 7)]))
    assert not conn.in_transaction
    assert seen_keys.seen(conn, "job-1", "products", ["A", "B"]) == {"A": 7, "B": 3}
    with pytest.raises(sqlite3.IntegrityError):
        seen_keys.remember_keys(conn, "job-1", "products", [("C", 4), ("D", None)])  # (row_number NOT NULL)
    assert not conn.in_transaction
    assert seen_keys.seen(conn, "job-1", "products", ["C", "D"]) == {}
