"""Helpers of the inbox tests (their fixtures are in conftest.py): files, bounded waits, job lists."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from importdesk.engine import Engine
from importdesk.models import ImportJob, JobFilter
from importdesk.workspace import Workspace

FAST = dict(stability=0.2, rescan_interval=0.5)
HEADER = "sku,name,price,currency\n"


def product_rows(n: int, tag: str = "A") -> str:
    """n product rows whose content is unique per tag (so files are not duplicates of each other)."""
    return "".join(f"{tag}-{i:05d},Product {tag} {i},{i % 97 + 1}.50,EUR\n" for i in range(n))


def product_csv(n: int = 2, tag: str = "A") -> str:
    return HEADER + product_rows(n, tag)


def wait_until(condition: Callable[[], object], timeout: float = 30.0, interval: float = 0.05,
               message: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def all_jobs(engine: Engine) -> list[ImportJob]:
    return engine.list_jobs(JobFilter(limit=100_000))


def inbox_files(ws: Workspace) -> list[Path]:
    return [p for p in ws.inbox.rglob("*") if p.is_file() or p.is_symlink()]
