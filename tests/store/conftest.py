"""Fixtures for the store tests: a fresh PostgreSQL schema per test on the cluster that .ci/run starts,
and the ``workspace`` that runs a test on both backends (store_backends.py).

$IMPORTDESK_TEST_PG names the cluster (a libpq URL). Where it is not set, or psycopg is not
installed, every test that needs PostgreSQL skips, and the reason says which (CI's .ci/run sets
$IMPORTDESK_TEST_PG_UNAVAILABLE to why it could not start one).
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest

from importdesk.workspace import Workspace

from store_backends import PG_ENV, pg_skip_reason


def with_schema(url: str, schema: str) -> str:
    """The URL with every connection's search_path set to ``schema``."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_url():
    """A PostgreSQL store URL of its own (a new schema, dropped afterwards)."""
    reason = pg_skip_reason()
    if reason:
        pytest.skip(reason)
    import psycopg

    base = os.environ[PG_ENV]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield with_schema(base, schema)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def workspace(workspace: Workspace, store_backend: str) -> Workspace:
    """The shared fixture's workspace; a test that takes it runs on both backends (store_backends.py)."""
    return workspace
