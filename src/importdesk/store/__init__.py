"""SQLite store: the single source of truth for jobs, job items, kept files and records."""

from importdesk.store.database import Database
from importdesk.store.files import FileStore, SourceFile
from importdesk.store.items import ItemStore
from importdesk.store.jobs import JobNotFound, JobStore
from importdesk.store.records import RecordStore

__all__ = ["Database", "FileStore", "ItemStore", "JobNotFound", "JobStore", "RecordStore", "SourceFile"]
