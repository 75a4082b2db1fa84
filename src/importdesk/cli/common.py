"""What every command needs: the workspace's engine, logging into the workspace, JSON output."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

from importdesk.workspace import Workspace

if TYPE_CHECKING:
    from importdesk.engine import Engine


def open_engine(args) -> Engine:
    from importdesk.engine import Engine
    from importdesk.workspace_log import log_to_workspace

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
    from importdesk.engine import Engine

    return Engine.for_reading(ws)


def print_json(data: Any) -> None:
    """JSON on stdout. A reader that stops early (`| head`) does not change the command's exit code:
    a job that ran still returns its own."""
    try:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        reader_went_away()


def reader_went_away() -> int:
    """stdout's reader closed it (`importdesk jobs | head -1`): it read what it wanted, so the command
    ends quietly with 0. stdout now points at /dev/null, so the interpreter's last flush cannot complain.
    (Handlers call this themselves: click turns a broken pipe into exit 1.)"""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # a stdout without a file descriptor (a test's capture)
        pass
    from importdesk.cli.exit_codes import OK

    return OK
