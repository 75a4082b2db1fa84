"""The inbox's queries on a PostgreSQL store: same-content lookups and moving a kept file read the
jobs' JSON as on SQLite (the backend gives PostgreSQL SQLite's json_extract and json_set)."""

from __future__ import annotations

from importdesk.engine import Engine, ImportOptions
from importdesk.store import inbox_claims
from importdesk.workspace import Workspace

from support import FixedClock, counting_uids, write_products


def test_kept_files_are_found_and_moved_by_their_path(tmp_path, pg_url, monkeypatch):
    monkeypatch.setenv("IMPORTDESK_STORE", pg_url)
    engine = Engine(Workspace.open(tmp_path / "ws"), clock=FixedClock(), uid_factory=counting_uids())
    job = engine.create_job(write_products(tmp_path / "p.csv", 5), ImportOptions(resource_type="products"))
    db = engine.ctx.db
    kept = job.provider_data.kept_path
    assert inbox_claims.active_job_with_content(db.conn(), job.provider_data.sha256, "execute") == (job.uid, "p.csv")
    folder = kept.rsplit("/", 2)[0]
    assert [j.uid for j in inbox_claims.jobs_kept_under(db, folder, "pending")] == [job.uid]
    with db.write() as conn:
        assert inbox_claims.relocate(conn, kept, "failed/x/p.csv") == 1
    moved = engine.get_job(job.uid)
    assert moved.provider_data.kept_path == "failed/x/p.csv"
    assert moved.provider_data.sha256 == job.provider_data.sha256  # the rest of the JSON as it was
    engine.close()
