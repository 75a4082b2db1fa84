"""A snapshot of the inbox for the app header, readable from any process."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass, field

from importdesk.inbox.naming import is_supported
from importdesk.inbox.scan import scan
from importdesk.workspace import Workspace

WATCHERS_DIR = ".watchers"  # processing/.watchers/<host>_<pid>_<id>.json, touched every second
STALE_AFTER = 15.0  # seconds without a touch: that watcher is gone


@dataclass(frozen=True)
class InboxStatus:
    inbox: str  # workspace-relative, e.g. "inbox"
    watching: bool  # a watcher (this process or another) is watching it
    waiting: int  # importable files in the inbox not claimed yet (including ones still being written)
    processing: int = 0  # claimed files whose jobs are queued or running
    notices: tuple[str, ...] = field(default_factory=tuple)  # recent problems (odd entries, rejects)

    def header(self) -> str:
        """``inbox: watching · 3 waiting`` — one short line for a header or status bar."""
        state = "watching" if self.watching else "not watched"
        return f"{self.inbox}: {state} · {self.waiting} waiting"


def watchers(ws: Workspace) -> list[str]:
    """Owner tokens of the watchers that look alive."""
    folder = ws.processing / WATCHERS_DIR
    alive = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return alive
    now = time.time()
    host = socket.gethostname()
    for entry in entries:
        if not entry.name.endswith(".json"):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            with open(entry.path, encoding="utf-8") as note:
                owner = json.load(note).get("owner", "")
        except (OSError, ValueError):
            continue
        if now - info.st_mtime > STALE_AFTER:
            continue
        owner_host, _, rest = owner.partition(":")
        pid = rest.partition(":")[0]
        if owner_host == host and pid.isdigit():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                continue
            except PermissionError:
                pass
        alive.append(owner)
    return alive


def inbox_status(ws: Workspace) -> InboxStatus:
    """From disk: cheap enough to call every second or two (one listing of inbox/ and processing/)."""
    from importdesk.engine.inbox_claim import UID_RE

    result = scan(ws.inbox)
    waiting = sum(1 for c in result.candidates.values() if is_supported(c.name))
    try:
        processing = sum(1 for n in os.listdir(ws.processing) if UID_RE.match(n))
    except OSError:
        processing = 0
    return InboxStatus(inbox=ws.relative(ws.inbox), watching=bool(watchers(ws)), waiting=waiting,
                       processing=processing)
