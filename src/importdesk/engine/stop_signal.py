"""Ctrl-C and SIGTERM for a process that runs jobs, the same in every face that runs them.

The first signal sets a `threading.Event` the runners watch: the job in flight stops after the
batch it is writing (that batch commits), ends `interrupted` and resumes from there. A second one
says so and stops now (KeyboardInterrupt): whatever the batch in flight had not committed is rolled
back, and `recover_stale` makes the job `interrupted` — resumable from its last committed batch.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable

STOPPING = "stopping after the batch in flight; its job stays resumable (Ctrl-C again to stop now)…"
STOPPING_NOW = ("stopping now: the batch in flight is not written; the job resumes from its last "
                "committed batch")


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class StopOnSignal:
    """``with StopOnSignal("importdesk") as stop:`` — run jobs with ``cancel=stop.event``.

    Outside the main thread (where Python cannot install handlers) it only provides the event.
    ``stopping`` replaces the first signal's message (the watch service says what stops there).
    """

    def __init__(self, prefix: str = "importdesk", *, stopping: str = STOPPING,
                 event: threading.Event | None = None, say: Callable[[str], None] = _to_stderr) -> None:
        self.event = event or threading.Event()
        self.prefix = prefix
        self.stopping = stopping
        self.say = say
        self._previous: dict[int, object] = {}

    @property
    def stopped(self) -> bool:
        """A signal (or whoever else holds the event) asked to stop."""
        return self.event.is_set()

    def handle(self, signum: int, frame: object = None) -> None:
        if self.event.is_set():
            self.say(f"\n{self.prefix}: {STOPPING_NOW}")
            raise KeyboardInterrupt
        self.event.set()
        self.say(f"\n{self.prefix}: {self.stopping}")

    def __enter__(self) -> StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self.handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
