"""What every command needs: the workspace's engine, logging into the workspace, JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any

from importdesk.engine import Engine
from importdesk.workspace import Workspace
from importdesk.workspace_log import log_to_workspace


def open_engine(args) -> Engine:
    ws = Workspace.open(getattr(args, "workspace", None))
    log_to_workspace(ws)
    engine = Engine(ws)
    engine.recover_stale()
    return engine


def open_engine_to_read(args) -> Engine:
    """For commands that only read (jobs, show, errors, types): a workspace that was never made
    reads as an empty one and is not created."""
    ws = Workspace.at(getattr(args, "workspace", None))
    if ws.exists:
        return open_engine(args)
    return Engine.for_reading(ws)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
