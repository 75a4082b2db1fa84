"""`importdesk run`'s first step, before the engine is imported: a job of a big file (an import or
a dry run: both use one) gets its batch writer started now (engine/writer_prestart.py), so that
the writer's start and imports overlap this process's; then run_cmds.cmd_run does the rest."""

from __future__ import annotations

from pathlib import Path

from importdesk.engine import writer_prestart


def cmd_run(args) -> int:
    if not getattr(args, "queue", False):
        writer_prestart.prestart(Path(args.file))
    from importdesk.cli.run_cmds import cmd_run as run_now

    return run_now(args)
