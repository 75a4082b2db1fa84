"""Commands that read or change jobs without running them."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from importdesk.cli import exit_codes
from importdesk.cli.common import open_engine, open_engine_to_read, print_json
from importdesk.engine import UsageError
from importdesk.engine.cells import csv_text, json_value, neutralise
from importdesk.models import ItemLevel, JobFilter, JobStatus, JobType
from importdesk.text_format import duration, job_seconds, number, safe, stamp


def cmd_jobs(args) -> int:
    engine = open_engine_to_read(args)
    flt = JobFilter(status=[JobStatus(s) for s in args.status or []],
                    job_type=JobType(args.job_type) if args.job_type else None,
                    resource_type=args.resource_type, text=args.text, offset=args.offset, limit=args.limit)
    jobs = engine.list_jobs(flt)
    if args.json:
        print_json({"data": [j.to_seed_json() for j in jobs],
                    "meta": {"offset": args.offset, "limit": args.limit, "total": engine.count_jobs(flt)}})
        return exit_codes.OK
    if not jobs:
        print("no jobs", file=sys.stderr)
        return exit_codes.OK
    print(f"{'UID':<26}  {'STATUS':<11} {'TYPE':<8} {'RESOURCE':<22} {'ROWS':>9} {'ERRORS':>7}  {'CREATED':<19}  FILE")
    for j in jobs:
        print(f"{j.uid:<26}  {j.status.value:<11} {j.job_type.value:<8} {j.resource_type:<22} "
              f"{number(j.progress.total):>9} {number(j.progress.error):>7}  {stamp(j.created_at):<19}  "
              f"{safe(j.file_name)}")
    return exit_codes.OK


def cmd_show(args) -> int:
    engine = open_engine_to_read(args)
    job = engine.get_job(args.uid)
    if args.json:
        print_json(engine.report(job.uid))
        return exit_codes.OK
    p, s = job.progress, job.summary
    pd = job.provider_data
    rows = [
        ("uid", job.uid), ("status", job.status.value), ("job type", job.job_type.value),
        ("resource type", job.resource_type), ("file", safe(pd.original_file_name)),
        ("format", f"{pd.format or '–'}" + (f", {pd.encoding}" if pd.encoding else "")
         + (f", delimiter {pd.delimiter!r}" if pd.delimiter else "") + (f", sheet {pd.sheet}" if pd.sheet else "")),
        ("size", f"{number(pd.size)} bytes" if pd.size is not None else "–"), ("sha256", pd.sha256 or "–"),
        ("written to" if job.job_type is JobType.EXPORT else "kept at", pd.kept_path or "–"),
        ("progress", f"{number(p.total)} total: {number(p.done)} done, {number(p.error)} error, "
                     f"{number(p.pending)} pending"),
        ("summary", f"create {number(s.create)}, update {number(s.update)}, unchanged {number(s.unchanged)}"),
        ("errors / warnings", f"{number(job.errors_count)} / {number(job.warnings_count)}"),
        ("processed", number(job.processed_count)),
        ("locale", job.metadata.locale), ("data row index", number(job.metadata.data_row_index)),
        ("skip errors", "yes" if job.skip_errors else f"no (threshold {job.error_threshold:.0%})"),
    ]
    for label, value in (("parent resource", job.parent_resource_id), ("reference", job.reference),
                         ("reference origin", job.reference_origin), ("external ref", job.external_ref),
                         ("validated by", job.validated_job_uid), ("retry of", job.retry_of_uid),
                         ("created by", job.created_by)):
        if value:
            rows.append((label, safe(value)))
    if job.metadata.shared_entity_data:
        rows.append(("shared data", safe(str(job.metadata.shared_entity_data))))
    for name in job.type_counts.uploaded:
        rows.append((f"  {name}", f"uploaded {number(job.type_counts.uploaded[name])}, "
                                  f"imported {number(job.type_counts.imported.get(name, 0))}"))
    for label in ("created_at", "started_at", "completed_at", "interrupted_at", "canceled_at", "failed_at",
                  "updated_at"):
        value = getattr(job, label)
        if value:
            rows.append((label.replace("_", " "), stamp(value)))
    if job.started_at and (job.completed_at or job.failed_at):
        rows.append(("duration", duration(job_seconds(job))))  # running time only, as the app's "took"
    if job.error_message:
        rows.append(("message", safe(job.error_message)))
    for label, value in rows:
        print(f"{label:>18}  {value}")
    return exit_codes.OK


def cmd_errors(args) -> int:
    if args.json and args.csv:
        raise UsageError("--json and --csv cannot be used together")
    engine = open_engine_to_read(args)
    job = engine.get_job(args.uid)
    if args.export:
        written = engine.export_failed_rows(job.uid, Path(args.export))
        print(f"{written:,} failed rows of job {job.uid} written to {safe(Path(args.export).name)}", file=sys.stderr)
        return exit_codes.OK
    level = ItemLevel(args.level) if args.level else None
    if args.limit:
        items = engine.list_items(job.uid, level=level, field=args.field, offset=args.offset, limit=args.limit)
    else:
        items = (i for i in engine.iter_items(job.uid, level) if args.field is None or i.field == args.field)
    if args.json:
        print_json([i.model_dump(mode="json", exclude={"id"}) for i in items])
    elif args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["row", "level", "column", "value", "code", "message"])
        for i in items:
            writer.writerow([i.row_number or "", i.level.value, i.field or "", _neutralise(i.value), i.code, i.message])
    else:
        count = 0
        for i in items:
            count += 1
            where = f"row {i.row_number}" if i.row_number else "file"
            column = f", column {i.field}" if i.field else ""
            value = f" (value {safe(i.value)!r})" if i.value is not None else ""
            print(f"{job.file_name}: {where}{column}: {i.level.value}: {safe(i.message)}{value}")
        if not count:
            print("no errors or warnings", file=sys.stderr)
    return exit_codes.OK


def _neutralise(value: str | None) -> str:
    return neutralise(value) if value else ""


def cmd_interrupt(args) -> int:
    job = open_engine(args).interrupt(args.uid)
    return _changed(job, args, "stopping at its next batch boundary" if job.request else job.status.value)


def cmd_cancel(args) -> int:
    job = open_engine(args).cancel(args.uid)
    return _changed(job, args, "canceling at its next batch boundary" if job.request else job.status.value)


def cmd_delete(args) -> int:
    job = open_engine(args).delete(args.uid)
    return _changed(job, args, "deleted")


def _changed(job, args, what: str) -> int:
    """The job after a lifecycle request: JSON on stdout for scripts, else one line for people."""
    if args.json:
        print_json(job.to_seed_json())
    else:
        print(f"job {job.uid}: {what}")
    return exit_codes.OK


def cmd_types(args) -> int:
    engine = open_engine_to_read(args)
    reg = engine.registry
    types = [engine.resource_type(args.name)] if args.name else [reg.get(n) for n in reg.names()]
    if args.json:
        print_json([type_json(rt) for rt in types])
    else:
        for rt in types:
            parent = f", parent {rt.parent_field}" if rt.parent_field else ""
            print(f"{rt.name} — {rt.title} (key {', '.join(rt.key)}{parent})")
            if args.name:
                _print_fields(rt)
    for err in reg.errors:
        print(f"importdesk: {err}", file=sys.stderr)
    return exit_codes.OK


def type_json(rt) -> dict:
    return {"name": rt.name, "title": rt.title, "description": rt.description or None, "key": list(rt.key),
            "parent": rt.parent_field,
            "fields": [{"name": f, "type": spec.type, "required": spec.required, "key": f in rt.key,
                        "default": json_value(spec.default) if spec.has_default else None,
                        "has_default": spec.has_default, "choices": list(spec.choices),
                        "aliases": list(spec.aliases), "description": spec.description or None}
                       for f, spec in rt.fields.items()]}


def _print_fields(rt) -> None:
    if rt.description:
        print(f"  {safe(rt.description)}")
    print(f"  {'FIELD':<24} {'TYPE':<9} {'':<8}  DEFAULT / CHOICES / ALIASES")
    for f, spec in rt.fields.items():
        flags = "key" if f in rt.key else ("required" if spec.required else "")
        notes = []
        if spec.has_default:
            notes.append(f"default {csv_text(spec.default, spec.type) if spec.default is not None else 'empty'}")
        if spec.choices:
            notes.append("one of " + ", ".join(spec.choices))
        if spec.aliases:
            notes.append("also read as " + ", ".join(repr(a) for a in spec.aliases))
        print(f"  {f:<24} {spec.type:<9} {flags:<8}  {safe('; '.join(notes))}".rstrip())
