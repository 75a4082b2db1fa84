"""Connections (one per thread), pragmas, migrations and write transactions."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from importdesk.store.migrations import migrate
from importdesk.workspace import WorkspaceError

BUSY_TIMEOUT_MS = 30_000
# every connection to the file, the batch writer's too
PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)


class ReadOnlyStore(WorkspaceError, sqlite3.OperationalError):
    """A write to a store that can only be read (read-only folder or file system)."""


class StoreBusy(WorkspaceError, sqlite3.OperationalError):
    """Another process held the store's write lock for longer than the busy timeout."""


def _read_only(path: Path) -> bool:
    """The database exists, and it or its folder cannot be written (SQLite needs both)."""
    return path.exists() and not (os.access(path.parent, os.W_OK) and os.access(path, os.W_OK))


class Database:
    """Hands each thread its own connection to one SQLite file.

    Connections are in autocommit mode: reads are short implicit transactions (long read
    transactions in the UI would starve WAL checkpoints), and every write goes through
    `write()`, which takes the write lock up front with BEGIN IMMEDIATE.
    """

    batch_writer_ok = True  # the pipeline may hand batches to store/batch_writer.py
    #: what becomes of a job whose end could not be written (recover_stale, once its process ended)
    unrecorded_end = ("it shows as processing until this process ends, then as interrupted; resume it then "
                      "(importdesk resume {uid})")

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        # a read-only workspace can still be listed and shown; every write says why it cannot
        self.read_only = _read_only(self.path)
        if self.read_only:
            self.conn()
        else:
            migrate(self.conn())

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open_read_only() if self.read_only else self._open()
            self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        for pragma in PRAGMAS:
            conn.execute(pragma)
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        # a WAL database needs its -shm file: where it cannot be created, the file cannot change
        # either (read-only medium), and SQLite may read it as immutable
        uri = self.path.resolve().as_uri()
        for query in ("mode=ro", "mode=ro&immutable=1"):
            conn = sqlite3.connect(f"{uri}?{query}", uri=True, isolation_level=None,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                conn.execute(PRAGMAS[0])
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError:
                conn.close()
        raise ReadOnlyStore(f"the workspace's {self.path.name} cannot be read (read-only, and SQLite cannot open it)")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is committed, or none of it."""
        self.check_writable()
        conn = self.conn()
        try:
            conn.execute("BEGIN IMMEDIATE")  # waits up to the busy timeout for the write lock
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise StoreBusy(f"the store is busy: another process held its write lock for more than "
                            f"{BUSY_TIMEOUT_MS / 1000:g} s ({exc}); try again when it is done") from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # A failed COMMIT (disk full, I/O error, busy) may leave the transaction open, or SQLite
            # may have rolled it back already; either way the caller must see the first error.
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def serialise_content(self, conn: sqlite3.Connection, sha256: str) -> None:
        """Inside ``write()``: no other writer checks for these bytes until this transaction ends.
        Nothing to do on SQLite: BEGIN IMMEDIATE already lets one writer in at a time."""

    def check_writable(self) -> None:
        """ReadOnlyStore, saying what still works, when this store cannot be written."""
        if self.read_only:
            raise ReadOnlyStore(f"the workspace {self.path.parent.name!r} is read-only: this command needs to write "
                                "to it (jobs, show and errors still work)")

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap way to notice other writers."""
        return self.conn().execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        """Close the calling thread's connection (others close with their threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()
