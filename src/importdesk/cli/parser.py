"""The argument parser: every command, its options and its help."""

from __future__ import annotations

import argparse
from importlib import metadata

from importdesk.cli import exit_codes, job_cmds, run_cmds


def _percent(text: str) -> float:
    value = float(text.rstrip("%"))
    return value / 100 if value > 1 or text.endswith("%") else value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", "-w", default=argparse.SUPPRESS, metavar="DIR",
                        help="workspace folder (default: $IMPORTDESK_HOME, else the platform's user data "
                             "folder, e.g. ~/.local/share/importdesk)")

    parser = argparse.ArgumentParser(
        prog="importdesk", parents=[common],
        description="Run and supervise bulk CSV/XLSX/JSON imports into SQLite. "
                    "With no command, opens the terminal app on the workspace.",
        epilog=exit_codes.EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-watch", action="store_true", help="app: do not watch the inbox folder")
    parser.add_argument("--version", action="version", version=f"%(prog)s {metadata.version('importdesk')}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text,
                           epilog=exit_codes.EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(handler=handler)
        return p

    from importdesk.cli.app_cmd import open_demo

    p = command("demo", open_demo, "open the app on a fresh temporary workspace (or --workspace DIR) "
                                   "with the sample files queued")
    p.add_argument("--headless", action="store_true", help="no app: import the samples here, with progress bars")

    p = command("run", run_cmds.cmd_run, "import a file now (in this process), with a progress bar")
    p.add_argument("file")
    p.add_argument("--type", "-t", dest="resource_type", help="resource type (default: suggested from the file)")
    p.add_argument("--validate", action="store_true", help="dry run: validate and summarise, write no records")
    p.add_argument("--locale", "-l", default="en", help="number, date and yes/no words (e.g. en, en_US, de, fr)")
    p.add_argument("--skip-errors", action="store_true", help="never interrupt on the error threshold")
    p.add_argument("--threshold", type=_percent, default=0.10, metavar="P",
                   help="interrupt when more than P of the rows fail (default 10%%)")
    p.add_argument("--parent", dest="parent_resource_id", help="parent resource id (e.g. the price list)")
    p.add_argument("--shared", metavar="JSON", help="values merged into every row (the row's own values win)")
    p.add_argument("--reference", help="your identifier for this import")
    p.add_argument("--reference-origin", help="the system the reference comes from")
    p.add_argument("--external-ref", help="an external reference (up to 2048 characters)")
    p.add_argument("--format", choices=("csv", "xlsx", "json", "jsonl"), help="override format detection")
    p.add_argument("--sheet", help="xlsx: sheet name (default: the first)")
    p.add_argument("--encoding", help="csv: override encoding detection (e.g. cp1252)")
    p.add_argument("--delimiter", help="csv: override delimiter detection")
    p.add_argument("--queue", action="store_true", help="only queue the job (a watcher or app runs it)")
    p.add_argument("--json", action="store_true", help="print the finished job as JSON")

    p = command("jobs", job_cmds.cmd_jobs, "list jobs, newest first")
    p.add_argument("--status", action="append", choices=("pending", "processing", "done", "error",
                                                          "interrupted", "canceled"))
    p.add_argument("--job-type", choices=("validate", "execute"))
    p.add_argument("--resource", dest="resource_type")
    p.add_argument("--search", "-s", dest="text", help="text in uid, file name, reference or message")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")

    p = command("show", job_cmds.cmd_show, "every field of one job")
    p.add_argument("uid", help="job uid (or its last characters)")
    p.add_argument("--json", action="store_true", help="the ImportJob shape, extended")

    p = command("errors", job_cmds.cmd_errors, "a job's row errors and warnings")
    p.add_argument("uid")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true")
    p.add_argument("--level", choices=("error", "warning"))
    p.add_argument("--field")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--limit", type=int, default=0, help="0: all")
    p.add_argument("--export", metavar="FILE", help="write the failed rows to FILE.csv or FILE.xlsx "
                   "(original columns + _source_row + _errors; fix and import it again)")

    p = command("export", run_cmds.cmd_export, "export a resource type's records to CSV, XLSX or JSONL, as a job")
    p.add_argument("resource_type", metavar="TYPE")
    p.add_argument("file", help="target file; its extension (.csv .xlsx .jsonl) picks the format")
    p.add_argument("--job", dest="job_uid", help="only the records this job wrote last")
    p.add_argument("--json", action="store_true")

    for name, handler, text in (
        ("confirm", run_cmds.cmd_confirm, "execute a done validate job (a new execute job, same file and options)"),
        ("resume", run_cmds.cmd_resume, "continue an interrupted job after its last committed row"),
        ("retry", run_cmds.cmd_retry, "an errored job runs again from its last committed row; a done job with "
                                       "rejected rows gets a new job of just those rows (corrections applied)"),
    ):
        p = command(name, handler, text)
        p.add_argument("uid")
        p.add_argument("--queue", action="store_true", help="only queue it (a watcher or app runs it)")
        p.add_argument("--json", action="store_true")
        if name != "confirm":
            p.add_argument("--skip-errors", action="store_true", default=None)

    for name, handler, text in (
        ("interrupt", job_cmds.cmd_interrupt, "stop a job at its next batch boundary (resumable)"),
        ("cancel", job_cmds.cmd_cancel, "cancel a job (committed rows stay; it does not resume)"),
        ("delete", job_cmds.cmd_delete, "delete a job and its items (imported records stay)"),
    ):
        p = command(name, handler, text)
        p.add_argument("uid")

    p = command("types", job_cmds.cmd_types, "resource types and their fields")
    p.add_argument("name", nargs="?")
    p.add_argument("--json", action="store_true")

    p = command("work", run_cmds.cmd_work, "run queued jobs until none is pending")

    p = command("watch", run_cmds.cmd_watch,
                "headless service: turn files dropped into the inbox into jobs and run them (Ctrl-C/SIGTERM stops)")
    p.add_argument("--workers", type=int, default=1, help="import worker threads (default 1)")
    p.add_argument("--stability", type=float, default=1.0, metavar="SECONDS",
                   help="a file is taken once its size and time stayed unchanged this long (default 1.0)")
    p.add_argument("--rescan", type=float, default=5.0, metavar="SECONDS",
                   help="full rescan of the inbox every SECONDS; watch events only say 'look now' (default 5)")
    return parser
