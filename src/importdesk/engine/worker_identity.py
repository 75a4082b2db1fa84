"""Which process runs a job, and whether that process is still alive."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

STALE_AFTER = timedelta(minutes=10)  # a heartbeat older than this means the runner is gone


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_gone(worker: str | None, heartbeat: datetime | None, now: datetime) -> bool:
    """True when the process that claimed a job can no longer be running it."""
    if not worker:
        return True
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _pid_alive(int(pid))
    return heartbeat is None or now - heartbeat > STALE_AFTER
