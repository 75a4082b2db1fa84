"""`importdesk`: the app with no command; headless commands for scripts and servers."""

from __future__ import annotations

import gc
import logging
import sys

from importdesk.cli import exit_codes
from importdesk.cli.parser import build_parser
from importdesk.engine import UsageError


# An import allocates millions of short-lived objects that reference counting frees; with the
# default thresholds the cyclic collector still ran ~2,000 times per 500k rows and took ~10% of the
# time (1.39 s of 14.5 s; 0.03 s with these). In the app, full collections over Textual's heap were
# also the main cause of event-loop stalls. Measured with gc.callbacks; see bench/import_speed.py.
GC_THRESHOLDS = (20_000, 50, 50)


def main(argv: list[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        from importdesk.cli.app_cmd import open_app

        handler = open_app
    try:
        return handler(args)
    except UsageError as exc:
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
