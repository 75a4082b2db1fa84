"""The PostgreSQL store each test gets (tests/store_backends.py) is as the migrations left it, whatever
the test before left in it."""

from __future__ import annotations

from importdesk.engine import Engine, ImportOptions
from importdesk.workspace import Workspace

from support import write_products


def test_what_a_test_left_in_its_postgresql_store_is_gone_for_the_next(tmp_path, pg_database, pg_worker_database,
                                                                       monkeypatch):
    monkeypatch.setenv("IMPORTDESK_STORE", pg_database)
    before = Engine(Workspace.open(tmp_path / "ws"))
    for n in range(2):
        job = before.create_job(write_products(tmp_path / f"{n}.csv", 3, start=n * 10),
                                ImportOptions(resource_type="products"))
        before.run_job(job.uid)
    assert before.record_count("products") == 6
    # not closed, as a failing test leaves it: its connection must not hold the tables
    pg_worker_database.empty()

    after = Engine(Workspace.open(tmp_path / "ws2"))
    assert after.list_jobs() == [] and after.record_count("products") == 0
    assert not after.ctx.db.conn().table_exists("records_products")
    uid = after.create_job(write_products(tmp_path / "next.csv", 2), ImportOptions(resource_type="products")).uid
    assert after.ctx.db.conn().execute("SELECT seq FROM jobs WHERE uid = ?", (uid,)).fetchone()[0] == 1
    assert after.run_job(uid).summary.create == 2  # a new job, not an update of the last test's records
    after.close()
    before.close()
