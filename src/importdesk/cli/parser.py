"""The command line's shape: every command, its options, their help, examples and exit codes (click).

Each click callback gathers its parameters into one namespace and hands it to a handler in
``run_cmds`` / ``job_cmds`` / ``records_cmd`` (plain functions of ``args``, easy to test alone).
``--workspace`` works before the command and after it.
"""

from __future__ import annotations

import logging
import os
import sys
from importlib import import_module
from types import SimpleNamespace

import click

from importdesk.cli import exit_codes as ec
from importdesk.cli.common import reader_went_away
from importdesk.cli.options import THRESHOLD, complete_job_uid, complete_type
from importdesk.workspace import WorkspaceError

STATUSES = ("pending", "processing", "done", "error", "interrupted", "canceled")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
WORKSPACE_HELP = ("Workspace folder (default: $IMPORTDESK_HOME, else the platform's user data folder, "
                  "e.g. ~/.local/share/importdesk)")


def _lazy(module: str, name: str):
    """The handler ``importdesk.cli.<module>.<name>``, imported when its command runs: the parser
    itself (and `--version`, `--help`) imports no engine, pydantic or rich."""
    def handler(args):
        return getattr(import_module(f"importdesk.cli.{module}"), name)(args)
    handler.__name__ = name
    return handler


def _namespace(ctx: click.Context, params: dict) -> SimpleNamespace:
    root = ctx.find_root().params
    params = dict(params)
    params["workspace"] = params.get("workspace") or root.get("workspace")
    return SimpleNamespace(**params)


def _command(group: click.Group, name: str, handler, help_text: str, codes: tuple[int, ...], example: str,
             meanings: dict[int, str] | None = None):
    """A subcommand of ``group`` calling ``handler(args)``; its help ends with an example and its exit codes."""
    def decorate(f):
        @click.pass_context
        def callback(ctx: click.Context, **params):
            ctx.exit(handler(_namespace(ctx, params)) or 0)
        callback.__name__ = f.__name__
        callback.__click_params__ = list(getattr(f, "__click_params__", []))  # the options stacked on f
        callback = click.option("--workspace", "-w", metavar="DIR", help=WORKSPACE_HELP)(callback)
        return group.command(name, help=help_text[:1].upper() + help_text[1:], context_settings=CONTEXT,
                             epilog=ec.epilog(codes, example, meanings))(callback)
    return decorate


def _json_option(what: str):
    return click.option("--json", "json", is_flag=True, help=f"Print {what} as JSON on stdout (docs/cli-json.md)")


def _uid_argument():
    return click.argument("uid", shell_complete=complete_job_uid)


def _usage_error() -> type[Exception]:
    from importdesk.engine.errors import UsageError  # imported by the command that raised it

    return UsageError


class Commands(click.Group):
    """The command group; turns what a command raises into its message and exit code (for ``main``
    and for click's own runners alike), so no command ever ends in a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()
            return result
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            ctx.exit(reader_went_away())
        except KeyboardInterrupt:
            click.echo("\nimportdesk: stopped", err=True)
            ctx.exit(ec.SIGINT)
        except Exception as exc:  # never a traceback for the user; the details go to the workspace log
            if isinstance(exc, (_usage_error(), WorkspaceError)):
                click.echo(f"importdesk: {exc}", err=True)
                ctx.exit(ec.USAGE)
            logging.getLogger("importdesk").exception("unexpected error")
            click.echo(f"importdesk: unexpected error: {type(exc).__name__}: {exc}", err=True)
            ctx.exit(ec.FAILED)


@click.group(cls=Commands, context_settings=CONTEXT, invoke_without_command=True,
             epilog=ec.epilog(ec.RUNS_A_JOB, "importdesk run products.csv --type products --validate",
                              {ec.FAILED: "the job failed (or an internal error: details in the workspace log)"}))
@click.version_option(package_name="importdesk", prog_name="importdesk", message="%(prog)s %(version)s",
                      help="Show the version and exit.")
@click.option("--workspace", "-w", metavar="DIR", help=WORKSPACE_HELP)
@click.option("--no-watch", is_flag=True, help="App: do not watch the inbox folder")
@click.option("--store", metavar="URL", help="Where jobs and records are kept: postgresql://USER@HOST/DB shares one "
              "store between machines (docs/scaling.md); default: $IMPORTDESK_STORE, else SQLite in the workspace")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, no_watch: bool, store: str | None):
    """Run and supervise bulk CSV/XLSX/JSON imports into SQLite.

    With no command, opens the terminal app on the workspace. Each command's --help shows an
    example and the exit codes it can return. Shell completion: importdesk completion --help.
    """
    if store:  # for every engine of this process and the workers it starts
        from importdesk.engine.context import STORE_ENV

        os.environ[STORE_ENV] = store
    if ctx.invoked_subcommand is None:
        from importdesk.cli.app_cmd import open_app

        ctx.exit(open_app(SimpleNamespace(workspace=workspace, no_watch=no_watch)) or 0)


def _demo(args) -> int:
    from importdesk.cli.app_cmd import open_demo

    return open_demo(args)


@_command(cli, "demo", _demo, "open the app on a fresh temporary workspace (or --workspace DIR) with the "
                              "sample files queued",
          (ec.OK, ec.USAGE, ec.FAILED, ec.INTERRUPTED, ec.CANCELED, ec.SIGINT), "importdesk demo --headless",
          {ec.OK: "done (headless: every sample job ended done, rejected sample rows included)",
           ec.FAILED: "headless: a sample job failed", ec.INTERRUPTED: "headless: a sample job was interrupted",
           ec.CANCELED: "headless: a sample job was canceled",
           ec.SIGINT: "headless: stopped with Ctrl-C"})
@click.option("--headless", is_flag=True, help="No app: import the samples here, with progress bars")
def demo():
    pass


# ---- running jobs ------------------------------------------------------------------------------

def _run_options(f):
    options = [
        click.argument("file", type=click.Path(dir_okay=False)),
        click.option("--type", "-t", "resource_type", metavar="TYPE", shell_complete=complete_type,
                     help="Resource type (default: suggested from the file's headers); see `importdesk types`"),
        click.option("--validate", is_flag=True, help="Dry run: validate and summarise, write no records"),
        click.option("--locale", "-l", default="en", show_default=True, metavar="LOCALE",
                     help="How numbers, dates and yes/no words are written (en, en_US, de, fr …). Plain en "
                          "reads 03/04/2024 day first (3 April, as British English); en_US reads it month "
                          "first (4 March)"),
        click.option("--skip-errors", is_flag=True, help="Never interrupt on the error threshold"),
        click.option("--threshold", type=THRESHOLD, default="10%", show_default=True, metavar="P",
                     help="Interrupt when more than P of the rows fail: a percentage (10%) or a fraction "
                          "below 1 (0.1), the same thing; a bare 1 or more is refused as ambiguous"),
        click.option("--parent", "parent_resource_id", metavar="ID",
                     help="Parent resource id, filled into rows that leave it empty (e.g. the price list)"),
        click.option("--shared", metavar="JSON",
                     help="A JSON object merged into every row (the row's own values win)"),
        click.option("--reference", metavar="TEXT", help="Your identifier for this import"),
        click.option("--reference-origin", metavar="TEXT", help="The system the reference comes from"),
        click.option("--external-ref", metavar="TEXT", help="An external reference (up to 2048 characters)"),
        click.option("--format", type=click.Choice(("csv", "xlsx", "json", "jsonl")),
                     help="Override format detection"),
        click.option("--sheet", metavar="NAME", help="Xlsx: sheet name (default: the first)"),
        click.option("--encoding", metavar="NAME", help="Csv: override encoding detection (e.g. cp1252)"),
        click.option("--delimiter", metavar="CHAR", help="Csv: override delimiter detection"),
        click.option("--force", is_flag=True,
                     help="Import even when the same file content was already imported (or is queued)"),
        click.option("--queue", is_flag=True, help="Only queue the job and print its uid (a watcher or app runs it)"),
        _json_option("the finished job"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@_command(cli, "run", _lazy("run_ahead", "cmd_run"), "import a file now, in this process, with progress on stderr",
          ec.RUNS_A_JOB, "importdesk run preise_de.csv --type prices --locale de --parent EU-Retail")
@_run_options
def run():
    pass


def _requeue_options(skip_errors: bool):
    def decorate(f):
        options = [_uid_argument(),
                   click.option("--queue", is_flag=True, help="Only queue it (a watcher or app runs it)"),
                   _json_option("the finished job")]
        if skip_errors:
            options.append(click.option("--skip-errors/--no-skip-errors", default=None,
                                        help="Change the job's skip-errors setting (default: keep it)"))
        for option in reversed(options):
            f = option(f)
        return f
    return decorate


@_command(cli, "confirm", _lazy("run_cmds", "cmd_confirm"),
          "execute a done validate job: a new execute job, same file and options", ec.RUNS_A_JOB,
          "importdesk confirm 3T8K2M")
@_requeue_options(skip_errors=False)
def confirm():
    pass


@_command(cli, "resume", _lazy("run_cmds", "cmd_resume"), "continue an interrupted job after its last committed row",
          ec.RUNS_A_JOB, "importdesk resume 3T8K2M --skip-errors")
@_requeue_options(skip_errors=True)
def resume():
    pass


@_command(cli, "retry", _lazy("run_cmds", "cmd_retry"),
          "run an errored job again from its last committed row; a done job with rejected rows gets a new "
          "job of just those rows (corrections applied). An interrupted job is resumed, not retried",
          ec.RUNS_A_JOB, "importdesk retry 3T8K2M")
@_requeue_options(skip_errors=True)
def retry():
    pass


@_command(cli, "export", _lazy("run_cmds", "cmd_export"),
          "export a resource type's records to CSV, XLSX or JSONL, as a job",
          (ec.OK, ec.USAGE, ec.FAILED, ec.INTERRUPTED, ec.CANCELED, ec.SIGINT),
          "importdesk export products products.jsonl\n  importdesk export medusa_product upload.csv --platform medusa",
          {ec.OK: "done: the file is written", ec.FAILED: "the export failed (e.g. the file cannot be written)",
           ec.INTERRUPTED: "interrupted; no file written", ec.CANCELED: "canceled; no file written",
           ec.SIGINT: "stopped with Ctrl-C; no file written"})
@click.argument("resource_type", metavar="TYPE", shell_complete=complete_type)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--job", "job_uid", metavar="UID", shell_complete=complete_job_uid,
              help="Only the records this job wrote last")
@click.option("--platform", type=click.Choice(("medusa", "commercelayer")),
              help="Write the platform's own format: Medusa's product CSV (medusa_product and its variants), "
                   "or Commerce Layer import inputs (FILE ending .json or .csv); written at once, not as a job")
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx", "jsonl", "ep")),
              help="What to write (default: from FILE's ending); ep: Elastic Path's JSONL envelopes, to upload there")
@_json_option("the finished export job")
def export():
    pass


@_command(cli, "work", _lazy("run_cmds", "cmd_work"),
          "a worker: run queued jobs in this process as they come, waiting while none can be claimed, until "
          "Ctrl-C or SIGTERM (the job in flight stops after its batch and goes back to the queue). With --once: "
          "run what can be claimed now, then end",
          ec.RUNS_A_JOB, "importdesk work          # one of N workers, e.g. under systemd\n"
          "  importdesk work --once   # from cron or a script: drain the queue and end",
          {ec.OK: "stopped on request; with --once: every job done without rejected rows (or nothing queued)",
           ec.ROW_ERRORS: "--once: the worst job had rejected rows", ec.FAILED: "--once: the worst job failed",
           ec.INTERRUPTED: "--once: the worst job was interrupted", ec.CANCELED: "--once: the worst job was canceled",
           ec.SIGINT: "--once: stopped with Ctrl-C at a batch boundary; resumable"})
@click.option("--once", is_flag=True,
              help="Run the jobs that can be claimed now, one after another, then end (exit code: the worst job's). "
                   "A job another worker holds, or held until its lease runs out, is left to the workers that stay")
def work():
    pass


@_command(cli, "watch", _lazy("run_cmds", "cmd_watch"),
          "headless service: files dropped into the inbox become jobs and run (Ctrl-C or SIGTERM stops)",
          (ec.OK, ec.ROW_ERRORS, ec.USAGE, ec.SIGINT), "importdesk watch --workers 2",
          {ec.OK: "stopped on request", ec.ROW_ERRORS: "the watcher stopped by itself (see the workspace log)",
           ec.SIGINT: "stopped with a second Ctrl-C (running jobs are resumable)"})
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Jobs run at the same time")
@click.option("--stability", type=click.FloatRange(min=0), default=1.0, show_default=True, metavar="SECONDS",
              help="A file is taken once its size and time stayed unchanged this long")
@click.option("--rescan", type=click.FloatRange(min=0.1), default=5.0, show_default=True, metavar="SECONDS",
              help="Full rescan of the inbox every SECONDS; watch events only say 'look now'")
def watch():
    pass


# ---- reading and changing jobs -------------------------------------------------------------------

@_command(cli, "jobs", _lazy("job_cmds", "cmd_jobs"), "list jobs, newest first", ec.QUERY,
          "importdesk jobs --status error --json")
@click.option("--status", multiple=True, type=click.Choice(STATUSES), help="Only jobs in this status (repeatable)")
@click.option("--job-type", type=click.Choice(("validate", "execute", "export")), help="Only jobs of this kind")
@click.option("--resource", "resource_type", metavar="TYPE", shell_complete=complete_type,
              help="Only jobs of this resource type")
@click.option("--search", "-s", "text", metavar="TEXT", help="Text in uid, file name, reference or message")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip this many jobs")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Show at most this many")
@_json_option("the page of jobs ({data, meta})")
def jobs():
    pass


@_command(cli, "show", _lazy("job_cmds", "cmd_show"), "every field of one job", ec.QUERY,
          "importdesk show 3T8K2M --json")
@_uid_argument()
@_json_option("the job with its errors_log and warnings_log")
def show():
    pass


@_command(cli, "errors", _lazy("job_cmds", "cmd_errors"), "a job's row errors and warnings", ec.QUERY,
          "importdesk errors 3T8K2M --export fix-me.xlsx")
@_uid_argument()
@_json_option("the items")
@click.option("--csv", is_flag=True, help="Print the items as CSV on stdout")
@click.option("--level", type=click.Choice(("error", "warning")), help="Only errors or only warnings")
@click.option("--field", metavar="NAME", help="Only items about this field")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True,
              help="Skip this many items (with --limit)")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True, help="At most this many; 0: all")
@click.option("--export", metavar="FILE", help="Write the failed rows to FILE.csv or FILE.xlsx "
              "(original columns + _source_row + _errors; fix them and import the file again)")
def errors():
    pass


for _name, _handler, _text, _example in (
    ("interrupt", _lazy("job_cmds", "cmd_interrupt"), "stop a job at its next batch boundary (resumable)",
     "importdesk interrupt 3T8K2M"),
    ("cancel", _lazy("job_cmds", "cmd_cancel"), "cancel a job (committed rows stay; it does not resume)",
     "importdesk cancel 3T8K2M --json"),
    ("delete", _lazy("job_cmds", "cmd_delete"), "delete a job and its items (imported records stay)",
     "importdesk delete 3T8K2M"),
):
    def _lifecycle():
        pass
    _lifecycle.__name__ = _name
    _command(cli, _name, _handler, _text, ec.QUERY, _example)(
        _json_option("the job afterwards")(_uid_argument()(_lifecycle)))


@_command(cli, "types", _lazy("job_cmds", "cmd_types"), "resource types; with a NAME, its key and every field",
          ec.QUERY,
          "importdesk types products --json")
@click.argument("name", required=False, shell_complete=complete_type)
@_json_option("the types")
def types():
    pass


@_command(cli, "records", _lazy("records_cmd", "cmd_records"),
          "the records imported for a resource type: filter, sort, page; streamed", ec.QUERY,
          "importdesk records products --where 'price>=10' --where currency=EUR --order -price --limit 5",
          {ec.USAGE: "usage error: unknown type or field, a value that does not fit the field, bad operator"})
@click.argument("resource_type", metavar="TYPE", shell_complete=complete_type)
@click.option("--where", multiple=True, metavar="FIELD OP VALUE",
              help="Keep records where FIELD compares to VALUE; OP is = != < <= > >= or ~ (contains, "
                   "any case); `FIELD=` is empty, `FIELD!=` not empty. Repeat to narrow (all must hold)")
@click.option("--order", multiple=True, metavar="[-]FIELD",
              help="Sort by FIELD (-FIELD: descending); repeat or separate with commas; default: the key")
@click.option("--fields", "-f", multiple=True, metavar="FIELD,…",
              help="Only these fields, in this order (repeat or separate with commas); default: all")
@click.option("--limit", type=click.IntRange(min=0), default=0, show_default=True, help="At most this many; 0: all")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip this many first")
@click.option("--job", "job_uid", metavar="UID", shell_complete=complete_job_uid,
              help="Only the records this job wrote last")
@click.option("--json", "fmt", flag_value="json", help="A JSON array of objects")
@click.option("--nl", "fmt", flag_value="nl", help="Newline-delimited JSON: one object per line")
@click.option("--csv", "fmt", flag_value="csv", help="CSV with a header row")
@click.option("--table", "fmt", flag_value="table", default=True, help="Aligned columns for reading (the default)")
def records():
    pass


@cli.command("completion", context_settings=CONTEXT,
             epilog=ec.epilog(ec.QUERY, 'eval "$(importdesk completion bash)"   # in ~/.bashrc'))
@click.argument("shell", type=click.Choice(("bash", "zsh", "fish")))
def completion(shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    \b
    bash: eval "$(importdesk completion bash)"       in ~/.bashrc
    zsh:  eval "$(importdesk completion zsh)"        in ~/.zshrc
    fish: importdesk completion fish > ~/.config/fish/completions/importdesk.fish
    """
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)(cli, {}, "importdesk", "_IMPORTDESK_COMPLETE")
    click.echo(completer.source())
