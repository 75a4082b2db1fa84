"""``importdesk watch``: the headless drop-folder service (watcher + a pool of import workers)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable

from importdesk.engine import Engine
from importdesk.inbox.watcher import InboxEvent, InboxWatcher
from importdesk.workspace import Workspace


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
    stop = stop_event or threading.Event()
    previous: dict[int, object] = {}

    def handle(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nimportdesk watch: stopping (running jobs stop at their next batch; Ctrl-C again to force)…",
              file=sys.stderr, flush=True)

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, handle)
    watcher = InboxWatcher(engine, stability=stability, rescan_interval=rescan_interval, workers=workers,
                           on_event=on_event)
    if on_event is not None:
        on_event(InboxEvent("notice", f"watching {engine.workspace.inbox} with {workers} worker"
                                      f"{'s' if workers != 1 else ''} (Ctrl-C to stop)"))
    try:
        watcher.start()
        while not stop.wait(0.2):
            if not watcher.alive:
                break
        watcher.stop(timeout=5.0)
    except KeyboardInterrupt:
        watcher.stop(timeout=1.0)
        return 130
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if stop.is_set() else 1


__all__ = ["run_watch_service"]
