"""A dry run's seen keys in the batch writer (store/batch_writer.py, "keys" steps), one request at a
time as the child runs them: prints in memory while every key is new, exact rows of the seen-keys
table once a batch is not, and nothing kept of a batch that did not commit."""

from __future__ import annotations

import os
import sqlite3

import pytest

from importdesk.store import batch_writer, seen_keys

SCOPE = ("job-1", "products", seen_keys.CREATE_SQLITE, seen_keys.REMEMBER_SQLITE, seen_keys.REMEMBER_NEW_SQLITE)


@pytest.fixture
def child(tmp_path):
    """run(steps) -> the reply, on one connection and one set of seen keys, as the child's loop."""
    conn = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    conn.execute("CREATE TABLE records_products (_key TEXT PRIMARY KEY)")
    conn.execute("INSERT INTO records_products VALUES ('stored')")
    seen = batch_writer._SeenKeys()

    def run(steps):
        return batch_writer._run(conn, steps, os.getppid(), None, seen)

    run.conn = conn
    yield run
    conn.close()


def keys(names, rows, stored_sql=None):
    return [("keys", SCOPE, list(names), list(rows), stored_sql, 100)]


def asked(run, names):
    ask = ("ask", seen_keys.ASK_SQLITE, seen_keys.ask_params("job-1", "products", names))
    reply = run([("exact_keys", SCOPE), ask])
    assert reply[0] == "rows"
    return dict(reply[1])


def test_new_keys_commit_without_a_row_per_key_and_a_repeated_one_is_a_conflict(child):
    assert child(keys(["a", "b"], [2, 3])) == "ok"
    assert child(keys(["c"], [4])) == "ok"
    assert child.conn.execute("SELECT count(*) FROM temp.seen_key_batches").fetchone() == (2,)
    assert child(keys(["d", "b"], [5, 6])) == "conflict"  # b: row 3
    # the batches' keys are now exact rows of the seen-keys table; the conflicting batch left none
    assert child.conn.execute("SELECT key, row_number FROM temp.seen_keys ORDER BY key").fetchall() == [
        ("a", 2), ("b", 3), ("c", 4)]
    assert child.conn.execute("SELECT count(*) FROM temp.seen_key_batches").fetchone() == (0,)
    assert child(keys(["e"], [7])) == "ok"  # exact now: a new key is a new row
    assert child(keys(["f", "e"], [8, 9])) == "conflict"
    assert asked(child, ["e", "f"]) == {"e": 7}


def test_a_key_the_store_holds_is_a_conflict(child):
    stored_sql = "SELECT 1 FROM records_products WHERE _key IN (SELECT value FROM json_each(?)) LIMIT 1"
    assert child(keys(["a"], [2], stored_sql)) == "ok"
    assert child(keys(["b", "stored"], [3, 4], stored_sql)) == "conflict"
    assert asked(child, ["a", "b", "stored"]) == {"a": 2}


def test_the_keys_of_a_batch_that_did_not_commit_are_not_seen(child):
    assert child(keys(["a"], [2])) == "ok"
    failed = child([*keys(["b"], [3]), ("one", "SELECT * FROM no_such_table", ())])
    assert failed[0] == "error"
    assert child(keys(["b", "c"], [3, 4])) == "ok"
    assert asked(child, ["a", "b", "c"]) == {"a": 2, "b": 3, "c": 4}


def test_asking_before_any_conflict_finds_the_keys_held_as_prints(child):
    assert child(keys(["a", "b"], [2, 3])) == "ok"
    assert asked(child, ["b", "z"]) == {"b": 3}


def test_two_keys_with_the_same_print_are_told_apart_exactly(child, monkeypatch):
    """A print met again may be another key's: the batch comes back ("conflict") and the runner
    asks the exact table, which does not hold the new key."""
    monkeypatch.setattr(batch_writer, "hash", lambda key: 7, raising=False)  # every key, one print
    assert child(keys(["a"], [2])) == "ok"
    assert child(keys(["b"], [3])) == "conflict"
    assert asked(child, ["a", "b"]) == {"a": 2}


def test_keys_past_the_prints_room_are_rows_and_still_found(child, monkeypatch):
    monkeypatch.setattr(batch_writer._Prints, "MOST", 10)  # 4096 slots: room for 3276 keys
    many = [f"k{i}" for i in range(7000)]
    assert child([("keys", SCOPE, many[:3000], list(range(3000)), None, 10**6)]) == "ok"
    assert child.conn.execute("SELECT count(*) FROM temp.seen_key_batches").fetchone() == (1,)
    assert child([("keys", SCOPE, many[3000:6000], list(range(3000, 6000)), None, 10**6)]) == "ok"
    assert child.conn.execute("SELECT count(*) FROM temp.seen_keys").fetchone() == (6000,)
    assert child([("keys", SCOPE, many[6000:], list(range(6000, 7000)), None, 10**6)]) == "ok"
    assert child([("keys", SCOPE, ["new", "k10"], [7000, 7001], None, 10**6)]) == "conflict"
    assert asked(child, ["k10", "k6999", "new"]) == {"k10": 10, "k6999": 6999}
