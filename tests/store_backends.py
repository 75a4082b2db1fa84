"""The store backends the store, engine and inbox tests run on: SQLite always, PostgreSQL where a
cluster is there ($IMPORTDESK_TEST_PG; .ci/run starts one), skipped saying why where it is not.

A test runs on both when it takes the store through the ``workspace`` (or the inbox's ``ws``)
fixture, which asks for ``store_backend``: ``[sqlite]`` and ``[postgres]`` in its id. A test the
backends cannot share says why with ``@pytest.mark.sqlite_only("why")`` and keeps its one id; one
that PostgreSQL fails for a known gap of its backend says which with ``@pytest.mark.pg_xfail("why")``
(strict: once fixed, it fails until the marker goes).
Which tests carry both: those whose assertions are about what the store keeps or how jobs move
through it (counts, classification, items, records, lifecycle, claims, revisions). SQLite alone,
saying why: where the store is incidental to what is checked (a reader's verdict, the inbox's file
handling, a pipe), where a PostgreSQL test covers the point (it is named), and where the behaviour
is SQLite's own (the batch writer, recovery by pid, the sqlite3 file). A PostgreSQL parameter costs
~0.15 s of CPU (client and server) for a small import, ~1 s where it starts processes: it has to be
worth that, and where a cheaper test on both checks the same store path, the costly one names it.

The engines a test opens find the store through $IMPORTDESK_STORE (set for the test, inherited by
the processes it starts), as `importdesk --store` does.

Each PostgreSQL test gets an empty store of its own: one database per worker, migrated once, whose
tables are emptied after each test (its connections ended first). Measured on the server, per test:
copying a migrated database (``CREATE DATABASE … TEMPLATE``, then dropping it) costs ~100 ms of CPU,
a new schema migrated ~55 ms, emptying the tables ~10 ms.

A plugin of the whole suite (tests/conftest.py), so the hook and the fixtures are everywhere; only the
workspace fixtures of tests/store, tests/engine and tests/inbox ask for ``store_backend``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

PG_ENV = "IMPORTDESK_TEST_PG"
STORE_ENV = "IMPORTDESK_STORE"  # importdesk.store.backends.STORE_ENV (not imported: collection stays light)


def pg_skip_reason() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when they can."""
    if not os.environ.get(PG_ENV):
        why = os.environ.get(f"{PG_ENV}_UNAVAILABLE")
        return (f"PostgreSQL unavailable: {why}" if why else
                f"PostgreSQL tests need ${PG_ENV} (a cluster's URL; .ci/run starts one)")
    try:
        import psycopg  # noqa: F401 (only whether it is there)
    except ImportError:
        return "PostgreSQL tests need psycopg: pip install -c constraints.txt -e '.[test]'"
    return None


def database_url(name: str) -> str:
    """$IMPORTDESK_TEST_PG's URL for the database ``name`` of the same cluster."""
    return urlsplit(os.environ[PG_ENV])._replace(path=f"/{name}").geturl()


def _admin():
    import psycopg

    return psycopg.connect(os.environ[PG_ENV], autocommit=True)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "sqlite_only(why): a store test that runs on SQLite alone, and why")
    config.addinivalue_line("markers", "pg_xfail(why): a store test PostgreSQL fails (a known gap of its "
                                       "backend): strict, so the fix is noticed")


def pytest_report_header(config) -> str:
    skip = pg_skip_reason()
    return f"store backends: sqlite only ({skip})" if skip else "store backends: sqlite and postgres"


def _reason(metafunc, name: str) -> str | None:
    marker = metafunc.definition.get_closest_marker(name)
    if marker is None:
        return None
    if not marker.args or not str(marker.args[0]).strip():
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: {name} needs its reason")
    return str(marker.args[0])


def pytest_generate_tests(metafunc) -> None:
    """Every test that asks for ``store_backend`` runs once per backend (but a ``sqlite_only`` one)."""
    if "store_backend" not in metafunc.fixturenames or _reason(metafunc, "sqlite_only"):
        return  # store_backend's default: SQLite, the test id unchanged
    skip, known_gap = pg_skip_reason(), _reason(metafunc, "pg_xfail")
    marks = ([pytest.mark.skip(reason=skip)] if skip else
             [pytest.mark.xfail(strict=True, reason=f"PostgreSQL: {known_gap}")] if known_gap else [])
    metafunc.parametrize("store_backend", ["sqlite", pytest.param("postgres", marks=marks)], indirect=True)


class WorkerDatabase:
    """A database of this worker's own with every migration, emptied after each test that used it."""

    def __init__(self) -> None:
        from importdesk.store.backends.postgres import PgDatabase

        self.name = f"idt_{uuid.uuid4().hex[:12]}"
        self.url = database_url(self.name)
        with _admin() as admin:
            admin.execute(f"CREATE DATABASE {self.name}")
        PgDatabase(self.url).close_all()
        with self._connect() as conn:
            self.tables = self._tables(conn)  # what the migrations made

    def _connect(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    @staticmethod
    def _tables(conn) -> set[str]:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}

    def empty(self) -> None:
        """As the migrations left it: every connection the test left is ended (waited for, so its locks
        are gone), the tables it made (records) dropped, the others emptied and their ids started again."""
        with self._connect() as conn:
            conn.execute("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
                         " WHERE datname = current_database() AND pid <> pg_backend_pid()")
            made = self._tables(conn) - self.tables
            if made:
                conn.execute("DROP TABLE " + ", ".join(f'"{t}"' for t in sorted(made)) + " CASCADE")
            kept = sorted(self.tables - {"importdesk_schema"})  # the schema's version stays
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in kept) + " RESTART IDENTITY CASCADE")

    def drop(self) -> None:
        with _admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_worker_database() -> Iterator[WorkerDatabase]:
    reason = pg_skip_reason()
    if reason:
        pytest.skip(reason)
    database = WorkerDatabase()
    yield database
    database.drop()


@pytest.fixture
def pg_database(request) -> Iterator[str]:
    """The URL of a migrated, empty PostgreSQL store for this test alone."""
    reason = pg_skip_reason()
    if reason:
        pytest.skip(reason)
    database = request.getfixturevalue("pg_worker_database")
    yield database.url
    database.empty()


@pytest.fixture
def store_backend(request, monkeypatch) -> str:
    """"sqlite" or "postgres": the backend the engines of this test use (through $IMPORTDESK_STORE)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgres":
        monkeypatch.setenv(STORE_ENV, request.getfixturevalue("pg_database"))
    else:
        monkeypatch.delenv(STORE_ENV, raising=False)
    return backend
