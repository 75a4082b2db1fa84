"""Logging into the workspace's `importdesk.log`: every process on a workspace writes there."""

from __future__ import annotations

import logging

from importdesk.workspace import Workspace


def log_to_workspace(ws: Workspace) -> None:
    root = logging.getLogger("importdesk")
    if root.handlers:
        return
    handler = logging.FileHandler(ws.root / "importdesk.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = False
