"""What the watcher tells: a typed `InboxEvent` to the caller, a log line, the recent notices."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from importdesk.inbox.naming import display

log = logging.getLogger("importdesk.inbox.watcher")

MAX_NOTICES = 50


class InboxEventKind(StrEnum):
    QUEUED = "queued"  # a file became a pending job (or an inbox job resumes)
    DUPLICATE = "duplicate"  # its content was imported already: a canceled job says by which job
    REJECTED = "rejected"  # it could not become a job: a job in `error` says why
    NOTICE = "notice"  # an odd entry left in place, a deleted job's file kept, the service's own news
    FINISHED = "finished"  # a job the watcher's workers ran has ended its run
    PROBLEM = "problem"  # something the watcher retries (the store was busy, a file could not move)

    @property
    def is_trouble(self) -> bool:
        """Kept among the status's recent notices and shown as a warning or error."""
        return self is not InboxEventKind.QUEUED and self is not InboxEventKind.FINISHED

    @property
    def log_level(self) -> int:
        bad = (InboxEventKind.NOTICE, InboxEventKind.PROBLEM, InboxEventKind.REJECTED)
        return logging.WARNING if self in bad else logging.INFO


@dataclass(frozen=True)
class InboxEvent:
    """What the watcher did, for a log line or a toast. A kind given as its text is read as the enum."""

    kind: InboxEventKind
    message: str
    job_uid: str | None = None
    path: str | None = None  # inbox-relative, escaped for display

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", InboxEventKind(self.kind))


class EventLog:
    """Emits events (log, notices, the caller's callback) and reports each odd entry only once."""

    def __init__(self, on_event: Callable[[InboxEvent], None] | None = None, max_notices: int = MAX_NOTICES) -> None:
        self.on_event = on_event
        self.notices: deque[str] = deque(maxlen=max_notices)
        self._reported: set[tuple[str, str, int]] = set()
        self._lock = threading.Lock()

    def emit(self, kind: InboxEventKind, message: str, job_uid: str | None = None, path: str | None = None) -> None:
        event = InboxEvent(kind, message, job_uid, path)
        log.log(event.kind.log_level, "inbox %s: %s", event.kind, message)
        if event.kind.is_trouble:
            self.notices.append(message)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:
                log.exception("inbox: on_event callback failed")

    def report_once(self, key: str, what: str, ino: int, message: str) -> None:
        """A notice about the inbox entry ``key``, once per (entry, what, inode)."""
        marker = (key, what, ino)
        with self._lock:
            if marker in self._reported:
                return
            self._reported.add(marker)
        self.emit(InboxEventKind.NOTICE, message, path=display("inbox/" + key))
