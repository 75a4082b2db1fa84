"""A job whose end cannot be written (the PostgreSQL server went away just then) is let go: its
worker's heartbeat stops renewing its lease, so once the lease has run out another worker takes
it over from its checkpoint, instead of the job staying `processing` for as long as the first
worker's process lives."""

from __future__ import annotations

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobStatus
from importdesk.store.backends import StoreUnavailable
from importdesk.store.backends.postgres.jobs import LEASE_EXPIRED, PgJobStore
from importdesk.workspace import Workspace

from support import write_products
from waiting import wait_until

LEASE = 1  # seconds: the heartbeat would renew it three times a second


def test_an_end_that_cannot_be_written_lets_the_lease_run_out_for_a_takeover(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv("IMPORTDESK_STORE", f"{pg_url}&lease={LEASE}")
    ws = Workspace.open(tmp_path / "ws")
    first = Engine(ws)
    uid = first.create_job(write_products(tmp_path / "p.csv", 10), ImportOptions(resource_type="products")).uid
    save = PgJobStore.save

    def refuse_the_end(self, job, conn, **kwargs):
        if job.status is not JobStatus.PROCESSING and self is first.ctx.jobs:
            raise StoreUnavailable("the store postgresql://db cannot be reached: connection refused")
        return save(self, job, conn, **kwargs)

    monkeypatch.setattr(PgJobStore, "save", refuse_the_end)
    ran = first.run_next()
    assert ran.uid == uid and ran.status is JobStatus.INTERRUPTED
    assert "could not be recorded" in ran.error_message and "its lease runs out" in ran.error_message
    assert first.get_job(uid).status is JobStatus.PROCESSING  # what the store says: its last commit
    assert first.ctx.jobs.running() == []  # no longer renewed by the first worker's heartbeat

    second = Engine(ws)
    second.worker = "machine-b:1"
    taken = wait_until(lambda: second.run_next(), timeout=30, message="the second worker to take the job over")
    assert (taken.uid, taken.status, taken.progress.done) == (uid, JobStatus.DONE, 10)
    assert [i.code for i in second.list_items(uid)].count(LEASE_EXPIRED) == 1
    assert second.record_count("products") == 10
    first.close()
    second.close()
