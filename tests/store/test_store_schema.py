"""The store's schema: migrations from an older workspace, and job revisions that move with every update."""

from __future__ import annotations

import sqlite3

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobFilter, JobStatus
from importdesk.store.migrations import MIGRATIONS, _statements, migrate
from importdesk.workspace import Workspace

from support import write_products


def test_a_workspace_of_an_older_version_is_migrated_with_its_jobs(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    for number in range(3):  # the schema as version 3 left it, with a job in it
        for statement in _statements(MIGRATIONS[number]):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("INSERT INTO jobs (uid, provider_type, provider_data, job_type, status, resource_type, "
                 "created_at, updated_at) VALUES ('01OLD', 'file', '{}', 'execute', 'done', 'products', "
                 "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')")
    assert migrate(conn) == len(MIGRATIONS)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT rev FROM jobs WHERE uid = '01OLD'").fetchone() == (0,)
    conn.execute("UPDATE jobs SET status = 'error' WHERE uid = '01OLD'")
    assert conn.execute("SELECT rev FROM jobs WHERE uid = '01OLD'").fetchone() == (1,)
    assert migrate(conn) == len(MIGRATIONS)  # nothing left to do the second time


def test_a_trigger_body_is_one_statement():
    script = "CREATE TABLE t (a);\nCREATE TRIGGER x AFTER UPDATE ON t BEGIN SELECT 1; SELECT 2; END;\n"
    assert [s.split()[1] for s in _statements(script)] == ["TABLE", "TRIGGER"]


def test_every_write_to_a_job_moves_its_revision(tmp_path, engine):
    path = write_products(tmp_path / "p.csv", 12_000)
    first = engine.create_job(path, ImportOptions(resource_type="products")).uid
    second = engine.create_job(path, ImportOptions(resource_type="products", reference="two")).uid
    revisions = dict(engine.job_revisions())
    assert [uid for uid, _ in engine.job_revisions()] == [j.uid for j in engine.list_jobs()]

    engine.interrupt(second)  # a pending job: a status change
    engine.resume(second)
    after_requests = dict(engine.job_revisions())
    assert after_requests[second] > revisions[second] and after_requests[first] == revisions[first]

    engine.run_job(first)  # claimed, three batches, done: every commit is an update
    ran = dict(engine.job_revisions())
    assert ran[first] >= revisions[first] + 4 and ran[second] == after_requests[second]
    assert engine.get_jobs([first, "nope"]).keys() == {first}
    assert engine.get_jobs([first])[first].status is JobStatus.DONE
    assert engine.job_revisions(JobFilter(status=[JobStatus.DONE])) == [(first, ran[first])]


def test_a_request_from_another_process_moves_the_revision(tmp_path, workspace):
    """The app learns of an interrupt asked elsewhere through the revision, though only `request` changed."""
    engine = Engine(workspace)
    uid = engine.create_job(write_products(tmp_path / "p.csv", 10), ImportOptions(resource_type="products")).uid
    engine.ctx.jobs.claim_next(engine.worker, engine.ctx.clock(), uid=uid)
    before = dict(engine.job_revisions())[uid]
    other = Engine(Workspace.open(workspace.root))
    other.interrupt(uid)
    assert dict(engine.job_revisions())[uid] == before + 1
    assert engine.get_jobs([uid])[uid].request == "interrupt"
    other.close()
    engine.close()
