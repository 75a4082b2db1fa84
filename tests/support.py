"""Helpers shared by the test packages (importable as `support`)."""

from __future__ import annotations

import contextlib
import itertools
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "src" / "importdesk" / "sample_data"
CORPUS = REPO / "tests" / "corpus"
PRODUCTS_HEADER = "sku,name,description,category,price,currency,weight_kg,active,ean,launched_on,attributes"


START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class StepClock:
    """Starts at 2026-11-23 09:00 UTC and moves one second per call: same calls, same times."""

    def __init__(self, start: datetime = START, step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        now = self.now
        self.now += self.step
        return now


def FixedClock() -> StepClock:
    """The engine tests' clock: the same, its first reading 09:00:01."""
    return StepClock(START + timedelta(seconds=1))


def counting_uids(prefix: str = "01JOB", start: int = 1):
    counter = itertools.count(start)
    return lambda: f"{prefix}{next(counter):021d}"


def write_products(path: Path, rows: int, *, bad_every: int = 0, start: int = 0) -> Path:
    """A products CSV; every `bad_every`-th row has a negative price."""
    lines = [PRODUCTS_HEADER]
    for i in range(start, start + rows):
        price = "-1.00" if bad_every and i % bad_every == bad_every - 1 else f"{i % 500 + 1}.50"
        lines.append(f"SKU-{i:07d},Product {i},,tools,{price},EUR,0.5,true,,2025-01-0{i % 9 + 1},")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def migrated_workspace(root: Path) -> Path:
    """A new workspace at root with every migration applied, its database in one file (no WAL)."""
    from importdesk.engine import Engine
    from importdesk.workspace import Workspace

    ws = Workspace.open(root)
    Engine(ws).close()
    with contextlib.closing(sqlite3.connect(ws.db_path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return root


def copy_workspace(template: Path, root: Path):
    """A workspace of the test's own at root: a copy of the migrated template, opened."""
    from importdesk.workspace import Workspace

    shutil.copytree(template, root, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return Workspace.open(root)
