"""A claimed file becomes a job: its options (folder defaults, sidecar), its checks and resource type
— or a job in `error` that says why it was not imported (the file then goes to ``failed/<uid>/``)."""

from __future__ import annotations

from importdesk.engine import MIXED, Engine, ImportOptions, UsageError, inbox_jobs
from importdesk.engine.errors import ReaderError
from importdesk.engine.inbox_claim import Claimed
from importdesk.inbox.naming import SUPPORTED, display, extension, type_from_folder, type_from_name
from importdesk.inbox.options import InboxOptions, OptionsError, options_for
from importdesk.models import ImportJob


def job_for_claimed(engine: Engine, claimed: Claimed) -> ImportJob:
    """The pending, duplicate (canceled) or rejected (error) job of a claimed file. A store that
    cannot record it raises: the caller keeps the file for the next try."""
    uid = claimed.uid
    name = display(claimed.original_name)

    def reject(reason: str, options: ImportOptions | None = None) -> ImportJob:
        return inbox_jobs.record_rejected(engine, name, reason, uid=uid, kept=claimed.file, options=options)

    try:
        opts = options_for(engine.workspace.inbox, claimed.parts, claimed.sidecar)
    except OptionsError as exc:
        return reject(f"options: {exc}")
    ext = extension(claimed.original_name)
    if ext not in SUPPORTED:
        what = f"unsupported file type {display(ext)!r}" if ext else "no file extension"
        return reject(f"{what} (expected {', '.join(SUPPORTED)}); moved to failed/{uid}/", opts.import_options())
    try:
        size = claimed.file.stat().st_size
    except OSError as exc:
        return reject(f"cannot read it ({exc.strerror or exc})", opts.import_options())
    if size == 0:
        return reject(f"empty file (0 bytes); moved to failed/{uid}/", opts.import_options())
    resource_type, how = resolve_type(engine, claimed, opts)
    if resource_type is None:
        return reject(f"cannot tell the resource type ({how}); put it in a folder named after the type "
                      f"(inbox/<type>/), start its name with the type, or give `type` in a sidecar "
                      f"{name}.toml — types: {', '.join(engine.registry.names())}; moved to failed/{uid}/",
                      opts.import_options())
    options = opts.import_options(resource_type)
    try:
        return inbox_jobs.create_claimed_job(engine, claimed.file, name, options, uid=uid, force=opts.force)
    except UsageError as exc:
        return reject(f"{exc}; moved to failed/{uid}/", options)
    except OSError as exc:
        return reject(f"cannot read it ({exc.strerror or exc}); moved to failed/{uid}/", options)


def resolve_type(engine: Engine, claimed: Claimed, opts: InboxOptions) -> tuple[str | None, str]:
    """(resource type or None, how it was found or why not): options, folder, name, then headers."""
    names = engine.registry.names()
    if opts.resource_type:
        return opts.resource_type, "options"
    if len(claimed.parts) > 1:
        found = type_from_folder(claimed.parts[0], names)
        if found:
            return found, "folder"
    found = type_from_name(claimed.original_name, names)
    if found:
        return found, "name"
    o = opts.import_options()
    try:
        found = engine.suggest_type(claimed.file, fmt=o.format, sheet=o.sheet, encoding=o.encoding,
                                    delimiter=o.delimiter)
    except ReaderError as exc:
        return None, f"the file cannot be read: {exc}"
    except OSError as exc:
        return None, f"the file cannot be read: {exc.strerror or exc}"
    if found:
        return found, "headers" if found != MIXED else "typed lines"
    return None, "neither folder, name nor headers match one type"
