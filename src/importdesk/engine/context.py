"""Everything a running job needs from the workspace, opened once per engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from importdesk.engine.clock import Clock, UidFactory, new_uid, utc_now
from importdesk.readers import Limits
from importdesk.schemas import Registry
from importdesk.store import Database, FileStore, ItemStore, JobStore, RecordStore
from importdesk.store.row_edits import RowEditStore
from importdesk.workspace import Workspace


@dataclass
class EngineContext:
    workspace: Workspace
    clock: Clock = utc_now
    new_uid: UidFactory = new_uid
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        self.db = Database(self.workspace.db_path)
        self.jobs = JobStore(self.db)
        self.items = ItemStore(self.db)
        self.records = RecordStore(self.db)
        self.files = FileStore(self.db, self.workspace.root)
        self.row_edits = RowEditStore(self.db)
        self.registry = Registry.load(self.workspace.schemas)

    def reload_schemas(self) -> None:
        self.registry = Registry.load(self.workspace.schemas)
