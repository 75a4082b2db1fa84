"""Shared fixtures: a temporary workspace (a copy of one migrated once per worker) and an engine with a
fixed clock and ids."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from importdesk.engine import Engine
from importdesk.workspace import Workspace

from bytecode_cache import cache_bytecode_outside_the_tree
from support import FixedClock, copy_workspace, counting_uids, migrated_workspace

cache_bytecode_outside_the_tree()  # before any worker or subprocess starts

# store_backend: the store and engine tests on SQLite and PostgreSQL
pytest_plugins = ["store_backends"]

# Where the slowest tests are (node id prefixes), dearest first, measured with --durations: they run
# first, so the parallel run ends on short tests and no worker waits alone on a long one at the end.
# (pytest-xdist hands tests out in this order; a name missing here only runs later.)
SLOW_FIRST = (
    "tests/faults/test_fault_loop.py::test_json_lines",  # 5-17 s each: every write, two writer starts each
    "tests/faults/test_fault_loop.py::test_every_write_of_an_import_can_fail_and_nothing_is_lost[batch_writer",
    "tests/faults/test_fault_loop.py",  # 1.5-5 s each: every write of an import made to fail
    "tests/packaging/",  # one group: the sdist and wheel built once, installed in a new venv
    "tests/cli/test_readme_examples.py",  # every README line in a shell
    "tests/tui/",  # the app under Pilot: 1-6 s each
    "tests/faults/test_disk_full.py",
    "tests/engine/test_engine_crash_and_race.py",
    "tests/bench/",
    "tests/cli/test_cli_output.py",
    "tests/inbox/",
)


def pytest_xdist_auto_num_workers(config) -> int:
    """Two workers per core for `-n auto`: half of a worker's time is spent waiting (on the writer and
    CLI processes it starts, on the inbox's stability windows), and a second worker per core fills it.
    On 2 cores the suite took 147.2 s with 2 workers and 127.5 s with 4 (a new clone, interleaved; runs
    vary by 10-20 s on this machine). At most 32: each worker holds PostgreSQL connections, and the CI
    cluster allows 200 (.ci/postgres.sh)."""
    return min(2 * (os.cpu_count() or 1), 32)


def _cost_rank(item) -> int:
    return next((i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST))


def pytest_collection_modifyitems(items) -> None:
    items.sort(key=_cost_rank)  # stable: the same order on every worker, collection order within a rank


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
