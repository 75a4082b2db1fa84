"""The PostgreSQL backend (psycopg 3; ``pip install 'importdesk[postgres]'``)."""

from importdesk.store.backends import Backend, LeaseLost
from importdesk.store.backends.postgres.database import PgDatabase, StoreUnreachable
from importdesk.store.backends.postgres.items import PgItemStore
from importdesk.store.backends.postgres.jobs import PgJobStore
from importdesk.store.backends.postgres.records import PgRecordStore
from importdesk.store.files import FileStore

BACKEND = Backend("postgresql", PgJobStore, PgItemStore, FileStore, PgRecordStore)

__all__ = ["BACKEND", "LeaseLost", "PgDatabase", "StoreUnreachable"]
