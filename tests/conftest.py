"""Shared fixtures: a temporary workspace (a copy of one migrated once per worker) and an engine with a
fixed clock and ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from importdesk.engine import Engine
from importdesk.workspace import Workspace

from support import FixedClock, copy_workspace, counting_uids, migrated_workspace

# store_backend: the store and engine tests on SQLite and PostgreSQL
pytest_plugins = ["store_backends"]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A workspace whose database has every migration, made once per worker and never used by a test:
    migrating a new database is most of an engine's start, and each test copies the result."""
    return migrated_workspace(tmp_path_factory.mktemp("template") / "ws")


@pytest.fixture
def workspace(tmp_path: Path, migrated_template: Path) -> Workspace:
    return copy_workspace(migrated_template, tmp_path / "ws")


@pytest.fixture
def engine(workspace: Workspace):
    eng = Engine(workspace, clock=FixedClock(), uid_factory=counting_uids())
    yield eng
    eng.close()
