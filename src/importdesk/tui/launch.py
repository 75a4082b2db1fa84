"""Entry points the command line calls: the app on a workspace, or on an engine already opened."""

from __future__ import annotations

from importdesk.engine import Engine
from importdesk.workspace import Workspace


def launch(workspace: str | None, watch: bool) -> int:
    engine = Engine(Workspace.open(workspace))
    engine.recover_stale()
    return run_app(engine, watch)


def run_app(engine: Engine, watch: bool) -> int:
    from importdesk.tui.app import make_app

    app = make_app(engine, watch_inbox=watch)
    result = app.run()
    return result if isinstance(result, int) else 0
