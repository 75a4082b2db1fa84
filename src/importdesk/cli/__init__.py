"""`importdesk`: the app with no command; headless commands for scripts and servers."""

from __future__ import annotations

import logging
import sys

from importdesk.cli import exit_codes
from importdesk.cli.parser import build_parser
from importdesk.engine import UsageError
from importdesk.gc_settings import GC_THRESHOLDS, tune_gc
from importdesk.workspace import WorkspaceError

__all__ = ["GC_THRESHOLDS", "main"]


def main(argv: list[str] | None = None) -> int:
    tune_gc()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from importdesk.cli.app_cmd import open_app

        handler = open_app
    try:
        return handler(args)
    except (UsageError, WorkspaceError) as exc:
        print(f"importdesk: {exc}", file=sys.stderr)
        return exit_codes.USAGE
    except KeyboardInterrupt:
        print("\nimportdesk: stopped", file=sys.stderr)
        return exit_codes.SIGINT
    except Exception as exc:  # never a traceback for the user; the details go to the workspace log
        logging.getLogger("importdesk").exception("unexpected error")
        print(f"importdesk: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return exit_codes.FAILED


def run() -> None:
    sys.exit(main())
