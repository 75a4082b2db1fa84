"""The PostgreSQL backend (psycopg 3; ``pip install 'importdesk[postgres]'``)."""

from importdesk.store.backends import Backend, LeaseLost
from importdesk.store.backends.postgres.database import PgDatabase, StoreUnreachable
from importdesk.store.backends.postgres.jobs import PgJobStore
from importdesk.store.backends.postgres.records import PgRecordStore
from importdesk.store.files import FileStore
from importdesk.store.items import ItemStore

BACKEND = Backend("postgresql", PgJobStore, ItemStore, FileStore, PgRecordStore)

__all__ = ["BACKEND", "LeaseLost", "PgDatabase", "StoreUnreachable"]
