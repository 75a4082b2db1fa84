"""The inbox's "same content already imported?" check holds across machines: two engines on one
PostgreSQL store (two watchers' machines) recording two copies of the same bytes at the same
moment make one pending job and one duplicate, because the second waits for the first's
transaction instead of reading past it."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import psycopg

from importdesk.engine import Engine, ImportOptions, inbox_jobs
from importdesk.models import JobStatus
from importdesk.store import inbox_claims
from importdesk.workspace import Workspace

from support import write_products
from waiting import wait_until


def _claimed_copy(ws: Workspace, uid: str, source: Path) -> Path:
    folder = ws.processing / uid
    folder.mkdir(parents=True)
    target = folder / "products.csv"
    target.write_bytes(source.read_bytes())
    return target


def _waiting_for_a_lock(app_name: str) -> bool:
    with psycopg.connect(os.environ["IMPORTDESK_TEST_PG"], autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                            " AND wait_event_type = 'Lock'", (app_name,)).fetchone()[0] > 0


def test_two_machines_recording_the_same_bytes_make_one_job_and_one_duplicate(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
    ws = Workspace.open(tmp_path / "ws")  # the shared folder both machines mount
    first = Engine(ws)
    second_name = f"second_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("IMPORTDESK_STORE", f"{pg_url}&application_name={second_name}")
    second = Engine(ws)
    source = write_products(tmp_path / "products.csv", 10)
    uid_a, uid_b = "01AAAAAAAAAAAAAAAAAAAAAAAA", "01BBBBBBBBBBBBBBBBBBBBBBBB"
    kept_a, kept_b = _claimed_copy(ws, uid_a, source), _claimed_copy(ws, uid_b, source)

    # the first machine is held inside its transaction, its job inserted and not yet committed
    inside, go_on = threading.Event(), threading.Event()
    register = inbox_claims.register_source

    def held_register(conn, *args):
        register(conn, *args)
        if threading.current_thread().name == "first":
            inside.set()
            go_on.wait(60)

    monkeypatch.setattr(inbox_claims, "register_source", held_register)
    options = ImportOptions(resource_type="products")
    jobs = {}

    def record(engine: Engine, kept: Path, uid: str) -> None:
        jobs[uid] = inbox_jobs.create_claimed_job(engine, kept, "products.csv", options, uid=uid)

    a = threading.Thread(target=record, args=(first, kept_a, uid_a), name="first")
    b = threading.Thread(target=record, args=(second, kept_b, uid_b), name="second")
    a.start()
    assert inside.wait(60)
    b.start()
    try:
        wait_until(lambda: _waiting_for_a_lock(second_name), message="the second machine to wait for the first")
    finally:
        go_on.set()
        a.join(60)
        b.join(60)
    assert jobs[uid_a].status is JobStatus.PENDING
    assert jobs[uid_b].status is JobStatus.CANCELED
    assert uid_a in jobs[uid_b].error_message and "not imported again" in jobs[uid_b].error_message
    stored = first.get_jobs([uid_a, uid_b])
    assert (stored[uid_a].status, stored[uid_b].status) == (JobStatus.PENDING, JobStatus.CANCELED)
    first.close()
    second.close()
