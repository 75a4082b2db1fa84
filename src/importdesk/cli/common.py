"""What every command needs: the workspace's engine, logging into the workspace, JSON output."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from importdesk.engine import Engine
from importdesk.workspace import Workspace


def open_engine(args) -> Engine:
    ws = Workspace.open(getattr(args, "workspace", None))
    log_file = ws.root / "importdesk.log"
    root = logging.getLogger("importdesk")
    if not root.handlers:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
    engine = Engine(ws)
    engine.recover_stale()
    return engine


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
