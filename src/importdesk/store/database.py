"""Connections (one per thread), pragmas, migrations and write transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from importdesk.store.migrations import migrate

BUSY_TIMEOUT_MS = 30_000
# every connection to the file, the batch writer's too
PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)


class Database:
    """Hands each thread its own connection to one SQLite file.

    Connections are in autocommit mode: reads are short implicit transactions (long read
    transactions in the UI would starve WAL checkpoints), and every write goes through
    `write()`, which takes the write lock up front with BEGIN IMMEDIATE.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        migrate(self.conn())

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            for pragma in PRAGMAS:
                conn.execute(pragma)
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is committed, or none of it."""
        conn = self.conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # A failed COMMIT (disk full, I/O error, busy) may leave the transaction open, or SQLite
            # may have rolled it back already; either way the caller must see the first error.
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap way to notice other writers."""
        return self.conn().execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        """Close the calling thread's connection (others close with their threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()
