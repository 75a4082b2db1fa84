"""Shared fixtures: a temporary workspace and an engine with a fixed clock and ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from importdesk.engine import Engine
from importdesk.workspace import Workspace

from support import FixedClock, counting_uids


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws")


@pytest.fixture
def engine(workspace: Workspace):
    eng = Engine(workspace, clock=FixedClock(), uid_factory=counting_uids())
    yield eng
    eng.close()
