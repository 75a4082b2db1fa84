"""The SQLite backend: the store classes as they are (SQLite is the store's native dialect)."""

from importdesk.store.backends import Backend
from importdesk.store.files import FileStore
from importdesk.store.items import ItemStore
from importdesk.store.jobs import JobStore
from importdesk.store.records import RecordStore

BACKEND = Backend("sqlite", JobStore, ItemStore, FileStore, RecordStore)
