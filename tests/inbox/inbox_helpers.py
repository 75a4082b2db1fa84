"""Helpers of the inbox tests (their fixtures are in conftest.py): files, bounded waits, job lists."""

from __future__ import annotations

from pathlib import Path

from importdesk.engine import Engine
from importdesk.models import ImportJob, JobFilter
from importdesk.workspace import Workspace

from waiting import wait_until  # noqa: F401 - the suite's one bounded wait, used by the inbox tests from here

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
