"""The main screen's reader of the store: one worker thread that reads the pages the panes show and
posts them as messages, so no SQL runs on the event loop.

Asks arrive from the event loop (`ask_jobs`, `ask_errors`) and are merged: the newest of each kind
wins. Every read throttle of the screen lives here:
- the store's `data_version` is looked at every `poll_interval` seconds (on this thread's own
  connection, so any commit of another connection moves it); when it moved, the job list's page is
  read again, but while this app's own imports run (their progress arrives as messages) at most every
  BUSY_STORE_READ_SECONDS, for what other processes did;
- the errors pane's re-read while its job runs (the kinds summary is a GROUP BY over all of the job's
  items) happens at most every ERRORS_REFRESH seconds; it is put off, never dropped.
What the user asks for (another job, a page, a filter) is read at once.

The thread ends when `stop()` is called (the screen does so as it is removed, and waits for it) or
its worker is cancelled; `done` is set once it has ended and closed its store connection. A read that
fails (a locked or unreadable store) is told (`PageReadFailed`, answering its ask) and the thread
goes on: the next ask or poll reads again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from textual.message import Message

from importdesk.engine import Engine
from importdesk.engine.pages import ErrorsQuery, JobsReader, read_errors
from importdesk.models import JobFilter
from importdesk.tui.messages import ErrorsPageRead, JobsPageRead, PageReadFailed

ERRORS_REFRESH = 2.0  # seconds between re-reads of a running job's errors
BUSY_STORE_READ_SECONDS = 5.0  # while our imports run: how often other processes' changes are read
STOP_CHECK = 0.25  # seconds: how soon the thread notices a cancel of its worker that `stop()` did not tell


class PageReader:
    """Asked from the event loop; reads in `run`, in its own thread."""

    def __init__(self, engine: Engine, post: Callable[[Message], object], *,
                 poll_interval: float | None = None) -> None:
        self.engine = engine
        self.post = post
        self.poll_interval = poll_interval
        self.imports_running = False  # set from the event loop: this app's queue workers are importing
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._seq = 0
        self._jobs: tuple[int, JobFilter] | None = None  # the job list's ask not read yet
        self._jobs_filter: JobFilter | None = None  # ... and the newest one (what a poll reads again)
        self._jobs_seq = 0
        self._jobs_reader = JobsReader(engine)  # keeps the jobs it parsed (used in the thread only)
        self._errors: tuple[int, ErrorsQuery, bool] | None = None  # (seq, query, a running job's refresh)
        self._errors_read_at = -ERRORS_REFRESH
        self._version: int | None = None  # the store's data_version when the job list was last read
        self._polled_at = 0.0
        self._store_read_at = 0.0
        self._stopped = False
        self.done = threading.Event()  # `run` has returned

    # ---- from the event loop -----------------------------------------------------------------
    def ask_jobs(self, flt: JobFilter) -> int:
        """The job list's page for this filter; its number back."""
        with self._lock:
            self._seq += 1
            self._jobs = (self._seq, flt)
            self._jobs_filter, self._jobs_seq = flt, self._seq
            seq = self._seq
        self._wake.set()
        return seq

    def ask_errors(self, query: ErrorsQuery, *, refresh: bool = False) -> int:
        """`refresh`: the same running job's counts moved (read within ERRORS_REFRESH). Its number back."""
        with self._lock:
            self._seq += 1
            before = self._errors
            # an ask of the user's own is not put off by a refresh asked after it
            self._errors = (self._seq, query, refresh and (before is None or before[2]))
            seq = self._seq
        self._wake.set()
        return seq

    def stop(self) -> None:
        """The thread ends after the read it is doing, if any (at once when it waits)."""
        self._stopped = True
        self._wake.set()

    # ---- in the worker thread ----------------------------------------------------------------
    def run(self, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Until `stop()` is called or `cancelled()` says so (asked at least every STOP_CHECK seconds)."""
        try:
            while not (self._stopped or cancelled()):
                self._wake.wait(self._timeout())
                self._wake.clear()
                if self._stopped or cancelled():
                    return
                for read in (self._read_jobs, self._read_errors, self._poll):
                    try:
                        read()
                    except Exception as exc:  # told on the screen; the thread must outlive a bad read
                        self.post(PageReadFailed(f"{type(exc).__name__}: {exc}", self._seq))
        finally:
            self.engine.close()  # this thread's store connection
            self.done.set()

    def _read_jobs(self) -> None:
        with self._lock:
            ask, self._jobs = self._jobs, None
        if ask is not None:
            self._post_jobs(*ask)

    def _post_jobs(self, seq: int, flt: JobFilter) -> None:
        self._version = None  # (a read that fails is read again at the next poll)
        version = self.engine.data_version()  # before the read: a commit during it is read next time
        page = self._jobs_reader.read(flt)
        self._version, self._store_read_at = version, time.monotonic()
        self.post(JobsPageRead(page, seq))

    def _read_errors(self) -> None:
        now = time.monotonic()
        with self._lock:
            ask = self._errors
            if ask is None or (ask[2] and now - self._errors_read_at < ERRORS_REFRESH):
                return
            self._errors = None
        seq, query, _ = ask
        self._errors_read_at = now
        self.post(ErrorsPageRead(read_errors(self.engine, query), seq))

    def _poll(self) -> None:
        """Another connection committed: the job list's page again (the screen asks for the rest)."""
        now = time.monotonic()
        if self.poll_interval is None or now - self._polled_at < self.poll_interval:
            return
        self._polled_at = now
        with self._lock:
            flt, seq = self._jobs_filter, self._jobs_seq
        if flt is None or self.engine.data_version() == self._version:
            return
        if self.imports_running and now - self._store_read_at < BUSY_STORE_READ_SECONDS:
            return
        self._post_jobs(seq, flt)  # an answer to the newest ask: it reads the newest filter

    def _timeout(self) -> float:
        now = time.monotonic()
        timeout = STOP_CHECK
        if self.poll_interval is not None:
            timeout = min(timeout, self._polled_at + self.poll_interval - now)
        with self._lock:
            if self._errors is not None and self._errors[2]:
                timeout = min(timeout, self._errors_read_at + ERRORS_REFRESH - now)
        return max(0.0, timeout)
