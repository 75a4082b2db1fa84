"""Option value types and shell-completion helpers of the command line."""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import CompletionItem

from importdesk.engine.threshold import parse_threshold
from importdesk.workspace import default_home


class Threshold(click.ParamType):
    """`10%` or `0.1` (the same); a bare number of 1 or more is refused (see engine/threshold.py)."""

    name = "threshold"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            return parse_threshold(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


THRESHOLD = Threshold()


def _workspace_root(ctx: click.Context) -> Path:
    given = ctx.params.get("workspace") or ctx.find_root().params.get("workspace")
    return Path(given).expanduser() if given else default_home()


def complete_type(ctx: click.Context, param, incomplete: str) -> list[CompletionItem]:
    """Built-in resource types and the workspace's own (never creates a workspace)."""
    from importdesk.engine.catalogue import type_titles

    titles = type_titles(_workspace_root(ctx) / "schemas")
    return [CompletionItem(name, help=title) for name, title in titles.items() if name.startswith(incomplete)]


def complete_job_uid(ctx: click.Context, param, incomplete: str) -> list[CompletionItem]:
    """The newest jobs' uids, when the workspace already has a store (never creates one)."""
    root = _workspace_root(ctx)
    if not (root / "importdesk.db").is_file():
        return []
    from importdesk.engine import Engine
    from importdesk.models import JobFilter
    from importdesk.workspace import Workspace

    engine = Engine(Workspace(root.resolve()))
    try:
        jobs = engine.list_jobs(JobFilter(limit=50))
    finally:
        engine.close()
    return [CompletionItem(j.uid, help=f"{j.status.value} {j.resource_type} {j.file_name}")
            for j in jobs if j.uid.startswith(incomplete.upper())]
