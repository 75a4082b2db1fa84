"""Commands that run a job in this process: run, confirm, resume, retry, work."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from importdesk.cli import exit_codes
from importdesk.cli.common import open_engine, print_json
from importdesk.cli.formatting import summary_line
from importdesk.cli.progress_bar import progress_reporter
from importdesk.engine import Engine, ImportOptions, UsageError
from importdesk.engine.job_loop import JobLoop
from importdesk.engine.service import DuplicateContent
from importdesk.engine.stop_signal import StopOnSignal
from importdesk.engine.work_queue import hand_back, serve
from importdesk.models import ImportJob, JobStatus, JobType
from importdesk.text_format import safe


def _execute(engine: Engine, job: ImportJob, args) -> int:
    if getattr(args, "queue", False):
        print(job.uid)
        return exit_codes.OK
    with StopOnSignal() as stop:
        job = JobLoop(engine, stop.event, on_progress=progress_reporter()).run(job.uid)
    return _report(job, args, stopped=stop.stopped)


def _report(job: ImportJob, args, stopped: bool = False) -> int:
    if getattr(args, "json", False):
        print_json(job.to_seed_json())
    # the summary and next steps go to stderr, so stdout stays clean JSON for scripts
    print(summary_line(job), file=sys.stderr)
    if job.progress.error or job.warnings_count:
        print(f"  details: importdesk errors {job.uid}", file=sys.stderr)
    if job.job_type is JobType.VALIDATE and job.status.value == "done":
        print(f"  to import it: importdesk confirm {job.uid}", file=sys.stderr)
    if job.status.value == "interrupted":
        print(f"  to continue: importdesk resume {job.uid}", file=sys.stderr)
    if stopped and job.status.value == "interrupted":
        return exit_codes.SIGINT
    return exit_codes.for_job(job)


def cmd_run(args) -> int:
    engine = open_engine(args)
    shared = {}
    if args.shared:
        try:
            shared = json.loads(args.shared)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--shared is not valid JSON: {exc}") from None
        if not isinstance(shared, dict):
            raise UsageError("--shared must be a JSON object, like '{\"currency\": \"EUR\"}'")
    options = ImportOptions(
        resource_type=args.resource_type,
        job_type=JobType.VALIDATE if args.validate else JobType.EXECUTE,
        locale=args.locale, skip_errors=args.skip_errors, error_threshold=args.threshold,
        parent_resource_id=args.parent_resource_id, shared_entity_data=shared, reference=args.reference,
        reference_origin=args.reference_origin, external_ref=args.external_ref, format=args.format,
        sheet=args.sheet, encoding=args.encoding, delimiter=args.delimiter,
    )
    try:
        job = engine.create_job(Path(args.file), options, refuse_duplicate=not args.force)
    except DuplicateContent as exc:
        raise UsageError(f"{exc} — add --force to import it anyway") from None
    return _execute(engine, job, args)


def cmd_confirm(args) -> int:
    engine = open_engine(args)
    return _execute(engine, engine.confirm(args.uid), args)


def cmd_resume(args) -> int:
    engine = open_engine(args)
    return _execute(engine, engine.resume(args.uid, skip_errors=args.skip_errors), args)


def cmd_retry(args) -> int:
    engine = open_engine(args)
    job = engine.get_job(args.uid)
    if job.status is JobStatus.INTERRUPTED:
        raise UsageError(f"job {job.short_uid} is interrupted: it continues after its last committed row with "
                         f"`importdesk resume {job.short_uid}` (retry is for errored jobs and rejected rows)")
    return _execute(engine, engine.retry(args.uid, skip_errors=args.skip_errors), args)


def run_queue(engine: Engine, stop: StopOnSignal) -> Iterator[ImportJob]:
    """Run the pending jobs here, one after another, each with its progress and summary on stderr,
    until none is left or ``stop`` is set (the job in flight then ends at a batch boundary)."""
    loop = JobLoop(engine, stop.event)
    while not stop.stopped:
        loop.on_progress = progress_reporter()  # a bar of its own for each job
        job = loop.run_next()
        if job is None:
            return
        print(summary_line(job), file=sys.stderr)
        yield job


WORK_STOPPING = ("stopping after the batch in flight; its job goes back to the queue for another worker "
                 "(Ctrl-C again to stop now)…")


def cmd_work(args) -> int:
    """Serve the queue until stopped (a worker of a fleet), or with --once drain it and end."""
    engine = open_engine(args)
    if args.once:
        with StopOnSignal() as stop:
            return max((exit_codes.for_job(job) for job in run_queue(engine, stop)), default=exit_codes.OK)
    with StopOnSignal(stopping=WORK_STOPPING) as stop:
        print(f"importdesk: worker {engine.worker} waiting for jobs (Ctrl-C or SIGTERM stops)", file=sys.stderr)
        loop = JobLoop(engine, stop.event, on_progress=progress_reporter(), on_stopped=hand_back)
        for job in serve(loop, say=lambda message: print(f"importdesk: {message}", file=sys.stderr, flush=True)):
            print(summary_line(job), file=sys.stderr)
            loop.on_progress = progress_reporter()  # a bar of its own for each job
    return exit_codes.OK


def cmd_export(args) -> int:
    """Export as a job (progress, interruptible), written where the user asked; the job records that path."""
    engine = open_engine(args)
    target = Path(args.file)
    fmt = getattr(args, "fmt", None) or target.suffix.lower().lstrip(".")
    if getattr(args, "platform", None):
        return _export_platform(engine, args, target, fmt)
    job = engine.create_export(args.resource_type, fmt, job_uid=args.job_uid, target=target)
    with StopOnSignal() as stop:
        job = JobLoop(engine, stop.event, on_progress=progress_reporter()).run(job.uid)
    if job.status.value == "done":
        print(f"{job.processed_count:,} {job.resource_type} records exported to {safe(target.name)}", file=sys.stderr)
    if args.json:
        print_json(job.to_seed_json())
    elif job.error_message:
        print(f"importdesk: {job.error_message}", file=sys.stderr)
    if stop.stopped and job.status.value == "interrupted":
        return exit_codes.SIGINT
    return exit_codes.for_job(job)


def _export_platform(engine, args, target: Path, suffix: str) -> int:
    from importdesk.engine.platform_exports import PlatformExportError, export_platform

    if args.job_uid or args.json:
        raise UsageError(f"{'--job' if args.job_uid else '--json'} cannot be combined with --platform: a platform "
                         "file holds every record of the type, written at once (no export job)")
    fmt = "medusa_csv" if args.platform == "medusa" else f"commercelayer_{suffix}"
    try:
        written = export_platform(engine, args.resource_type, target, fmt)
    except PlatformExportError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        print(f"importdesk: {safe(target.name)}: cannot write the export: {exc.strerror or exc}", file=sys.stderr)
        return exit_codes.FAILED
    print(f"{written:,} {args.resource_type} rows exported to {safe(target.name)} ({args.platform})", file=sys.stderr)
    return exit_codes.OK


def cmd_watch(args) -> int:
    from importdesk.inbox import run_watch_service

    engine = open_engine(args)
    return run_watch_service(engine.workspace, engine=engine, workers=args.workers, stability=args.stability,
                             rescan_interval=args.rescan)
