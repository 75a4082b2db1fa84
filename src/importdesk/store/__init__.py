"""SQLite store: the single source of truth for jobs, job items, kept files and records."""

from importdesk.store.database import Database
from importdesk.store.jobs import JobStore, JobNotFound
from importdesk.store.items import ItemStore
from importdesk.store.records import RecordStore
from importdesk.store.files import FileStore, SourceFile

__all__ = ["Database", "JobStore", "JobNotFound", "ItemStore", "RecordStore", "FileStore", "SourceFile"]
