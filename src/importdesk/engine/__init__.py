"""Runs import jobs. Never imports Textual: the app, the command line and the inbox all call this."""

from importdesk.engine.events import JobProgressed, ProgressCallback
from importdesk.engine.row_mapper import MIXED
from importdesk.engine.service import Engine, ImportOptions, UsageError

__all__ = ["MIXED", "Engine", "ImportOptions", "JobProgressed", "ProgressCallback", "UsageError"]
