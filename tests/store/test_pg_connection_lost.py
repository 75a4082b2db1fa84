"""A PostgreSQL connection lost in the middle of a job (an administrator's pg_terminate_backend,
as a server restart would do): `importdesk run` ends with a message that says so and the job
resumes to exact counts; `importdesk work` says so, stays up, and puts the job back in the queue,
where it finishes. Never a traceback, never an internal error, nothing imported twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.engine.pipeline import BATCH_ROWS
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

from support import write_products
from waiting import held_after_batch, wait_until

CLI = [sys.executable, "-c", "from importdesk.cli import main; raise SystemExit(main())"]
ROWS = BATCH_ROWS * 3 + 10


@pytest.fixture
def victim(pg_url):
    """(the store URL a subprocess uses, a function ending all of that subprocess's connections)."""
    name = f"victim_{uuid.uuid4().hex[:8]}"

    def cut() -> int:
        with psycopg.connect(os.environ["IMPORTDESK_TEST_PG"], autocommit=True) as conn:
            return len(conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                    " WHERE application_name LIKE %s", (f"{name}%",)).fetchall())

    return f"{pg_url}&application_name={name}", cut


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "IMPORTDESK_STORE": url}


def _queued(tmp_path: Path, pg_url: str, monkeypatch) -> tuple[Workspace, str]:
    monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
    ws = Workspace.open(tmp_path / "ws")
    engine = Engine(ws)
    uid = engine.create_job(write_products(tmp_path / "big.csv", ROWS), ImportOptions(resource_type="products")).uid
    engine.close()
    return ws, uid


def _assert_imported_once(ws: Workspace, uid: str) -> None:
    engine = Engine(ws)
    job = engine.get_job(uid)
    assert (job.status, job.progress.done, job.progress.error, job.progress.pending) == (JobStatus.DONE, ROWS, 0, 0)
    assert (job.summary.create, job.summary.update, job.summary.unchanged) == (ROWS, 0, 0)
    assert engine.record_count("products") == ROWS
    engine.close()


def test_run_whose_connection_is_cut_says_so_and_resumes(tmp_path, pg_url, victim, monkeypatch):
    url, cut = victim
    ws = Workspace.open(tmp_path / "ws")
    path = write_products(tmp_path / "big.csv", ROWS)
    with held_after_batch(1) as held:
        proc = subprocess.Popen([*CLI, "-w", str(ws.root), "run", str(path), "--type", "products"], env=_env(url),
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        uid, checkpoint = held.reached()
        assert cut() >= 1
        held.release()
        _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err  # interrupted: resumable
    assert "Traceback" not in err and "internal error" not in err
    assert "connection to the store" in err and "was lost" in err
    assert f"importdesk resume {uid[-8:]}" in err
    monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
    engine = Engine(ws)
    job = engine.get_job(uid)
    assert (job.status, job.metadata.data_row_index, job.progress.done) == (JobStatus.INTERRUPTED, checkpoint,
                                                                           checkpoint)
    assert "was lost" in job.error_message and "internal error" not in job.error_message
    assert engine.record_count("products") == checkpoint  # the batch in flight was not kept
    engine.close()
    resumed = subprocess.run([*CLI, "-w", str(ws.root), "resume", uid], env=_env(url), capture_output=True,
                             text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    _assert_imported_once(ws, uid)


def test_a_serving_worker_whose_connection_is_cut_stays_up_and_requeues_the_job(tmp_path, pg_url, victim,
                                                                              monkeypatch):
    url, cut = victim
    ws, uid = _queued(tmp_path, pg_url, monkeypatch)
    log = tmp_path / "worker.log"
    with held_after_batch(1) as held:
        worker = subprocess.Popen([*CLI, "-w", str(ws.root), "work"], env=_env(url), stdout=subprocess.DEVNULL,
                                  stderr=log.open("w"))
        try:
            _uid, checkpoint = held.reached()
            assert cut() >= 1
            held.release()
            # handed back and claimed again: it goes on from its checkpoint, one more batch in
            _uid, again = held.reached()
            assert again == checkpoint + BATCH_ROWS
            held.release()
            monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
            engine = Engine(ws)
            wait_until(lambda: engine.get_job(uid).status is JobStatus.DONE, 120, message="the job to finish")
            engine.close()
            assert worker.poll() is None  # still serving
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=60) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
    text = log.read_text()
    assert "Traceback" not in text and "internal error" not in text
    assert "was lost" in text and f"job {uid} is queued again" in text
    _assert_imported_once(ws, uid)
