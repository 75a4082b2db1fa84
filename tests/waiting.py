"""Waiting in tests without depending on timing: one bounded `wait_until`, and `held_after_batch`,
which holds a running import after its Nth committed batch (importdesk.engine.batch_gate) so a
test stops, quits or kills it at a known point instead of racing it with a big file."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from importdesk.engine.batch_gate import ENV as GATE_ENV

# Bounds, not timings: a wait that reaches one has found a bug (or a machine far too busy).
WAIT_LIMIT = 60.0


def wait_until(condition: Callable[[], object], timeout: float = 30.0, interval: float = 0.05,
               message: str = "condition") -> object:
    """The first truthy value of `condition()`, looked at every `interval` s until `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class HeldImport:
    """The test's end of the batch gate: `reached()` waits for the import to hold, `release()` lets it go."""

    def __init__(self, server: socket.socket) -> None:
        self._server = server
        self._conn: socket.socket | None = None

    def reached(self, timeout: float = WAIT_LIMIT) -> tuple[str, int]:
        """(job uid, checkpoint) once the runner holds after its Nth batch; the store has exactly N."""
        self._server.settimeout(timeout)
        try:
            self._conn, _ = self._server.accept()
        except TimeoutError:
            raise AssertionError(f"no import held after its batch within {timeout}s") from None
        self._conn.settimeout(timeout)
        uid, checkpoint = self._conn.makefile().readline().split()
        return uid, int(checkpoint)

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        self.release()
        self._server.close()


@contextmanager
def held_after_batch(batch: int) -> Iterator[HeldImport]:
    """Every import started inside (this process, its threads, and children started here) holds
    after committing its `batch`-th batch, until released or asked to stop. Once the block is left,
    imports run through."""
    folder = Path(tempfile.mkdtemp(prefix="gate"))  # short: a Unix socket path has ~100 bytes
    path = folder / "s"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)
    held = HeldImport(server)
    before = os.environ.get(GATE_ENV)
    os.environ[GATE_ENV] = f"{batch}:{path}"
    try:
        yield held
    finally:
        held.close()
        if before is None:
            os.environ.pop(GATE_ENV, None)
        else:
            os.environ[GATE_ENV] = before
        shutil.rmtree(folder, ignore_errors=True)


def wait_for_scans(watcher, scans: int = 2, timeout: float = 30.0) -> None:
    """Wait until an inbox watcher has made `scans` whole scans, each begun after this call: what a
    test that checks that nothing (more) happens waits for, instead of a sleep it hopes is long enough."""
    first = watcher.stats["scans"] + 1  # a scan under way now is not counted
    wait_until(lambda: watcher.stats["scans"] >= first + scans, timeout, 0.01, f"{scans} inbox scans")


class Messages:
    """Pass as `app.run_test(message_hook=...)`: sees every message the app dispatches, so a test
    awaits the one it needs (`await messages.wait_for(...)`) instead of pausing in a loop."""

    def __init__(self) -> None:
        self.seen: list = []
        self._waiting: list[tuple[Callable[[object], bool], asyncio.Future]] = []

    def __call__(self, message) -> None:  # in the app's event loop, before the message's handlers
        self.seen.append(message)
        for predicate, future in list(self._waiting):
            if not future.done() and predicate(message):
                future.set_result(message)

    async def wait_for(self, predicate: Callable[[object], bool], timeout: float = WAIT_LIMIT):
        """The first message (seen already, or the next to come) for which `predicate` is true.
        Its handlers run after the hook: `await pilot.pause()` before looking at what they did."""
        for message in self.seen:
            if predicate(message):
                return message
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiting.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(f"no such message within {timeout}s") from None
        finally:
            self._waiting.remove(entry)
