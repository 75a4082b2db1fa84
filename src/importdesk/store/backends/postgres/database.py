"""Connections to a PostgreSQL store (one per thread), its migrations and write transactions.

The URL is libpq's (``postgresql://user:password@host:port/db?options=…``) plus importdesk's own
``lease=SECONDS`` (how long a worker holds a job without a heartbeat; 30 s by default), which is
taken out before connecting. Connections show in ``pg_stat_activity`` as "importdesk" (the
listener's as "importdesk listener"), or as the URL's own ``application_name``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import parse_qsl, urlencode, urlsplit

import psycopg

from importdesk.store.backends import StoreUnavailable, describe
from importdesk.store.backends.postgres.connection import PgConnection
from importdesk.store.backends.postgres.listener import XMAX_SQL, JobsListener
from importdesk.store.backends.postgres.migrations import migrate

DEFAULT_LEASE_SECONDS = 30.0
CONTENT_LOCK_SPACE = 2  # pg_advisory_xact_lock(space, hashtext(sha256)); records.py's tables use space 1
CONNECT_TIMEOUT_S = 10


class StoreUnreachable(StoreUnavailable):
    """The PostgreSQL store cannot be reached or refused us (a message for the user)."""


def split_url(url: str) -> tuple[str, float]:
    """(the URL libpq gets, the lease in seconds)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    lease = DEFAULT_LEASE_SECONDS
    kept = []
    for name, value in query:
        if name == "lease":
            try:
                lease = float(value)
            except ValueError:
                raise StoreUnreachable(f"the store URL's lease={value!r} is not a number of seconds") from None
            if lease <= 0:
                raise StoreUnreachable("the store URL's lease must be more than 0 seconds")
        else:
            kept.append((name, value))
    return parts._replace(query=urlencode(kept)).geturl(), lease


class PgDatabase:
    """Hands each thread its own autocommit connection; every write goes through ``write()``."""

    read_only = False
    path = None  # no file: nothing to hand to the SQLite batch writer
    batch_writer_ok = False
    #: what becomes of a job whose end could not be written (jobs.py lets its lease run out)
    unrecorded_end = ("it shows as processing until its lease runs out, then the next `importdesk work` "
                      "anywhere takes it over from its last committed row")

    def __init__(self, url: str):
        self.url, self.lease_seconds = split_url(url)
        self.shown = describe(url)
        self.app_name = dict(parse_qsl(urlsplit(self.url).query)).get("application_name") or "importdesk"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[PgConnection] = []
        self._owner = threading.get_ident()
        self.closed = threading.Event()  # the owner is done with the store: heartbeats end, and the listener
        self.listener: JobsListener | None = None
        try:
            migrate(self.conn())
        except psycopg.Error as exc:  # no right to create tables, no such schema, …: say so, no traceback
            self.close_all()
            first_line = str(exc).strip().splitlines()[0]
            raise StoreUnreachable(f"the store {self.shown} cannot be used: {first_line}") from None

    def conn(self) -> PgConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.raw.closed:
            try:
                raw = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                      application_name=self.app_name)
            except psycopg.OperationalError as exc:
                raise StoreUnreachable(f"the store {self.shown} cannot be reached: "
                                       f"{str(exc).strip().splitlines()[-1]}") from None
            conn = PgConnection(raw, self.shown)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[PgConnection]:
        """One write transaction: all of it is committed, or none of it."""
        conn = self.conn()
        conn.execute("BEGIN")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction and not conn.raw.closed:
                with suppress(psycopg.Error):
                    conn.execute("ROLLBACK")
            raise

    def serialise_content(self, conn: PgConnection, sha256: str) -> None:
        """Inside ``write()``: no other writer anywhere passes this call for the same bytes until
        this transaction ends (a transaction-level advisory lock), so "is this content imported
        already?" and the insert after it are one step across machines."""
        conn.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", (CONTENT_LOCK_SPACE, sha256))

    def check_writable(self) -> None:
        """A PostgreSQL store is writable as far as importdesk can tell before writing."""

    def data_version(self) -> int:
        """Moves whenever the jobs change anywhere: heard by a listener (LISTEN/NOTIFY, started by
        the first call, so only the app has one), without a query; while it is not listening,
        the next transaction id, asked of the store (it moves with every writing transaction)."""
        listener = self._jobs_listener()
        version = listener.version() if listener is not None else None
        if version is not None:
            return version
        return int(self.conn().execute(XMAX_SQL).fetchone()[0])

    def _jobs_listener(self) -> JobsListener | None:
        with self._lock:
            if self.listener is None and not self.closed.is_set():
                self.listener = JobsListener(self._listening_connection, self.closed)
                self.listener.start()
                starting = True
            else:
                starting = False
        if starting:  # the first answer comes from it once it listens (or asks, if it cannot)
            self.listener.wait_started(CONNECT_TIMEOUT_S)
        return self.listener

    def _listening_connection(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name=f"{self.app_name} listener")

    def close(self) -> None:
        """Close the calling thread's connection; from the thread that opened the store, every
        connection (its engine is done: the heartbeat ends too)."""
        if threading.get_ident() == self._owner:
            self.closed.set()
            self.close_all()
            return
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._lock:
                if conn in self._all:
                    self._all.remove(conn)
            conn.close()

    def close_all(self) -> None:
        """Close every thread's connection (the process is done with the store)."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with suppress(psycopg.Error):
                conn.close()
        self._local = threading.local()
