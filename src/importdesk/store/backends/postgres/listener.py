"""The jobs' changes as they are committed anywhere, heard with LISTEN on a connection of its own.

Every statement that changes the jobs table NOTIFYs the store's channel (a trigger, migration 4),
delivered when its transaction commits. One thread per store listens and bumps a counter; the
store's ``data_version()`` answers from that counter, so an app looking for other machines' work
costs the database nothing while nothing happens. While the listening connection is lost, the
store asks the database instead (as before there was a listener) and the thread reconnects.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import suppress

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

#: the channel of the store whose jobs table is in a schema (the trigger computes the same)
CHANNEL_SQL = ("SELECT 'importdesk_jobs_' || left(md5(n.nspname), 16) FROM pg_class c"
               " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'jobs'::regclass")
#: the store's next transaction id: moves whenever a transaction that writes has started anywhere
XMAX_SQL = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"

WAKE_SECONDS = 0.5  # how soon the thread sees that the store was closed
RETRY_SECONDS = 5.0  # how long after losing its connection it tries again


class JobsListener(threading.Thread):
    """Counts the store's jobs notifications; ``version()`` is None while it is not listening."""

    def __init__(self, connect: Callable[[], psycopg.Connection], closed: threading.Event,
                 retry_seconds: float = RETRY_SECONDS):
        super().__init__(name="importdesk jobs listener", daemon=True)
        self._connect = connect
        self._closed = closed
        self.retry_seconds = retry_seconds
        self._changed = threading.Condition()
        self._version: int | None = None
        self.raw: psycopg.Connection | None = None  # the listening connection (tests end it)
        self.lost = threading.Event()  # set when the connection goes, cleared when listening again
        self.listening = threading.Event()

    def version(self) -> int | None:
        with self._changed:
            return self._version

    def wait_started(self, timeout: float) -> bool:
        """Wait until it listens (True) or has failed to (False), at most ``timeout`` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._version is not None or self.lost.is_set(), timeout)
            return self._version is not None

    def wait_changed(self, since: int | None, timeout: float) -> bool:
        """Wait until the version is no longer ``since`` (True) or ``timeout`` seconds pass."""
        with self._changed:
            return self._changed.wait_for(lambda: self._version != since, timeout)

    def run(self) -> None:
        while not self._closed.is_set():
            try:
                self._listen()
            except psycopg.Error as exc:
                if self._closed.is_set():
                    return
                log.warning("the store's jobs listener lost its connection (%s); asking the store "
                            "instead, listening again in %.0f s", str(exc).strip().splitlines()[0]
                            if str(exc).strip() else type(exc).__name__, self.retry_seconds)
            finally:
                self._stop_listening()
            self._closed.wait(self.retry_seconds)

    def _listen(self) -> None:
        self.raw = raw = self._connect()
        channel = raw.execute(CHANNEL_SQL).fetchone()[0]
        raw.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        # counted from the store's transaction id after LISTEN: a commit before it moved that id
        # since whoever asked last, one after it is heard (one heard both ways only looks twice)
        self._set(int(raw.execute(XMAX_SQL).fetchone()[0]))
        self.lost.clear()
        self.listening.set()
        while not self._closed.is_set():
            for _ in raw.notifies(timeout=WAKE_SECONDS):
                with self._changed:
                    self._version = (self._version or 0) + 1
                    self._changed.notify_all()

    def _set(self, version: int | None) -> None:
        with self._changed:
            self._version = version
            self._changed.notify_all()

    def _stop_listening(self) -> None:
        self.listening.clear()
        if not self._closed.is_set():
            self.lost.set()
        self._set(None)
        raw, self.raw = self.raw, None
        if raw is not None:
            with suppress(psycopg.Error):
                raw.close()
