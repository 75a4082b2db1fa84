"""Logging into the workspace's `importdesk.log`: every process on a workspace writes there.

The log never stops a command: a log that cannot be opened or written (a read-only workspace, a
full disk) is skipped from then on, with one line on stderr."""

from __future__ import annotations

import contextlib
import logging
import sys

from importdesk.workspace import Workspace

LOG_NAME = "importdesk.log"


class WorkspaceLogHandler(logging.FileHandler):
    """A FileHandler opened at the first record, that gives up quietly (once) when it cannot write."""

    def __init__(self, path) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.broken = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.broken:
            return
        try:
            super().emit(record)  # a failed write ends in handleError
        except Exception:  # opening the file is not guarded by logging itself
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.broken:
            return
        self.broken = True
        reason = sys.exc_info()[1]
        detail = getattr(reason, "strerror", None) or reason or "unknown error"
        with contextlib.suppress(Exception):  # not even stderr: nothing more to do
            print(f"importdesk: cannot write the log {LOG_NAME} ({detail}); going on without it", file=sys.stderr)
        with contextlib.suppress(OSError):
            if self.stream is not None:
                self.stream.close()
        self.stream = None  # type: ignore[assignment]


def log_to_workspace(ws: Workspace) -> None:
    root = logging.getLogger("importdesk")
    if root.handlers:
        return
    handler = WorkspaceLogHandler(ws.root / LOG_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
