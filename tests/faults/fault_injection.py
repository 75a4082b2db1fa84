"""Make the N-th write transaction fail, in this process and in the batch writer's, like SQLite's
own I/O-error tests.

A plan (a JSON file named by ``PLAN_ENV``) says which write fails and how; a counter file shared by
every process that follows the plan numbers the write transactions (each ``BEGIN IMMEDIATE``) in
the order they start. The kinds, each where SQLite reports it:

- ``full``: the COMMIT fails with "database or disk is full" (nothing of the transaction is kept);
- ``io``: the first statement inside the transaction fails with "disk I/O error";
- ``locked``: BEGIN IMMEDIATE fails with "database is locked" (a lock held past the busy timeout).

``sticky``: every write from the N-th on fails (the disk stays full) until the plan is disarmed.

Standard library only: this file also runs as the batch writer's script (``BatchWriter.script``),
loading the real writer from ``WRITER_ENV`` and opening its connection through the plan.
"""

from __future__ import annotations

import fcntl
import marshal
import os
import sqlite3
import sys

# the writer's wrapper starts ~200 times a run: no typing, pathlib or json (and re) here, as in the
# writer itself; the plan is marshalled
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

PLAN_ENV = "IMPORTDESK_TEST_FAULT_PLAN"
WRITER_ENV = "IMPORTDESK_TEST_REAL_WRITER"
MESSAGES = {"full": "database or disk is full", "io": "disk I/O error", "locked": "database is locked"}


class FaultPlan:
    """The test's side: arm, disarm, read how many writes were counted."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "plan.marshal"
        self.counter = folder / "writes"
        self.fired_log = folder / "fired"
        self.disarm()

    def arm(self, fail_at: int = 0, kind: str = "full", sticky: bool = False) -> None:
        """Count writes from 1; fail the ``fail_at``-th (0: none, just count)."""
        self.counter.write_text("0")
        self.fired_log.write_text("")
        self.path.write_bytes(marshal.dumps({"fail_at": fail_at, "kind": kind, "sticky": sticky,
                                             "counter": str(self.counter), "fired": str(self.fired_log)}))

    def disarm(self) -> None:
        self.path.write_bytes(marshal.dumps({"fail_at": None}))

    @property
    def writes(self) -> int:
        return int(self.counter.read_text() or 0)

    @property
    def fired(self) -> int:
        """How many faults were raised (a doomed transaction that rolled back by itself raises none)."""
        return len(self.fired_log.read_text().splitlines())


def _plan() -> dict[str, Any] | None:
    path = os.environ.get(PLAN_ENV)
    if not path:
        return None
    with open(path, "rb") as handle:
        plan = marshal.load(handle)
    return plan if plan.get("fail_at") is not None else None


def _fire(kind: str) -> sqlite3.OperationalError:
    plan = _plan()
    if plan is not None:
        with open(plan["fired"], "a") as handle:
            handle.write(f"{os.getpid()} {kind}\n")
    return sqlite3.OperationalError(MESSAGES[kind])


def _count(counter: str) -> int:
    with open(counter, "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        n = int(handle.read() or 0) + 1
        handle.seek(0)
        handle.truncate()
        handle.write(str(n))
        return n


class FaultyConnection(sqlite3.Connection):
    _doomed: str | None = None

    def _before(self, sql: str) -> None:
        head = " ".join(sql.split()[:2]).upper()
        if head.startswith("BEGIN"):
            self._doomed = None
            plan = _plan()
            if plan is None:
                return
            n = _count(plan["counter"])
            if n == plan["fail_at"] or (plan["sticky"] and plan["fail_at"] and n >= plan["fail_at"]):
                if plan["kind"] == "locked":
                    raise _fire("locked")
                self._doomed = plan["kind"]
        elif head == "ROLLBACK" or (head.startswith("ROLLBACK") and not head.startswith("ROLLBACK TO")):
            self._doomed = None  # (ROLLBACK TO a savepoint leaves the transaction going)
        elif self._doomed == "io":
            self._doomed = None
            raise _fire("io")
        elif self._doomed == "full" and head.startswith("COMMIT"):
            self._doomed = None
            raise _fire("full")  # the transaction stays open, as after SQLITE_FULL

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._before(sql)
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._before(sql)
        return super().executemany(sql, *args)


class FaultySqlite:
    """Stands in for the ``sqlite3`` module where a connection is opened."""

    def __getattr__(self, name: str) -> Any:
        return getattr(sqlite3, name)

    @staticmethod
    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        return sqlite3.connect(*args, factory=FaultyConnection, **kwargs)


def _run_writer() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("importdesk_batch_writer", os.environ[WRITER_ENV])
    writer = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(writer)
    writer.sqlite3 = FaultySqlite()
    writer._main(int(sys.argv[1]))


if __name__ == "__main__":
    _run_writer()
