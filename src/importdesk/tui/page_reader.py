"""The main screen's reader of the store: one worker thread that reads the pages the panes show and
posts them as messages, so no SQL runs on the event loop.

Asks arrive from the event loop (`ask_errors`) and are merged: the newest wins. The errors pane's
re-read while its job runs (the kinds summary is a GROUP BY over all of the job's items) happens at
most every ERRORS_REFRESH seconds; it is put off, never dropped. What the user asks for (another job,
a page, a filter) is read at once.

The thread ends when `stop()` is called (the screen does so as it is removed, and waits for it) or
its worker is cancelled; `done` is set once it has ended and closed its store connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from textual.message import Message

from importdesk.engine import Engine
from importdesk.engine.pages import ErrorsQuery, read_errors
from importdesk.tui.messages import ErrorsPageRead

ERRORS_REFRESH = 2.0  # seconds between re-reads of a running job's errors
STOP_CHECK = 0.25  # seconds: how soon the thread notices a cancel of its worker that `stop()` did not tell


class PageReader:
    """Asked from the event loop; reads in `run`, in its own thread."""

    def __init__(self, engine: Engine, post: Callable[[Message], object]) -> None:
        self.engine = engine
        self.post = post
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._errors: tuple[int, ErrorsQuery, bool] | None = None  # (seq, query, a running job's refresh)
        self._seq = 0
        self._errors_read_at = -ERRORS_REFRESH
        self._stopped = False
        self.done = threading.Event()  # `run` has returned

    # ---- from the event loop -----------------------------------------------------------------
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
                now = time.monotonic()
                with self._lock:
                    ask = self._errors
                    if ask is None or (ask[2] and now - self._errors_read_at < ERRORS_REFRESH):
                        continue
                    self._errors = None
                seq, query, _ = ask
                self._errors_read_at = now
                self.post(ErrorsPageRead(read_errors(self.engine, query), seq))
        finally:
            self.engine.close()  # this thread's store connection
            self.done.set()

    def _timeout(self) -> float:
        with self._lock:
            if self._errors is not None and self._errors[2]:
                return max(0.0, min(STOP_CHECK, self._errors_read_at + ERRORS_REFRESH - time.monotonic()))
        return STOP_CHECK
