"""A claimed file becomes a job: its options (folder defaults, sidecar), its checks and resource type
— or a job in `error` that says why it was not imported (the file then goes to ``failed/<uid>/``)."""

from __future__ import annotations

from importdesk.engine import MIXED, Engine, ImportOptions, UsageError, inbox_jobs
from importdesk.engine.errors import ReaderError
from importdesk.engine.inbox_claim import Claimed
from importdesk.engine.recognise import recognise
from importdesk.inbox.naming import SUPPORTED, display, extension, types_from_folder, types_from_name
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
    resource_type, how, candidates = resolve_type(engine, claimed, opts)
    if resource_type is None and candidates:
        return reject(f"cannot tell the resource type: {how}: {', '.join(candidates)}. "
                      f"{how_to_choose(name, candidates)}; moved to failed/{uid}/", opts.import_options())
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


def how_to_choose(name: str, candidates: list[str]) -> str:
    """The ways to say which of several types a dropped file is of, with the first as the example."""
    example = candidates[0]
    return (f"To choose, drop it again into the folder of its type (inbox/{example}/{name}), or with a "
            f"name that starts with it ({example}-{name}), or with a sidecar {name}.toml holding "
            f"type = \"{example}\"; or import it with: importdesk run {name} --type {example}")


def resolve_type(engine: Engine, claimed: Claimed, opts: InboxOptions) -> tuple[str | None, str, list[str]]:
    """(resource type or None, how it was found or why not, the candidates when several types fit
    and nothing else tells): options, folder, name, then the file's shape (headers, typed lines)."""
    names = engine.registry.names()
    if opts.resource_type:
        return opts.resource_type, "options", []
    unclear: tuple[str, list[str]] | None = None  # a folder or name that names several types
    if len(claimed.parts) > 1:
        found = types_from_folder(claimed.parts[0], names)
        if len(found) == 1:
            return found[0], "folder", []
        if found:
            unclear = f"its folder {display(claimed.parts[0])!r} names several types", found
    found = types_from_name(claimed.original_name, names)
    if len(found) == 1:
        return found[0], "name", []
    if found and unclear is None:
        unclear = "its name starts with the names of several types", found
    o = opts.import_options()
    try:
        shape = recognise(engine, claimed.file, fmt=o.format, sheet=o.sheet, encoding=o.encoding,
                          delimiter=o.delimiter)
    except ReaderError as exc:
        return None, f"the file cannot be read: {exc}", []
    except OSError as exc:
        return None, f"the file cannot be read: {exc.strerror or exc}", []
    if shape.type:
        return shape.type, "headers" if shape.type != MIXED else "typed lines", []
    if shape.ambiguous:
        return None, shape.how, list(shape.candidates)
    if unclear is not None:
        return None, *unclear
    return None, "neither folder, name nor headers match one type", []
