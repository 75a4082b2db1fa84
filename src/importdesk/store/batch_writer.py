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

and the reply is "ok", "conflict", "stale" or ("error", message). A batch is all or nothing.
Requests queue up (the runner keeps two in flight, so a slow commit — a WAL checkpoint — does
not stall it). After a request that is not "ok", the writer answers "skipped" to every request
until the message "resume": the runner then commits those batches itself, in order.

The child must not commit for a runner that is gone (its job may have been recovered and
resumed since): it dies with its parent on Linux (PR_SET_PDEATHSIG), checks that its parent is
still alive before each commit, and the runner's first step checks that the job is still its own.

This file runs as a script (``python -I batch_writer.py PARENT_PID``): standard library only.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import sqlite3
import subprocess
import sys
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


class BatchWriter:
    """The runner's side: requests in flight, answered in order."""

    #: the child's script (the fault-injection tests run it under a wrapper of their own)
    script = os.path.abspath(__file__)

    def __init__(self, db_path: str, pragmas: list[str]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-I", self.script, str(os.getpid())],
            # its failures come back as replies (or as its end); nothing of it may reach a terminal
            # the app is drawing on
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.in_flight = 0
        _grow_pipe(self._proc.stdin)
        self._send((str(db_path), list(pragmas)))

    def _send(self, message: Any) -> None:
        assert self._proc.stdin is not None
        _write(self._proc.stdin, message)

    def submit(self, steps: list[tuple[Any, ...]]) -> None:
        """Hand a request over. If the writer is gone, its result() is an error. CannotSend (and
        nothing in flight) when a value in it cannot be sent."""
        try:
            data = marshal.dumps(steps)
        except ValueError as exc:
            raise CannotSend(str(exc)) from None
        self.in_flight += 1
        try:
            assert self._proc.stdin is not None
            _write_bytes(self._proc.stdin, data)
        except OSError:
            pass

    def resume(self) -> None:
        """After a reply other than "ok": run requests again (the ones before were skipped)."""
        self._send("resume")

    def result(self) -> Any:
        """The reply to the oldest request in flight (waits for it)."""
        if not self.in_flight:
            raise RuntimeError("no request in flight")
        self.in_flight -= 1
        try:
            return _read(self._proc.stdout)
        except (EOFError, ValueError, OSError):
            return ("error", f"the batch writer stopped (exit code {self._proc.poll()})")

    def close(self) -> None:
        try:
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


def _run(conn: sqlite3.Connection, steps: list[tuple[Any, ...]], parent: int) -> Any:
    try:
        conn.execute("BEGIN IMMEDIATE")  # a lock held past the busy timeout fails here
        for step in steps:
            kind = step[0]
            if kind == "check":
                if conn.execute(step[1], step[2]).fetchone() is None:
                    raise _Abort("stale")
            elif kind == "one":
                conn.execute(step[1], step[2])
            else:
                count = conn.executemany(step[1], step[2]).rowcount
                if step[3] is not None and count != step[3]:
                    raise _Abort("conflict")
        if os.getppid() != parent:
            raise _Abort("stale")
        conn.execute("COMMIT")
        return "ok"
    except _Abort as abort:
        conn.execute("ROLLBACK")
        return abort.args[0]
    except Exception as exc:  # reported to the runner, which fails the job
        if conn.in_transaction:  # a failed COMMIT may leave it open (or SQLite rolled it back)
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        return ("error", f"{type(exc).__name__}: {exc}")


def _main(parent: int) -> None:
    _die_with_parent()
    # Ctrl-C is for the runner: the writer finishes what it was handed and ends when its input does
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    db_path, pragmas = _read(stdin)
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    for pragma in pragmas:
        conn.execute(pragma)
    skipping = False
    while True:
        try:
            steps = _read(stdin)
        except EOFError:
            break
        if steps == "resume":
            skipping = False
            continue
        reply = "skipped" if skipping else _run(conn, steps, parent)
        skipping = reply != "ok"
        _write(stdout, reply)
    conn.close()


if __name__ == "__main__":
    _main(int(sys.argv[1]))
