"""Runs import jobs. Never imports Textual: the app, the command line and the inbox all call this.

The names below are loaded on first use (PEP 562), so that importing one light engine module
(``engine.errors``, ``engine.writer_prestart``) or running ``importdesk --version`` does not
import the whole engine with pydantic and every schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from importdesk import lazy_names

if TYPE_CHECKING:
    from importdesk.engine.events import JobProgressed, ProgressCallback
    from importdesk.engine.import_options import MIXED
    from importdesk.engine.service import Engine, ImportOptions, UsageError

__all__ = ["MIXED", "Engine", "ImportOptions", "JobProgressed", "ProgressCallback", "UsageError"]

_WHERE = lazy_names.where({
    "importdesk.engine.import_options": ("MIXED",),
    "importdesk.engine.service": ("Engine", "ImportOptions"),
    "importdesk.engine.errors": ("UsageError",),
    "importdesk.engine.events": ("JobProgressed", "ProgressCallback"),
})
__getattr__ = lazy_names.loader(__name__, _WHERE)
