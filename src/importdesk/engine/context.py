"""Everything a running job needs from the workspace, opened once per engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from importdesk.engine.clock import Clock, UidFactory, new_uid, utc_now
from importdesk.readers import Limits
from importdesk.store.backends import STORE_ENV, open_store, store_url
from importdesk.store.row_edits import RowEditStore
from importdesk.workspace import Workspace

if TYPE_CHECKING:
    from importdesk.schemas import Registry

__all__ = ["STORE_ENV", "EngineContext"]


@dataclass
class EngineContext:
    workspace: Workspace
    clock: Clock = utc_now
    new_uid: UidFactory = new_uid
    limits: Limits = field(default_factory=Limits)
    # an empty store in memory instead of the workspace's file (which is then never created);
    # one thread only: every other thread would get a store of its own
    in_memory: bool = False
    # the store's URL (store/backends); None: $IMPORTDESK_STORE, else SQLite in the workspace
    store: str | None = None

    def __post_init__(self) -> None:
        path = Path(":memory:") if self.in_memory else self.workspace.db_path
        self.db, backend = open_store(store_url(self.store), path)  # a shared store is read even in_memory
        self.jobs = backend.jobs(self.db)
        self.items = backend.items(self.db)
        self.records = backend.records(self.db)
        self.files = backend.files(self.db, self.workspace.root)
        self.row_edits = RowEditStore(self.db)
        self._registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        """The resource types, read at first use: listing, showing or deleting jobs needs none, and
        reading 18 built-in definitions was a third of such a command's start."""
        if self._registry is None:
            self._registry = self._load_registry()
        return self._registry

    def reload_schemas(self) -> None:
        self._registry = self._load_registry()

    def _load_registry(self) -> Registry:
        from importdesk.schemas import Registry  # with the validators: not for a command that reads jobs

        return Registry.load(self.workspace.schemas)
