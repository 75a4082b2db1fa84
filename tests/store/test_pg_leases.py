"""Leases on PostgreSQL, in one process: a job whose lease ran out goes to exactly one other
worker, and the worker that held it before can no longer write anything of it."""

from __future__ import annotations

import threading

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.models import ItemLevel, JobStatus
from importdesk.store.backends import open_store
from importdesk.workspace import Workspace

from support import START, FixedClock, counting_uids, write_products
from waiting import held_after_batch


@pytest.fixture
def queued(tmp_path, pg_url, monkeypatch):
    """(jobs store, uid of a pending job) on a PostgreSQL store."""
    monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
    engine = Engine(Workspace.open(tmp_path / "ws"), clock=FixedClock(), uid_factory=counting_uids())
    uid = engine.create_job(write_products(tmp_path / "a.csv", 10), ImportOptions(resource_type="products")).uid
    engine.close()
    db, backend = open_store(pg_url, tmp_path / "unused.db")
    yield backend.jobs(db), backend.items(db), uid
    db.close()


def _lease_runs_out(jobs, uid: str) -> None:
    jobs.db.conn().execute("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE uid = ?", (uid,))


def test_a_held_job_is_not_claimed_again_while_its_lease_runs(queued):
    jobs, _items, uid = queued
    assert jobs.claim_next("host-a:1", START).uid == uid
    assert jobs.claim_next("host-b:2", START) is None
    (lease,) = jobs.leases()
    assert lease[:2] == (uid, "host-a:1") and 0 < lease[2] <= jobs.db.lease_seconds


def test_a_job_whose_lease_ran_out_goes_to_one_other_worker_with_a_warning(queued):
    jobs, items, uid = queued
    jobs.claim_next("host-a:1", START)
    _lease_runs_out(jobs, uid)
    taken = jobs.claim_next("host-b:2", START)
    assert (taken.uid, taken.worker, taken.status) == (uid, "host-b:2", JobStatus.PROCESSING)
    assert jobs.claim_next("host-c:3", START) is None  # once: b's lease is fresh
    (warning,) = items.page(uid)
    assert (warning.level, warning.code, warning.value) == (ItemLevel.WARNING, "lease_expired", "host-a:1")
    assert "host-b:2 took the job over" in warning.message
    assert taken.warnings_count == 1


def test_the_worker_that_lost_its_lease_cannot_commit_a_batch(queued):
    from importdesk.store.backends.postgres import LeaseLost

    jobs, items, uid = queued
    late = jobs.claim_next("host-a:1", START)
    _lease_runs_out(jobs, uid)  # host-a stalled (not dead) past its lease
    jobs.claim_next("host-b:2", START)
    late.progress.done = 10
    def host_a_commits_a_batch() -> None:
        with jobs.db.write() as conn:
            items.add_rows(conn, [(uid, 2, None, "error", "price", "-1", "x", "a row of host-a's batch", None, None)])
            jobs.save(late, conn)

    with pytest.raises(LeaseLost, match="host-b:2 does"):
        host_a_commits_a_batch()
    assert [i.code for i in items.page(uid)] == ["lease_expired"]  # nothing of host-a's batch
    assert jobs.get(uid).progress.done == 0 and jobs.get(uid).worker == "host-b:2"


def test_interrupting_a_job_another_worker_holds_still_works(queued):
    jobs, _items, uid = queued
    jobs.claim_next("host-a:1", START)
    with jobs.db.write() as conn:  # another process (the app) asks it to stop
        job = jobs.get_for_update(conn, uid)
        job.request = "interrupt"
        jobs.save(job, conn, include_request=True)
    assert jobs.request_of(uid) == "interrupt"


def test_a_runner_that_stalled_past_its_lease_leaves_the_job_to_its_new_holder(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
    ws = Workspace.open(tmp_path / "ws")
    engine = Engine(ws, clock=FixedClock(), uid_factory=counting_uids())
    uid = engine.create_job(write_products(tmp_path / "big.csv", 12_000), ImportOptions(resource_type="products")).uid
    other_machine = Engine(ws)
    ran: dict = {}
    with held_after_batch(1) as held:
        runner = threading.Thread(target=lambda: ran.update(job=engine.run_job(uid)))
        runner.start()
        assert held.reached() == (uid, 5000)  # the runner stalls here, after its first batch, past its lease
        _lease_runs_out(other_machine.ctx.jobs, uid)
        assert other_machine.ctx.jobs.claim_next("host-b:2", START).uid == uid
        held.release()
        runner.join(timeout=120)
    job = ran["job"]  # the job as the store has it, not as the stalled runner would have had it
    assert (job.status, job.worker, job.metadata.data_row_index) == (JobStatus.PROCESSING, "host-b:2", 5000)
    assert engine.record_count("products") == 5000  # its second batch was refused
    assert [i.code for i in engine.list_items(uid)] == ["lease_expired"]
    other_machine.close()
    engine.close()
