"""A child process that commits the write transactions handed to it.

An import of new rows spends ~40% of its time in SQLite (binding, b-trees, commit). With this
writer the runner hands batch k over and validates batch k+1 while batch k is written, on the
second core. Rows travel with ``marshal`` (~0.35 µs/row to dump). Threads cannot do this:
``executemany`` takes the GIL back after every row, waiting up to a switch interval each time.

Protocol (``marshal`` over the child's stdin/stdout). First message: (database path, pragma
statements). Then each request is a list of steps run in one ``BEGIN IMMEDIATE … COMMIT``:

    ("check", sql, params)        the query must return a row, else nothing is committed: "stale"
    ("one", sql, params)          one statement
    ("many", sql, rows, expect)   executemany; with ``expect`` (not None) it must change exactly
                                  that many rows, else nothing is committed: "conflict"

    ("rows", sql, rows, expect)   raw rows (cells + row number), validated here by the helper
                                  (below) and bound to ``sql`` like "many"; a row that is not
                                  valid, or a key twice, commits nothing: "redo" (the runner
                                  validates that batch itself and words its errors)
    ("worded", sql, rows, items_sql)
                                  raw rows validated here, the bad ones' errors worded by the
                                  helper (engine/writer_wording.py): the valid rows bound to
                                  ``sql`` (each must insert, else "conflict"), the items to
                                  ``items_sql``; a key twice: "redo". Replies ("worded", bad
                                  rows, error items)
    ("valid", rows)               raw rows validated here and not written (one not valid: "redo")
    ("unless", sql, params)       the query must return no row, else nothing is committed: "changed"
    ("tally", bad_rows_sql, path, updates_sql, uid, ahead)
                                  (after the job's save) summed over this request's "worded" or
                                  "stored" step and those of the ``ahead`` requests committed
                                  before it: ``bad_rows_sql`` run with (bad rows, error items,
                                  path, uid), ``updates_sql`` with (rows updated, uid), each if
                                  any

A re-import's batch (engine/batch_overlap.py: every key stored, none by this job, none twice):

    ("stored", select_sql, uid, keys, values, rows, update_sql, stamp)
                                  the stored records of ``keys`` are read (``select_sql``: key,
                                  last writing job, rowid, values; its one parameter the keys as
                                  a JSON array) and each whose ``values`` differ is updated
                                  (``update_sql``: the values, job ``uid``, source row from
                                  ``rows``, ``stamp``, the rowid). The job row,
                                  saved before this step counting every row unchanged, is then
                                  corrected by a "tally" step. A key not stored, or
                                  stored by ``uid``: nothing is committed, "changed". Replies
                                  ("stored", a byte per row: 1 unchanged, 0 updated)

A dry run's seen keys (engine/dry_run_overlap.py; ``scope``: (job uid, resource type, and the SQL
that makes the job's seen-keys TEMP table, remembers a key there, and inserts a key there if new)):

    ("keys", scope, keys, rows, stored_sql, expected)
                                  keys all new — to the job's batches before (not seen in this
                                  writer) and to the store (``stored_sql``, if not None, finds
                                  none of them) — are remembered with the batch; else nothing
                                  is committed: "conflict". ``expected``: about how many keys
                                  the job will bring (the memory they are given)
    ("raw_keys", scope, rows, stored_sql, expected)
                                  raw rows validated here by the helper (as "rows"), their keys
                                  and row numbers then as "keys"
    ("exact_keys", scope)         before anything else: the scope's keys, every one a row of
                                  its seen-keys table from now on (to "ask" it, or to remember
                                  keys there with "many")

and the reply is "ok" (("stored", …) after a "stored" step, ("worded", …) after a "worded" one),
"conflict", "redo", "changed", "stale" or ("error", message). A batch is all or nothing.
A request that ends with ("ask", sql, params) is a query of the writer's own connection (its
TEMP tables: a dry run's seen keys), after the "exact_keys" and "one" steps before it, answered
("rows", rows), outside any transaction.

The helper: the first message may name a module and a recipe, (path, pragmas, (module, recipe)).
The writer then imports ``module`` and calls its ``load(recipe)`` -> (fingerprint, prepare), and
its first reply is ("ready", fingerprint), or ("unready", why): the runner sends raw rows only to
a writer whose validator is the same as its own. (The import is the runner's engine code, named
by the runner: this file itself stays standard library only.)

The count: the first message may also name a function and its arguments, (…, helper, (module,
function, args[, sha256])). The writer calls it once its helper is loaded and replies ("count", result)
(("count", None) when it failed): the runner reads and validates the first batches meanwhile
instead of counting the file's rows before it starts. A writer started ahead of its job may
get a message before the first, ("ahead", module, function, args): a count of the file where
the user keeps it (readers/count_ahead.py), made while the runner copies it into the workspace.
It answers the count asked for later, instead of a second read of the file, when it is that
call with the path aside and of bytes whose sha256 is the one named (the kept copy's).
Requests queue up (the runner keeps two in flight, so a slow commit — a WAL checkpoint — does
not stall it). After a request that is not "ok", the writer answers "skipped" to every request
until the message "resume": the runner then commits those batches itself, in order.

The child must not commit for a runner that is gone (its job may have been recovered and
resumed since): it dies with its parent on Linux (PR_SET_PDEATHSIG), checks that its parent is
still alive before each commit, and the runner's first step checks that the job is still its own.

This file runs as a script (``python -I batch_writer.py PARENT_PID [MODULE …]``): standard library
only; the modules named after the parent's pid are imported before the first message, by a writer
started ahead of its job (engine/writer_prestart.py).
"""

from __future__ import annotations

import contextlib
import importlib
import marshal
import os
import select
import signal
import sqlite3
import sys
from array import array
from collections import deque
from itertools import repeat
from operator import eq, itemgetter

TYPE_CHECKING = False  # (not typing's: the child imports neither typing nor these, a third of its start)
if TYPE_CHECKING:
    import subprocess
    from typing import Any

__all__ = ["BatchWriter", "CannotSend", "StatementRecorder"]


class CannotSend(ValueError):
    """A request holds a value ``marshal`` cannot carry: nothing was handed over."""


class StatementRecorder:
    """Stands in for a connection where store code writes: records the steps of one request."""

    def __init__(self) -> None:
        self.steps: list[tuple[Any, ...]] = []

    def check(self, sql: str, params: tuple[Any, ...]) -> None:
        self.steps.append(("check", sql, tuple(params)))

    def execute(self, sql: str, params: Any = ()) -> None:
        self.steps.append(("one", sql, tuple(params)))

    def executemany(self, sql: str, rows: Any, expect: int | None = None) -> None:
        rows = rows if isinstance(rows, list) else list(rows)
        if rows:
            self.steps.append(("many", sql, rows, expect))

    def validate_and_insert(self, sql: str, raw_rows: list[Any] | tuple[Any, ...], rows: int) -> None:
        """Raw rows the writer's helper validates, each of the ``rows`` inserted (all or the batch
        is "redo"); ``raw_rows``: as the helper takes them (a tuple: lines it parses, raw_cells.py)."""
        self.steps.append(("rows", sql, raw_rows, rows))

    def validate_only(self, raw_rows: list[Any]) -> None:
        """Raw rows the writer's helper validates and writes nothing of (one not valid: "redo")."""
        self.steps.append(("valid", raw_rows))

    def unless(self, sql: str, params: tuple[Any, ...]) -> None:
        """Commit nothing ("changed") when ``sql`` finds a row."""
        self.steps.append(("unless", sql, tuple(params)))

    def validate_and_word(self, sql: str, raw_rows: list[Any], items_sql: str) -> None:
        """Raw rows the writer's helper validates, the valid ones inserted (each, or "conflict") and
        the bad ones' errors worded and inserted by ``items_sql`` (a key twice: "redo")."""
        self.steps.append(("worded", sql, raw_rows, items_sql))

    def tally(self, bad_rows_sql: str, path: str | None, updates_sql: str, uid: str, ahead: int) -> None:
        """After the job's save: its counters corrected by what this request's "worded" or "stored"
        step found (bad rows and their error items, by ``bad_rows_sql`` with the type's count at
        ``path``; rows updated, by ``updates_sql``) and the ``ahead`` requests before it found
        (they were in flight when it was made, counted on all created or all unchanged)."""
        self.steps.append(("tally", bad_rows_sql, path, updates_sql, uid, ahead))

    def remember_new_keys(self, scope: tuple[str, ...], keys: list[str], rows: list[int],
                          stored_sql: str | None, expected: int) -> None:
        """A dry run's keys, remembered if all are new (else "conflict")."""
        self.steps.append(("keys", scope, keys, rows, stored_sql, expected))

    def validate_and_remember(self, scope: tuple[str, ...], raw_rows: list[Any],
                              stored_sql: str | None, expected: int) -> None:
        """Raw rows the writer's helper validates (else "redo"), their keys as remember_new_keys."""
        self.steps.append(("raw_keys", scope, raw_rows, stored_sql, expected))

    def write_changed(self, select_sql: str, uid: str, keys: list[str], values: list[tuple[Any, ...]],
                      rows: list[int], update_sql: str, stamp: str) -> None:
        """A re-import's batch: the rows whose values differ from the stored ones updated (else
        "changed"); after the job's save, which counted them unchanged (a "tally" step corrects it)."""
        self.steps.append(("stored", select_sql, uid, keys, values, rows, update_sql, stamp))

    def exact_keys(self, scope: tuple[str, ...]) -> None:
        """The scope's keys, rows of its seen-keys table from now on."""
        self.steps.append(("exact_keys", scope))


class BatchWriter:
    """The runner's side: requests in flight, answered in order."""

    #: the child's script (the fault-injection tests run it under a wrapper of their own)
    script = os.path.abspath(__file__)

    def __init__(self, db_path: str, pragmas: list[str], helper: tuple[str, Any] | None = None,
                 count: tuple[Any, ...] | None = None,
                 started: subprocess.Popen | None = None) -> None:
        """``count``: (module, function, args[, the sha256 of the file it counts]); ``started``: a
        child started ahead with spawn() (its imports done meanwhile), else one now."""
        self._proc = started or self.spawn(self.script)
        self.in_flight = 0
        self._replies = _Replies(self._proc.stdout)
        # the replies that come before any batch's, in this order, and those that came
        self._expect = deque(name for name, asked in (("helper", helper), ("count", count)) if asked is not None)
        self._early: dict[str, Any] = {}
        self.helper: str | None = None  # the helper's fingerprint once it is ready
        assert self._proc.stdin is not None
        self._stdin = open(self._proc.stdin.fileno(), "wb", buffering=1 << 16, closefd=False)  # noqa: SIM115
        _grow_pipe(self._stdin)
        self._send((str(db_path), list(pragmas), helper, count))

    @staticmethod
    def spawn(script: str, preload: tuple[str, ...] = ()) -> subprocess.Popen:
        """The child process, waiting for its first message; it imports ``preload`` meanwhile."""
        import subprocess

        return subprocess.Popen(
            [sys.executable, "-I", script, str(os.getpid()), *preload],
            # its failures come back as replies (or as its end); nothing of it may reach a terminal
            # the app is drawing on
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)

    def _send(self, message: Any) -> None:
        with contextlib.suppress(OSError):  # gone: its next result() says so
            _write(self._stdin, message)

    def _read_early(self, name: str, wait: bool) -> bool:
        """Read the early replies up to ``name``'s (waiting for them with ``wait``); True once
        it has come (None for each that a writer gone away never sent)."""
        while name not in self._early and self._expect:
            if not (wait or self._replies.available()):
                return False
            try:
                reply = self._replies.read()
            except (EOFError, ValueError, OSError):
                while self._expect:
                    self._early[self._expect.popleft()] = None
                break
            self._early[self._expect.popleft()] = reply
        return name in self._early

    def helper_ready(self, wait: bool = False) -> str | None:
        """The helper's fingerprint once its reply has come (None: no helper, not ready, or it
        could not load); ``wait``: wait for that reply."""
        if self.helper is None and self._read_early("helper", wait):
            reply = self._early["helper"]
            if isinstance(reply, tuple) and reply[0] == "ready":
                self.helper = reply[1]
        return self.helper

    def counted(self, wait: bool = False) -> tuple[bool, Any]:
        """(True, the count's result — None when it failed) once its reply has come, else
        (False, None); ``wait``: wait for it."""
        if not self._read_early("count", wait):
            return False, None
        reply = self._early["count"]
        return True, reply[1] if isinstance(reply, tuple) and reply[0] == "count" else None

    def replies_waiting(self) -> int:
        """How many of the requests in flight are answered already (without waiting): 0 or more,
        counted up to the first one still being worked on."""
        if self._expect and not self._read_early(self._expect[-1], wait=False):
            return 0
        return self._replies.waiting(self.in_flight)

    def submit(self, steps: list[tuple[Any, ...]]) -> None:
        """Hand a request over. If the writer is gone, its result() is an error. CannotSend (and
        nothing in flight) when a value in it cannot be sent."""
        try:
            data = marshal.dumps(steps)
        except ValueError as exc:
            raise CannotSend(str(exc)) from None
        self.in_flight += 1
        with contextlib.suppress(OSError):  # gone: its result() says so
            _write_bytes(self._stdin, data)

    def ask(self, sql: str, params: tuple[Any, ...], before: tuple[tuple[Any, ...], ...] = ()) -> list[Any]:
        """The rows of a query on the writer's connection (after the steps ``before``: "one" or
        "exact_keys"), once every request before it is answered (call it with nothing in flight).
        RuntimeError: the writer did not answer."""
        self.submit([*before, ("ask", sql, params)])
        reply = self.result()
        if not (isinstance(reply, tuple) and reply[0] == "rows"):
            raise RuntimeError(f"the batch writer did not answer a query: {reply!r}")
        return reply[1]

    def resume(self) -> None:
        """After a reply other than "ok": run requests again (the ones before were skipped)."""
        self._send("resume")

    def result(self) -> Any:
        """The reply to the oldest request in flight (waits for it)."""
        if not self.in_flight:
            raise RuntimeError("no request in flight")
        self.in_flight -= 1
        if self._expect:  # the early replies come first
            self._read_early(self._expect[-1], wait=True)
        try:
            return self._replies.read()
        except (EOFError, ValueError, OSError):
            return ("error", f"the batch writer stopped (exit code {self._proc.poll()})")

    def close(self) -> None:
        try:
            with contextlib.suppress(OSError):
                self._stdin.close()
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            self._proc.wait(timeout=30)
        except Exception:  # stopping is best effort; never leave it running
            self._proc.kill()
            self._proc.wait()
        finally:
            if self._proc.stdout is not None:
                self._proc.stdout.close()


def _grow_pipe(stream: Any) -> None:
    """A pipe that holds a whole batch (~0.8 MB): handing it over does not wait for the child
    to be scheduled and read it (Linux; elsewhere the default size just means shorter writes)."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


class _Replies:
    """The writer's replies, read from the pipe's file descriptor into a buffer of our own, so
    that whether one has come can be asked without waiting (select sees the pipe, not a buffer)."""

    def __init__(self, stream: Any) -> None:
        self._fd = stream.fileno()
        self._buf = bytearray()

    def _complete(self, n: int) -> bool:
        """Are the first ``n`` messages in the buffer?"""
        at = 0
        for _ in range(n):
            if len(self._buf) < at + 8:
                return False
            at += 8 + int.from_bytes(self._buf[at:at + 8], "little")
            if len(self._buf) < at:
                return False
        return True

    def _take_ready(self) -> None:
        while select.select([self._fd], [], [], 0)[0]:
            data = os.read(self._fd, 1 << 16)
            if not data:
                return
            self._buf += data

    def available(self) -> bool:
        return self.waiting(1) == 1

    def waiting(self, limit: int) -> int:
        self._take_ready()
        n = 0
        while n < limit and self._complete(n + 1):
            n += 1
        return n

    def read(self) -> Any:
        while not self._complete(1):
            data = os.read(self._fd, 1 << 16)
            if not data:
                raise EOFError
            self._buf += data
        size = int.from_bytes(self._buf[:8], "little")
        message = marshal.loads(self._buf[8:8 + size])
        del self._buf[:8 + size]
        return message


# Messages are length-prefixed: marshal.load() on a file would call read() once per object.
def _write(stream: Any, message: Any) -> None:
    _write_bytes(stream, marshal.dumps(message))


def _write_bytes(stream: Any, data: bytes) -> None:
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)
    stream.flush()


def _read(stream: Any) -> Any:
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return marshal.loads(data)


# ---- the child ---------------------------------------------------------------------------------

class _Abort(Exception):
    pass


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
        except Exception:  # the parent check before each commit still holds
            pass


def _load_helper(helper: tuple[str, Any] | None) -> tuple[Any, Any]:
    """(first reply, prepare function or None) for the helper named in the first message."""
    if helper is None:
        return None, None
    try:
        fingerprint, prepare = importlib.import_module(helper[0]).load(helper[1])
    except Exception as exc:  # the runner validates every batch itself
        return ("unready", f"{type(exc).__name__}: {exc}"), None
    return ("ready", fingerprint), prepare


# ---- a dry run's seen keys, in the child -------------------------------------------------------

_KEY_BATCHES = ("CREATE TABLE IF NOT EXISTS temp.seen_key_batches"
                " (job_uid TEXT NOT NULL, resource_type TEXT NOT NULL, keys BLOB NOT NULL)")


class _Prints:
    """32 bits of each key's hash in an open-addressing table (linear probing; the hash's other
    bits choose the slot), sized once for the keys expected: 4 bytes a slot, at most 4/5 full
    (5 bytes a key), and never more than MOST keys (25 MB): memory stays flat whatever the
    file's size."""

    MOST = 5_000_000

    def __init__(self, expected: int) -> None:
        self._size = max(4096, min(expected, self.MOST) * 5 // 4 + 1)
        self._slots = array("I", bytes(4 * self._size))  # 0: empty
        self._room = self._size * 4 // 5
        self._count = 0

    def has_room(self, keys: int) -> bool:
        return self._count + keys <= self._room

    def place(self, keys: list[str]) -> list[int] | None:
        """Every key's print placed (their slots; has_room said yes); None, nothing placed, when
        a print is there already: the key seen before, or another key with the same print."""
        slots, size = self._slots, self._size
        placed: list[int] = []
        put = placed.append
        for h in map(hash, keys):
            tag = (h >> 32 & 0xFFFFFFFF) or 1
            i = (h & 0xFFFFFFFF) % size
            while s := slots[i]:
                if s == tag:
                    for j in placed:
                        slots[j] = 0
                    return None
                i += 1
                if i == size:
                    i = 0
            slots[i] = tag
            put(i)
        self._count += len(placed)
        return placed

    def take_back(self, placed: list[int]) -> None:
        """Empty the slots the last place() filled (no print placed after them relies on them)."""
        for i in placed:
            self._slots[i] = 0
        self._count -= len(placed)


class _SeenKeys:
    """A dry run's seen keys ("keys" steps), per (job, type). While every key its batches bring is
    new, a key is a print in memory (_Prints) and, with its batch's transaction, part of one
    TEMP table row per batch (the batch's keys and row numbers, marshalled): no b-tree entry per
    key. A print met again (a key seen before, or another key with the same print: about once in
    2**32 comparisons) or a key the store holds makes that batch a "conflict", and the scope's
    keys exact: rows of its seen-keys table (the batches' rows unpacked into it), which "ask"
    reads and "many" adds to. Keys past the prints' room are made exact too, before the batch
    that brings them: from then on a batch of new keys inserts them there, as rows."""

    def __init__(self) -> None:
        self._prints: dict[tuple[str, str], _Prints | None] = {}  # None: exact
        self._placed: list[tuple[_Prints, list[int]]] = []  # by the transaction under way
        self.conflicted: tuple[str, ...] | None = None  # the scope of a batch not all new

    def make_room(self, conn: sqlite3.Connection, scope: tuple[str, ...], keys: int, expected: int) -> None:
        """Before a "keys" step's transaction: prints for its scope, or its keys made exact when
        the prints have no room for the step's."""
        uid, rt = scope[0], scope[1]
        if (uid, rt) not in self._prints:
            self._prints[uid, rt] = _Prints(max(expected, keys))
        prints = self._prints[uid, rt]
        if prints is not None and not prints.has_room(keys):
            self.make_exact(conn, scope)

    def remember_new(self, conn: sqlite3.Connection, scope: tuple[str, ...], keys: list[str],
                     rows: list[int], stored_sql: str | None, expected: int) -> bool:
        """In the batch's transaction (after make_room): True when every key is new, and now
        remembered."""
        uid, rt = scope[0], scope[1]
        prints = self._prints[uid, rt]
        if stored_sql is not None and conn.execute(stored_sql, (_json_array(keys),)).fetchone() is not None:
            placed = None
        elif prints is None:  # exact: each key must be a new row
            changed = conn.executemany(scope[4], zip(repeat(uid), repeat(rt), keys, rows)).rowcount
            if changed == len(keys):
                return True
            placed = None
        else:
            placed = prints.place(keys)
        if placed is None:
            self.conflicted = scope
            return False
        self._placed.append((prints, placed))
        conn.execute(_KEY_BATCHES)
        conn.execute("INSERT INTO temp.seen_key_batches VALUES (?, ?, ?)", (uid, rt, marshal.dumps((keys, rows))))
        return True

    def ended(self, committed: bool) -> None:
        """The transaction's end: the prints it placed stay, or go with its rows."""
        if not committed:
            for prints, placed in self._placed:
                prints.take_back(placed)
        self._placed.clear()

    def make_exact(self, conn: sqlite3.Connection, scope: tuple[str, ...]) -> None:
        """The scope's keys into its seen-keys table, in a transaction of their own (the set of
        keys stays what it was)."""
        uid, rt, create_sql, remember_sql = scope[:4]
        if (uid, rt) in self._prints and self._prints[uid, rt] is None:
            return
        conn.execute("BEGIN")
        try:
            conn.execute(create_sql)
            conn.execute(_KEY_BATCHES)
            where = " WHERE job_uid = ? AND resource_type = ?"
            for (blob,) in conn.execute(f"SELECT keys FROM temp.seen_key_batches{where} ORDER BY rowid", (uid, rt)):
                keys, rows = marshal.loads(blob)
                conn.executemany(remember_sql, zip(repeat(uid), repeat(rt), keys, rows))
            conn.execute(f"DELETE FROM temp.seen_key_batches{where}", (uid, rt))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        self._prints[uid, rt] = None


# ---- the child: one request ------------------------------------------------------------------------

def _json_array(keys: list[str]) -> str:
    import json  # only a dry run's batches look for stored keys: not every writer's start

    return json.dumps(keys)


def _write_changed(conn: sqlite3.Connection, step: tuple[Any, ...]) -> tuple[str, bytes]:
    """A "stored" step, in the batch's transaction: the rows that differ updated."""
    _, select_sql, uid, keys, values, rows, update_sql, stamp = step
    found = {row[0]: row for row in conn.execute(select_sql, (_json_array(keys),))}
    if len(found) != len(keys):
        raise _Abort("changed")
    olds = list(map(found.__getitem__, keys))
    if uid in map(itemgetter(1), olds):
        raise _Abort("changed")
    same = bytes(map(eq, map(itemgetter(slice(3, None)), olds), values))
    updated = len(same) - same.count(1)
    if updated:
        conn.executemany(update_sql, [(*vals, uid, row, stamp, old[2]) for old, vals, row, kept
                                      in zip(olds, values, rows, same, strict=True) if not kept])
    return ("stored", same)


def _prepared(step: tuple[Any, ...], prepare: Any) -> tuple[Any, ...]:
    """A step of raw rows as the step of their stored rows (raises when one is not valid)."""
    if step[0] == "rows":
        return ("many", step[1], prepare(step[2]), step[3])
    if step[0] == "raw_keys":
        keys, rows = prepare.keyed(step[2])
        return ("keys", step[1], keys, rows, step[3], step[4])
    return step


def _run(conn: sqlite3.Connection, steps: list[tuple[Any, ...]], parent: int, prepare: Any = None,
         seen: _SeenKeys | None = None, tallies: deque[tuple[int, int, int]] | None = None) -> Any:
    """One request's reply; ``tallies``: the bad rows, error items and rows updated of each
    request committed since the last "resume", latest last (this one's is added when it commits)."""
    seen = seen or _SeenKeys()
    tallies = deque() if tallies is None else tallies
    try:
        for step in steps:
            if step[0] == "exact_keys":
                seen.make_exact(conn, step[1])
    except Exception as exc:
        return ("error", f"{type(exc).__name__}: {exc}")
    steps = [step for step in steps if step[0] != "exact_keys"]
    if steps and steps[-1][0] == "ask":
        try:
            for step in steps[:-1]:
                conn.execute(step[1], step[2])
            return ("rows", conn.execute(steps[-1][1], steps[-1][2]).fetchall())
        except Exception as exc:
            return ("error", f"{type(exc).__name__}: {exc}")
    own = None  # a "worded" step's (bad rows, error items, 0), a "stored" step's (0, 0, rows updated)
    if any(step[0] in ("rows", "raw_keys", "worded", "valid") for step in steps):
        # validated before the transaction: a batch to redo never takes the write lock
        try:
            prepared = []
            for step in steps:
                if step[0] == "worded":
                    stored, items, bad, errors = prepare.worded(step[2])
                    own = (bad, errors, 0)
                    prepared += [("many", step[1], stored, len(stored)), ("many", step[3], items, None)]
                elif step[0] == "valid":
                    prepare(step[1])
                else:
                    prepared.append(_prepared(step, prepare))
            steps = prepared
        except Exception:  # a row not valid, a key twice (or no helper): the runner validates and words it
            return "redo"
    try:
        for step in steps:
            if step[0] == "keys":
                seen.make_room(conn, step[1], len(step[2]), step[5])
    except Exception as exc:
        return ("error", f"{type(exc).__name__}: {exc}")
    reply = "ok" if own is None else ("worded", *own[:2])
    try:
        conn.execute("BEGIN IMMEDIATE")  # a lock held past the busy timeout fails here
        for step in steps:
            kind = step[0]
            if kind == "stored":
                reply = _write_changed(conn, step)
                own = (0, 0, len(reply[1]) - reply[1].count(1))
            elif kind == "check":
                if conn.execute(step[1], step[2]).fetchone() is None:
                    raise _Abort("stale")
            elif kind == "unless":
                if conn.execute(step[1], step[2]).fetchone() is not None:
                    raise _Abort("changed")
            elif kind == "one":
                conn.execute(step[1], step[2])
            elif kind == "keys":
                if not seen.remember_new(conn, *step[1:]):
                    raise _Abort("conflict")
            elif kind == "tally":
                _tally(conn, step, own, tallies)
            else:
                count = conn.executemany(step[1], step[2]).rowcount
                if step[3] is not None and count != step[3]:
                    raise _Abort("conflict")
        if os.getppid() != parent:
            raise _Abort("stale")
        conn.execute("COMMIT")
        seen.ended(committed=True)
        tallies.append(own or (0, 0, 0))
        return reply
    except _Abort as abort:
        conn.execute("ROLLBACK")
        seen.ended(committed=False)
        scope, seen.conflicted = seen.conflicted, None
        if scope is not None:  # the runner classifies this batch asking which keys the job saw
            try:
                seen.make_exact(conn, scope)
            except Exception as exc:
                return ("error", f"{type(exc).__name__}: {exc}")
        return abort.args[0]
    except Exception as exc:  # reported to the runner, which fails the job
        if conn.in_transaction:  # a failed COMMIT may leave it open (or SQLite rolled it back)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        seen.ended(committed=False)
        seen.conflicted = None
        return ("error", f"{type(exc).__name__}: {exc}")


def _tally(conn: sqlite3.Connection, step: tuple[Any, ...], own: tuple[int, int, int] | None,
           tallies: deque[tuple[int, int, int]]) -> None:
    """A "tally" step: the job's counters corrected by what this request and the ``ahead``
    requests before it found."""
    _, bad_rows_sql, path, updates_sql, uid, ahead = step
    counted = [own or (0, 0, 0), *(list(tallies)[-ahead:] if ahead else [])]
    bad, errors, updated = (sum(c[i] for c in counted) for i in range(3))
    if bad or errors:
        conn.execute(bad_rows_sql, (bad, errors, path, uid))
    if updated:
        conn.execute(updates_sql, (updated, uid))


def _called(module: str, function: str, args: tuple[Any, ...]) -> Any:
    """The result of a call the runner names (a count, readers/count_ahead.py), or None if it
    failed (the runner counts itself then)."""
    try:
        return getattr(importlib.import_module(module), function)(*args)
    except Exception:
        return None


def _ahead_holds(ahead: Any, count: tuple[Any, ...]) -> int | None:
    """The count made ahead, if it is the one asked for: the same call, the path aside, of bytes
    whose sha256 is the one the request names (the kept copy's); else None."""
    if not (ahead and len(count) > 3):
        return None
    module, function, rest, counted, sha256 = ahead
    same_call = (module, function, tuple(rest)) == (count[0], count[1], tuple(count[2][1:]))
    return counted if same_call and sha256 == count[3] else None


def _main(parent: int, preload: list[str] | tuple[str, ...] = ()) -> None:
    _die_with_parent()
    # Ctrl-C is for the runner: the writer finishes what it was handed and ends when its input does
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in preload:  # started ahead of its job: these imports overlap the runner's start
        with contextlib.suppress(Exception):  # the helper's own import says what is wrong
            importlib.import_module(name)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        first = _read(stdin)
        ahead = None
        if isinstance(first, tuple) and first[:1] == ("ahead",):
            ahead = _called(*first[1:])
            first = _read(stdin)
        db_path, pragmas, *more = first
    except EOFError:  # started ahead for a job that did not need it
        return
    helper, count = (*more, None, None)[:2]
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    for pragma in pragmas:
        conn.execute(pragma)
    ready, prepare = _load_helper(helper)
    if ready is not None:
        _write(stdout, ready)
    if count is not None:
        counted = _ahead_holds(ahead, count)
        if counted is None:
            counted = _called(*count[:3])
        _write(stdout, ("count", counted))
    skipping = False
    seen = _SeenKeys()
    tallies: deque[tuple[int, int, int]] = deque(maxlen=8)
    while True:
        try:
            steps = _read(stdin)
        except EOFError:
            break
        if steps == "resume":
            skipping = False
            tallies.clear()
            continue
        reply = "skipped" if skipping else _run(conn, steps, parent, prepare, seen, tallies)
        skipping = reply != "ok" and not (isinstance(reply, tuple) and reply[0] in ("rows", "stored", "worded"))
        _write(stdout, reply)
    conn.close()


if __name__ == "__main__":
    _main(int(sys.argv[1]), sys.argv[2:])
