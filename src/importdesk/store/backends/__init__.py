"""Which store a workspace's engine uses: SQLite in the workspace (the default) or a PostgreSQL
database named by a URL (``--store postgresql://…`` or ``$IMPORTDESK_STORE``).

A backend is the set of store classes over one kind of database. The SQL that differs between
the two lives in the backend's own modules (``postgres/``); the engine only ever sees the store
classes' methods, whichever backend made them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from importdesk.workspace import WorkspaceError

STORE_ENV = "IMPORTDESK_STORE"
POSTGRES_SCHEMES = ("postgresql", "postgres")


class StoreURLError(WorkspaceError, ValueError):
    """A store URL that names no backend importdesk has."""


class LeaseLost(RuntimeError):
    """A worker's lease on a job ran out and another worker holds the job now: nothing of the
    write that found it out was kept (PostgreSQL; store/backends/postgres/jobs.py)."""


class StoreUnavailable(WorkspaceError):
    """The store cannot be used right now (PostgreSQL: its server is down or unreachable, or the
    connection broke): nothing of the transaction in flight was kept; later it may work again."""


class StoreConnectionLost(StoreUnavailable):
    """The connection to the store broke (the server restarted, an administrator ended it, the
    network dropped): the transaction it was in was rolled back, nothing of it kept."""


@dataclass(frozen=True)
class Backend:
    name: str
    jobs: type
    items: type
    files: type
    records: type


def store_url(explicit: str | None = None) -> str | None:
    """The store to use: the one given, else $IMPORTDESK_STORE, else None (SQLite in the workspace)."""
    return explicit or os.environ.get(STORE_ENV) or None


def describe(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def open_store(url: str | None, sqlite_path: Path) -> tuple[Any, Backend]:
    """(database, backend) for the URL; None or ``sqlite:///PATH`` is SQLite."""
    scheme = urlsplit(url).scheme if url else ""
    if scheme in POSTGRES_SCHEMES:
        try:
            from importdesk.store.backends.postgres import BACKEND, PgDatabase
        except ImportError as exc:
            raise StoreURLError(f"a PostgreSQL store needs psycopg ({exc}): "
                                "pip install 'importdesk[postgres]'") from None
        return PgDatabase(url), BACKEND
    from importdesk.store.backends.sqlite import BACKEND
    from importdesk.store.database import Database

    if not url:
        return Database(sqlite_path), BACKEND
    if scheme == "sqlite":
        return Database(Path(urlsplit(url).path)), BACKEND
    raise StoreURLError(f"the store {describe(url)!r} is neither postgresql://… nor sqlite:///PATH")
