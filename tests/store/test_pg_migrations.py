"""The PostgreSQL migrations are the SQLite ones' twin: same versions, same tables, same columns."""

from __future__ import annotations

import sqlite3

import pytest

from importdesk.store.backends.postgres.migrations import PG_MIGRATIONS
from importdesk.store.migrations import MIGRATIONS, migrate

# kept only by one backend: SQLite's own bookkeeping, and PostgreSQL's schema version (SQLite keeps
# it in PRAGMA user_version)
BOOKKEEPING = {"sqlite_sequence", "importdesk_schema"}


def test_each_sqlite_migration_has_its_postgresql_twin():
    assert len(PG_MIGRATIONS) == len(MIGRATIONS)


def _sqlite_layout(tmp_path) -> dict[str, set[str]]:
    conn = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    migrate(conn)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")} for t in tables if t not in BOOKKEEPING}


def PgDatabase(url: str):
    from importdesk.store.backends.postgres import PgDatabase

    return PgDatabase(url)


def _pg_layout(url: str) -> dict[str, set[str]]:
    db = PgDatabase(url)
    layout: dict[str, set[str]] = {}
    for table, column in db.conn().execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"):
        if table not in BOOKKEEPING:
            layout.setdefault(table, set()).add(column)
    db.close()
    return layout


def test_both_stores_get_the_same_tables_and_columns(tmp_path, pg_url):
    sqlite_layout = _sqlite_layout(tmp_path)
    assert "lease_until" in sqlite_layout["jobs"]
    assert _pg_layout(pg_url) == sqlite_layout


def test_a_migrated_postgresql_store_is_left_alone_and_keeps_its_jobs(pg_url):
    first = PgDatabase(pg_url)
    with first.write() as conn:
        conn.execute("INSERT INTO jobs (uid, provider_type, provider_data, job_type, status, resource_type,"
                     " created_at, updated_at) VALUES ('01OLD', 'file', '{}', 'execute', 'done', 'products',"
                     " '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')")
        conn.execute("UPDATE jobs SET status = 'error' WHERE uid = '01OLD'")
    again = PgDatabase(pg_url)  # a second process opening the store: nothing to migrate
    assert again.conn().execute("SELECT version FROM importdesk_schema").fetchall() == [(len(PG_MIGRATIONS),)]
    assert again.conn().execute("SELECT status, rev FROM jobs").fetchall() == [("error", 1)]
    first.close()
    again.close()


def test_a_store_of_a_newer_version_is_refused_saying_so(pg_url):
    PgDatabase(pg_url).conn().execute("UPDATE importdesk_schema SET version = version + 1")
    with pytest.raises(RuntimeError, match="newer importdesk"):
        PgDatabase(pg_url)


def test_an_unreachable_store_says_which_and_hides_the_password(pg_url):
    import psycopg

    from importdesk.store.backends.postgres import StoreUnreachable

    with pytest.raises(StoreUnreachable) as caught:
        PgDatabase("postgresql://someone:s3cret@127.0.0.1:1/nowhere?connect_timeout=2")
    assert "s3cret" not in str(caught.value) and "127.0.0.1:1" in str(caught.value)
    assert not isinstance(caught.value, psycopg.Error)
