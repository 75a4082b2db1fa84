"""`importdesk`: the app with no command; headless commands for scripts and servers."""

from __future__ import annotations

import sys

import click

from importdesk.cli import exit_codes
from importdesk.cli.common import reader_went_away
from importdesk.gc_settings import GC_THRESHOLDS, tune_gc

__all__ = ["GC_THRESHOLDS", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run one command line; returns its exit code (the console script exits with it).
    Commands map their own failures to exit codes (parser.Commands); this adds click's usage errors."""
    from importdesk.cli.parser import cli

    tune_gc()
    try:
        code = cli.main(args=argv, prog_name="importdesk", standalone_mode=False)
    except click.ClickException as exc:  # bad arguments: click's message, with the command's usage
        exc.show()
        return exit_codes.USAGE
    except click.Abort:  # Ctrl-C outside a job (click turns KeyboardInterrupt into Abort)
        print("\nimportdesk: stopped", file=sys.stderr)
        return exit_codes.SIGINT
    except BrokenPipeError:
        return reader_went_away()
    return exit_codes.OK if code is None else int(code)


def run() -> None:
    sys.exit(main())
