"""Which watchers are alive: each one's token, its heartbeat file for other processes, and whether
the owner of a claim in flight may still be at work."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from importdesk.engine.worker_identity import is_gone
from importdesk.inbox.status import WATCHERS_DIR
from importdesk.workspace import Workspace

HEARTBEAT_EVERY = 1.0

_LIVE_TOKENS: set[str] = set()  # watchers running in this process


def new_token() -> str:
    """``host:pid:instance``: who claims a file, written into its claim note."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Heartbeat:
    """``processing/.watchers/<token>.json``, touched every second while the watcher runs (what
    `inbox_status` reads in any process); the token counts as live in this process meanwhile."""

    def __init__(self, ws: Workspace, token: str, rescan_interval: float) -> None:
        self.ws = ws
        self.token = token
        self.rescan_interval = rescan_interval
        self._file: Path | None = None
        self._last = 0.0

    def start(self) -> None:
        _LIVE_TOKENS.add(self.token)
        self._write()

    def beat(self) -> None:
        if self._file is None or time.monotonic() - self._last < HEARTBEAT_EVERY:
            return
        try:
            os.utime(self._file)
        except OSError:
            self._write()
        self._last = time.monotonic()

    def stop(self) -> None:
        _LIVE_TOKENS.discard(self.token)
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.unlink()
            self._file = None

    def _write(self) -> None:
        folder = self.ws.processing / WATCHERS_DIR
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / (self.token.replace(":", "_") + ".json")
            path.write_text(json.dumps({"owner": self.token, "inbox": self.ws.relative(self.ws.inbox),
                                        "rescan_interval": self.rescan_interval}), encoding="utf-8")
            self._file = path
            self._last = time.monotonic()
        except OSError:
            self._file = None


def owner_alive(owner: str) -> bool:
    """Owner tokens are host:pid:instance; a claim by a live watcher may be in flight."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if not host or not pid:
        return False
    if host == socket.gethostname() and pid == str(os.getpid()):
        return owner in _LIVE_TOKENS
    return not is_gone(f"{host}:{pid}", datetime.now(UTC), datetime.now(UTC))
