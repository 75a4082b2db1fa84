"""Runs import jobs. Never imports Textual: the app, the command line and the inbox all call this.

The names below are loaded on first use (PEP 562), so that importing one light engine module
(``engine.errors``, ``engine.writer_prestart``) or running ``importdesk --version`` does not
import the whole engine with pydantic and every schema."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importdesk.engine.events import JobProgressed, ProgressCallback
    from importdesk.engine.row_mapper import MIXED
    from importdesk.engine.service import Engine, ImportOptions, UsageError

__all__ = ["MIXED", "Engine", "ImportOptions", "JobProgressed", "ProgressCallback", "UsageError"]

_WHERE = {
    "MIXED": "importdesk.engine.row_mapper",
    "Engine": "importdesk.engine.service",
    "ImportOptions": "importdesk.engine.service",
    "UsageError": "importdesk.engine.errors",
    "JobProgressed": "importdesk.engine.events",
    "ProgressCallback": "importdesk.engine.events",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:  # a submodule (``from importdesk.engine import inbox_jobs``) is imported as one
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
