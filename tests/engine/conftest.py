"""The engine tests run on both store backends where they take the ``workspace`` (store_backends.py)."""

from __future__ import annotations

import pytest

from importdesk.workspace import Workspace


@pytest.fixture
def workspace(workspace: Workspace, store_backend: str) -> Workspace:
    return workspace
