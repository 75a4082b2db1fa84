"""Opening the terminal app: on a workspace, or on a demo workspace with the sample files queued."""

from __future__ import annotations

import shlex
import sys
import tempfile

from importdesk import demo
from importdesk.cli import exit_codes
from importdesk.engine import Engine
from importdesk.engine.stop_signal import StopOnSignal
from importdesk.models import JobStatus
from importdesk.workspace import Workspace
from importdesk.workspace_log import log_to_workspace


def open_app(args) -> int:
    from importdesk.tui.launch import launch

    return launch(workspace=getattr(args, "workspace", None), watch=not getattr(args, "no_watch", False))


def open_demo(args) -> int:
    """The sample files queued on --workspace DIR (or a new temporary folder), then the app or, headless, run here."""
    chosen = getattr(args, "workspace", None)
    ws = Workspace.open(chosen or tempfile.mkdtemp(prefix="importdesk-demo-"))
    log_to_workspace(ws)
    engine, queued = demo.open_demo(ws)
    try:
        if getattr(args, "headless", False):
            code = _run_queue(engine)
        else:
            from importdesk.tui.launch import run_app

            code = run_app(engine, watch=False)
    finally:
        # after the app: its screen would hide anything printed before it
        _name_the_workspace(ws, temporary=chosen is None, queued=bool(queued))
    return code


def _run_queue(engine: Engine) -> int:
    """Run the pending jobs here, one after another; 0 when each ended done (rejected sample rows included)."""
    from importdesk.cli.run_cmds import run_queue

    with StopOnSignal() as stop:
        code = max((exit_codes.for_job(job) for job in run_queue(engine, stop)
                    if job.status is not JobStatus.DONE), default=exit_codes.OK)
    return exit_codes.SIGINT if stop.stopped else code


def _name_the_workspace(ws: Workspace, *, temporary: bool, queued: bool) -> None:
    where = shlex.quote(str(ws.root))
    kept = " (a temporary folder: delete it when you are done)" if temporary else ""
    if not queued:
        kept = " (it had jobs already: the samples were not queued again)"
    print(f"demo workspace: {ws.root}{kept}\n"
          f"  open it again: importdesk --workspace {where}\n"
          f"  its jobs:      importdesk --workspace {where} jobs", file=sys.stderr)
