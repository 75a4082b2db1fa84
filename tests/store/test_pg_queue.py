"""PostgreSQL as the queue of many workers: each job claimed by exactly one, a dead worker's job
taken over by another once its lease has run out (exactly once), a late worker's batch refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

from support import write_products
from waiting import held_after_batch

WORKER = Path(__file__).with_name("pg_queue_worker.py")
WORKERS = 4
FILES = int(os.environ.get("IMPORTDESK_TEST_PG_FILES", "400"))  # the figure; bench/ has bigger
ROWS = 5
BIG_ROWS = 12_000  # three batches: a worker can die between two of them
LEASE = 5  # seconds: a dead worker's job comes back soon, a busy machine's live worker keeps its own


def _queue(tmp_path: Path, store: str, files: int, rows: int, big: int = 0) -> tuple[Workspace, dict[str, int]]:
    """A workspace with `big` files of BIG_ROWS rows, then `files` of `rows`: every row a key of its own."""
    ws = Workspace.open(tmp_path / "ws")
    engine = Engine(ws)  # the store: $IMPORTDESK_STORE (queue_url)
    sizes: dict[str, int] = {}
    start = 0
    (tmp_path / "in").mkdir()
    for n in range(big + files):
        count = BIG_ROWS if n < big else rows
        path = write_products(tmp_path / "in" / f"f{n:04d}.csv", count, start=start)
        sizes[engine.create_job(path, ImportOptions(resource_type="products")).uid] = count
        start += count
    engine.close()
    return ws, sizes


def _workers(ws: Workspace, store: str, logs: Path, n: int, first: int = 0) -> list[subprocess.Popen]:
    env = {**os.environ, "IMPORTDESK_STORE": store}
    return [subprocess.Popen([sys.executable, str(WORKER), str(ws.root), str(logs / f"w{first + i}.log")], env=env)
            for i in range(n)]


def _finished(logs: Path) -> Counter[str]:
    return Counter(line.split()[0] for log in logs.glob("w*.log") for line in log.read_text().splitlines())


def _wait(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        assert proc.wait(timeout=600) == 0


def _each_file_imported_once(ws: Workspace, store: str, sizes: dict[str, int]) -> Engine:
    engine = Engine(ws)  # the store: $IMPORTDESK_STORE (queue_url)
    jobs = engine.get_jobs(list(sizes))
    for uid, rows in sizes.items():
        job = jobs[uid]
        assert (job.status, job.progress.done, job.progress.pending) == (JobStatus.DONE, rows, 0), job.error_message
        assert (job.summary.create, job.summary.update, job.summary.unchanged) == (rows, 0, 0)
        assert engine.record_count("products", uid) == rows
    assert engine.record_count("products") == sum(sizes.values())
    return engine


@pytest.fixture
def queue_url(pg_url, monkeypatch):
    url = f"{pg_url}&lease={LEASE}"
    monkeypatch.setenv("IMPORTDESK_STORE", url)
    return url


def test_four_workers_import_every_file_exactly_once(tmp_path, queue_url):
    ws, sizes = _queue(tmp_path, queue_url, FILES, ROWS)
    logs = tmp_path / "logs"
    logs.mkdir()
    _wait(_workers(ws, queue_url, logs, WORKERS))
    finished = _finished(logs)
    assert set(finished) == set(sizes)
    assert max(finished.values()) == 1  # no job was run by two workers
    assert len([log for log in logs.glob("w*.log") if log.read_text()]) > 1  # the work was shared
    engine = _each_file_imported_once(ws, queue_url, sizes)
    assert sum(engine.count_items(uid) for uid in sizes) == 0
    engine.close()


def test_jobs_of_workers_killed_mid_file_are_taken_over_once_and_finished(tmp_path, queue_url):
    ws, sizes = _queue(tmp_path, queue_url, FILES // 4, ROWS, big=2)
    logs = tmp_path / "logs"
    logs.mkdir()
    killed: list[tuple[str, int]] = []
    with held_after_batch(1) as held:
        for n in range(2):  # twice: a worker holds its job after its first batch, and is killed there
            (victim,) = _workers(ws, queue_url, logs, 1, first=10 + n)
            killed.append(held.reached())
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=60)
            held.release()
    _wait(_workers(ws, queue_url, logs, WORKERS))
    finished = _finished(logs)
    assert set(finished) == set(sizes)
    assert max(finished.values()) == 1
    engine = _each_file_imported_once(ws, queue_url, sizes)
    for uid, times in Counter(uid for uid, _checkpoint in killed).items():
        takeovers = [i for i in engine.list_items(uid) if i.code == "lease_expired"]
        assert len(takeovers) == times  # recovered once per death, by one worker
        assert engine.get_job(uid).warnings_count == times
    # killed after a committed batch of its run (the second may have taken over the first's job)
    assert all(checkpoint % 5000 == 0 and 0 < checkpoint < BIG_ROWS for _uid, checkpoint in killed)
    engine.close()
