"""Fixtures for the inbox tests: a fresh workspace (on each store backend), an engine, watchers that always
stop (helpers: inbox_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from importdesk.engine import Engine
from importdesk.inbox import InboxWatcher
from importdesk.workspace import Workspace

from inbox_helpers import FAST, EventRecorder
from support import copy_workspace


@pytest.fixture
def ws(tmp_path: Path, migrated_template: Path, store_backend: str) -> Workspace:
    """A workspace; a test that takes it runs on both store backends (store_backends.py)."""
    return copy_workspace(migrated_template, tmp_path / "ws")


@pytest.fixture
def engine(ws: Workspace) -> Iterator[Engine]:
    eng = Engine(ws)
    yield eng
    eng.close()


@pytest.fixture
def events() -> EventRecorder:
    return EventRecorder()


@pytest.fixture
def watcher_factory(engine: Engine, events: EventRecorder) -> Iterator[Callable[..., InboxWatcher]]:
    """watcher_factory(**kwargs) -> a started InboxWatcher (fast defaults), stopped at teardown."""
    started: list[InboxWatcher] = []

    def make(start: bool = True, eng: Engine | None = None, **kwargs) -> InboxWatcher:
        options = {**FAST, "workers": 0, "on_event": events.append, **kwargs}
        watcher = InboxWatcher(eng or engine, **options)
        if start:
            watcher.start()
            started.append(watcher)
        return watcher

    yield make
    for watcher in started:
        watcher.stop(timeout=5.0)
