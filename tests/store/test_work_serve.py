"""`importdesk work` as one worker of a fleet, on both stores: it waits while nothing is queued and
takes a job queued later; SIGTERM ends it with 0 and hands the job in flight back to the queue at
its checkpoint, so another worker (`work --once` here) finishes it with exact counts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.engine.pipeline import BATCH_ROWS
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

from support import write_products
from waiting import held_after_batch, wait_until

CLI = [sys.executable, "-c", "from importdesk.cli import main; raise SystemExit(main())"]


def _env(store_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "IMPORTDESK_STORE"}
    if store_url:
        env["IMPORTDESK_STORE"] = store_url
    return env


def _worker(ws: Workspace, store_url: str | None, log: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "-w", str(ws.root), "work", *extra], env=_env(store_url),
                            stdout=subprocess.DEVNULL, stderr=log.open("w"))


@pytest.fixture
def store_url(store_backend: str) -> str | None:
    """The store the engine and the workers share: None for SQLite in the workspace (tests/store_backends.py)."""
    return os.environ.get("IMPORTDESK_STORE")


def _engine(ws: Workspace, store_url: str | None, monkeypatch) -> Engine:
    if store_url:
        monkeypatch.setenv("IMPORTDESK_STORE", store_url)
    else:
        monkeypatch.delenv("IMPORTDESK_STORE", raising=False)
    return Engine(ws)


def test_a_waiting_worker_takes_a_job_queued_later_and_ends_on_sigterm(tmp_path, store_url, monkeypatch):
    ws = Workspace.open(tmp_path / "ws")
    engine = _engine(ws, store_url, monkeypatch)
    log = tmp_path / "worker.log"
    worker = _worker(ws, store_url, log)
    try:
        wait_until(lambda: "waiting for jobs" in log.read_text(), message="the worker to start waiting")
        assert worker.poll() is None  # nothing queued: it stays
        uid = engine.create_job(write_products(tmp_path / "later.csv", 20), ImportOptions(resource_type="products")).uid
        wait_until(lambda: engine.get_job(uid).status is JobStatus.DONE, message="the worker to run the job")
        assert worker.poll() is None  # done with it, still serving
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    job = engine.get_job(uid)
    assert (job.progress.done, job.summary.create) == (20, 20)
    assert f"job {uid} " in log.read_text()
    engine.close()


def test_sigterm_hands_the_job_in_flight_back_to_the_queue(tmp_path, store_url, monkeypatch):
    ws = Workspace.open(tmp_path / "ws")
    engine = _engine(ws, store_url, monkeypatch)
    rows = BATCH_ROWS * 2 + 100
    log = tmp_path / "worker.log"
    with held_after_batch(1) as held:
        worker = _worker(ws, store_url, log)
        try:
            uid = engine.create_job(write_products(tmp_path / "big.csv", rows),
                                    ImportOptions(resource_type="products")).uid
            held_uid, checkpoint = held.reached()
            worker.send_signal(signal.SIGTERM)
            held.release()
            assert worker.wait(timeout=60) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
    assert held_uid == uid
    job = engine.get_job(uid)
    assert (job.status, job.metadata.data_row_index, job.progress.done) == (JobStatus.PENDING, checkpoint, checkpoint)
    assert "goes back to the queue" in log.read_text()
    other = _worker(ws, store_url, tmp_path / "other.log", "--once")
    assert other.wait(timeout=120) == 0
    job = engine.get_job(uid)
    assert (job.status, job.progress.done, job.progress.error) == (JobStatus.DONE, rows, 0)
    assert (job.summary.create, job.summary.update) == (rows, 0)
    assert engine.record_count("products") == rows
    engine.close()
