"""``importdesk watch``: the headless drop-folder service (watcher + a pool of import workers)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

from importdesk.engine import Engine
from importdesk.engine.stop_signal import StopOnSignal
from importdesk.inbox.events import InboxEvent, InboxEventKind
from importdesk.inbox.watcher import InboxWatcher
from importdesk.workspace import Workspace

STOPPING = ("stopping: running jobs stop after the batch in flight and resume when the service starts again "
            "(Ctrl-C again to stop now)…")


def _print_event(event: InboxEvent) -> None:
    print(f"importdesk watch: {event.message}", file=sys.stderr, flush=True)


def run_watch_service(workspace: Workspace | str | os.PathLike | None = None, *, workers: int = 1,
                      stability: float = 1.0, rescan_interval: float = 5.0,
                      stop_event: threading.Event | None = None,
                      on_event: Callable[[InboxEvent], None] | None = _print_event,
                      engine: Engine | None = None) -> int:
    """Watch the workspace's inbox and run its jobs with ``workers`` threads until Ctrl-C / SIGTERM
    (or ``stop_event``). Running jobs stop at their next batch boundary (their last batch is
    committed) and resume when the service starts again. Returns an exit code (0: clean stop)."""
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if engine is None:
        ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
        engine = Engine(ws)
    watcher = InboxWatcher(engine, stability=stability, rescan_interval=rescan_interval, workers=workers,
                           on_event=on_event)
    with StopOnSignal("importdesk watch", stopping=STOPPING, event=stop_event) as stop:
        if on_event is not None:
            on_event(InboxEvent(InboxEventKind.NOTICE, f"watching {engine.workspace.inbox} with {workers} worker"
                                                       f"{'s' if workers != 1 else ''} (Ctrl-C to stop)"))
        try:
            watcher.start()
            while not stop.event.wait(0.2):
                if not watcher.alive:
                    break
            watcher.stop(timeout=5.0)
        except KeyboardInterrupt:
            watcher.stop(timeout=1.0)
            return 130
    return 0 if stop.stopped else 1


__all__ = ["run_watch_service"]
