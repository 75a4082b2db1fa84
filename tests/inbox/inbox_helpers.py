"""Helpers of the inbox tests (their fixtures are in conftest.py): files, the watcher's events awaited,
job lists."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from importdesk.engine import Engine
from importdesk.inbox import InboxEvent, InboxEventKind
from importdesk.models import ImportJob, JobFilter
from importdesk.workspace import Workspace

from waiting import WAIT_LIMIT, wait_until  # noqa: F401 - wait_until: for what no event reports

# A file became a job record: pending, a canceled duplicate, or a rejection in `error` (each emitted
# after its record was committed; a duplicate's or rejection's file moved on before its event).
RECORDED = (InboxEventKind.QUEUED, InboxEventKind.DUPLICATE, InboxEventKind.REJECTED)

FAST = {"stability": 0.2, "rescan_interval": 0.5}
HEADER = "sku,name,price,currency\n"


def product_rows(n: int, tag: str = "A") -> str:
    """n product rows whose content is unique per tag (so files are not duplicates of each other)."""
    return "".join(f"{tag}-{i:05d},Product {tag} {i},{i % 97 + 1}.50,EUR\n" for i in range(n))


def product_csv(n: int = 2, tag: str = "A") -> str:
    return HEADER + product_rows(n, tag)


def all_jobs(engine: Engine) -> list[ImportJob]:
    return engine.list_jobs(JobFilter(limit=100_000))


def inbox_files(ws: Workspace) -> list[Path]:
    return [p for p in ws.inbox.rglob("*") if p.is_file() or p.is_symlink()]


class EventRecorder(list):
    """The watcher's `on_event`: keeps every event, and `wait_for` blocks until enough have come (woken by
    each event, not by a timer; the bound only turns a hang into a failure)."""

    def __init__(self) -> None:
        super().__init__()
        self._arrived = threading.Condition()

    def append(self, event: InboxEvent) -> None:
        with self._arrived:
            super().append(event)
            self._arrived.notify_all()

    def wait_for(self, *kinds: InboxEventKind, count: int = 1, job_uid: str | None = None,
                 where: Callable[[InboxEvent], bool] | None = None, timeout: float = WAIT_LIMIT) -> list[InboxEvent]:
        """The events of `kinds` (for `job_uid`, matching `where`) once at least `count` of them came."""
        def matching() -> list[InboxEvent]:
            return [e for e in self if e.kind in kinds and (job_uid is None or e.job_uid == job_uid)
                    and (where is None or where(e))]

        with self._arrived:
            if not self._arrived.wait_for(lambda: len(matching()) >= count, timeout):
                shown = ", ".join(k.value for k in kinds)
                raise AssertionError(f"timed out after {timeout}s waiting for {count} {shown} event(s); "
                                     f"got: {[(e.kind.value, e.message) for e in self]}")
            return matching()
