"""The inbox's steps that touch the store: a claimed file's job, recorded, settled, recovered.

An inbox file's life, in order, and who owns each step (the inbox face decides *when*; the engine
does it; `store.inbox_claims` holds the SQL and nothing else):

1–3. claim: note, atomic rename into ``processing/<uid>/``, sidecar along — `engine.inbox_claim`;
4.   record: the pending job (or a duplicate, or a rejection) — here, `create_claimed_job` /
     `record_rejected`; the note is then marked recorded (`inbox_claim.mark_recorded`);
5.   run: `engine.job_loop.JobLoop`, like every job; it settles each run as it ends (6, 7);
6.   settle: a final job's claim folder moves on — here, `settle_job`;
7.   a run our own shutdown stopped: tagged to resume — here, `mark_shutdown_interrupt`;
8.   recover at start and every rescan: `resume_stopped_inbox_jobs`, `repair_kept_path` here, the
     decisions in `inbox.reconcile`.

Unlike `Engine.create_job`, nothing is copied: the claimed file *is* the kept file. The duplicate
check and the insert share one write transaction, serialised per content (`serialise_content`: SQLite's
write lock, PostgreSQL's advisory lock), so two watchers, on one machine or two, that claim two copies of
the same bytes at the same moment still make one import and one reported duplicate.

Claimed files live in a claim folder named after the job: ``processing/<uid>/<name>``. When the job
is final, `settle_job` moves that whole folder (file, sidecar, claim note) in one rename to
``archive/<uid>/`` (done, canceled), ``archive/duplicates/<uid>/`` (a duplicate) or ``failed/<uid>/``
(error), and points the job and its source-file row at the new place, under the write lock.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from importdesk.engine.import_options import MIXED
from importdesk.engine.service import FORMATS, Engine, ImportOptions, UsageError, file_job
from importdesk.models import ImportJob, JobStatus, ProviderType
from importdesk.schemas import SchemaError
from importdesk.store import inbox_claims
from importdesk.store.converters import iso
from importdesk.store.files import sha256_of

log = logging.getLogger(__name__)

CREATED_BY = "inbox"
DUPLICATE_PREFIX = "duplicate of job "
# interrupted jobs with these messages were stopped by a crash or by the watch service's own shutdown:
# the watch service resumes them when it starts again (a user's interrupt, or the error threshold, not)
SHUTDOWN_MESSAGE = ("interrupted: the watch service stopped after {rows} rows; "
                    "it continues when the watch service starts again")
AUTO_RESUME_PREFIXES = ("interrupted: the watch service stopped", "the process running it stopped")


def claim_time(engine: Engine) -> str:
    """Now, as the store writes times: the moment a claim note records."""
    return iso(engine.ctx.clock())


def new_claim_uid(engine: Engine) -> str:
    """The uid of the job a claim will record: its claim folder is named after it."""
    return engine.ctx.new_uid()


def is_claimed(job: ImportJob) -> bool:
    """The job's file is one the inbox claimed and has not moved on yet (``processing/<uid>/``)."""
    return (job.provider_data.kept_path or "").startswith("processing/")


def jobs_for_claims(engine: Engine, uids: list[str]) -> dict[str, ImportJob]:
    """The recorded jobs among the claim folders' uids (a folder without one was never recorded)."""
    return inbox_claims.jobs_by_uid(engine.ctx.db, uids)


def jobs_kept_in_processing(engine: Engine) -> list[ImportJob]:
    """Jobs whose kept file the store still places under processing/ (a move not yet committed)."""
    return inbox_claims.jobs_kept_under(engine.ctx.db, "processing")


def check_options(engine: Engine, options: ImportOptions) -> None:
    """Raise UsageError when the options cannot make a job (unknown type, locale, format, threshold)."""
    if options.format and options.format not in FORMATS:
        raise UsageError(f"unknown format {options.format!r}; use one of {', '.join(FORMATS)}")
    if not 0 <= options.error_threshold <= 1:
        raise UsageError(f"error threshold must be between 0% and 100% (got {options.error_threshold:.0%})")
    name = options.resource_type
    if not name:
        raise UsageError("no resource type")
    if name == MIXED:
        return
    try:
        rt = engine.registry.get(name)
    except (KeyError, SchemaError) as exc:
        raise UsageError(str(exc).strip('"')) from None
    try:
        rt.validator(options.locale)
    except (ValueError, SchemaError) as exc:
        raise UsageError(f"locale {options.locale!r}: {exc}") from None


def create_claimed_job(engine: Engine, kept: Path, original_name: str, options: ImportOptions, *, uid: str,
                       force: bool = False, sha256: str | None = None) -> ImportJob:
    """Queue a pending job for a file already inside the workspace (``kept``), under ``uid``.

    Unless ``force``, a file whose bytes equal a queued, running, resumable or done job's of the same
    job type becomes a *canceled* job whose message names that job (nothing is imported twice).
    Raises UsageError for options that cannot make a job (the caller records a rejected file).
    """
    check_options(engine, options)
    kept = Path(kept)
    size = kept.stat().st_size
    sha256 = sha256 or sha256_of(kept)
    kept_rel = engine.workspace.relative(kept)
    now = engine.ctx.clock()
    job = file_job(uid, now, options, resource_type=options.resource_type, original_name=original_name,
                   size=size, sha256=sha256, kept_path=kept_rel, created_by=options.created_by or CREATED_BY)
    with engine.ctx.db.write() as conn:
        engine.ctx.db.serialise_content(conn, sha256)  # watchers on other machines wait here (PostgreSQL)
        earlier = None if force else inbox_claims.active_job_with_content(conn, sha256, job.job_type.value)
        if earlier is not None:
            earlier_uid, earlier_name = earlier
            job.status = JobStatus.CANCELED
            job.canceled_at = now
            job.error_message = (f"{DUPLICATE_PREFIX}{earlier_uid} (same content as {earlier_name or 'its file'}): "
                                 f"not imported again; kept in archive/duplicates/{uid}/ — add `force = true` "
                                 f"to a sidecar to import it anyway")
            engine.ctx.jobs.insert(job, conn)
        else:
            engine.ctx.jobs.insert(job, conn)
            inbox_claims.register_source(conn, sha256, size, original_name, kept_rel, iso(now))
    return job


def record_rejected(engine: Engine, original_name: str, reason: str, *, uid: str, kept: Path | None = None,
                    options: ImportOptions | None = None, sha256: str | None = None) -> ImportJob:
    """A job in status `error` that tells the user why a dropped file was not imported.

    It is not registered as a source file, so dropping the fixed file (or the same bytes with a
    sidecar naming the type) imports it normally.
    """
    options = options or ImportOptions()
    now = engine.ctx.clock()
    size = None
    kept_rel = None
    if kept is not None:
        kept_rel = engine.workspace.relative(kept)
        try:
            size = Path(kept).lstat().st_size
        except OSError:
            size = None
    job = file_job(uid, now, options, resource_type=options.resource_type or "", original_name=original_name,
                   size=size, sha256=sha256, kept_path=kept_rel, created_by=CREATED_BY)
    job.status = JobStatus.ERROR
    job.error_message = f"inbox: {original_name}: {reason}"
    job.failed_at = now
    engine.ctx.jobs.insert(job)
    return job


def is_duplicate_record(job: ImportJob) -> bool:
    return job.status is JobStatus.CANCELED and (job.error_message or "").startswith(DUPLICATE_PREFIX)


def target_folder(engine: Engine, job: ImportJob) -> Path | None:
    """Where a final job's claim folder belongs; None while the job is not final."""
    ws = engine.workspace
    if job.status is JobStatus.ERROR:
        return ws.failed
    if is_duplicate_record(job):
        return ws.archive / "duplicates"
    if job.status in (JobStatus.DONE, JobStatus.CANCELED):
        return ws.archive
    return None


def settle_job(engine: Engine, uid: str) -> Path | None:
    """Move a final job's claim folder to archive/ or failed/ and record the new place.

    Only claim folders (``<folder>/<uid>/<file>``) are moved; a no-op for jobs that are not final,
    already in place, or not from the inbox. The rename happens under the write lock, so a retry or
    resume from another process never sees the job point at a file that has moved. Idempotent; a
    crash between the rename and the commit is repaired by `repair_kept_path`. Returns the new path.
    """
    ws = engine.workspace
    with engine.ctx.db.write() as conn:
        job = inbox_claims.job_for_update(conn, uid)
        if job is None or job.provider_type is not ProviderType.FILE or not job.provider_data.kept_path:
            return None
        target_root = target_folder(engine, job)
        if target_root is None:
            return None
        kept = ws.absolute(job.provider_data.kept_path)
        claim_dir = kept.parent
        if claim_dir.name != uid or claim_dir.parent == target_root:
            return None
        target_root.mkdir(parents=True, exist_ok=True)
        target_dir = target_root / uid
        if not claim_dir.is_dir():
            return None  # already moved (repair_kept_path fixes the record) or lost: nothing to do here
        os.rename(claim_dir, target_dir)
        try:
            new_kept = target_dir / kept.name
            inbox_claims.relocate(conn, job.provider_data.kept_path, ws.relative(new_kept))
        except BaseException:
            os.rename(target_dir, claim_dir)
            raise
    log.info("job %s: %s moved to %s", uid, job.provider_data.kept_path, ws.relative(new_kept))
    return new_kept


def repair_kept_path(engine: Engine, job: ImportJob, folders: list[Path]) -> Path | None:
    """A job whose kept file is missing, but whose claim folder exists in one of ``folders``:
    point the job there (the crash window between a move and its commit). Returns the new path."""
    ws = engine.workspace
    pd = job.provider_data
    if not pd.kept_path or ws.absolute(pd.kept_path).exists():
        return None
    name = Path(pd.kept_path).name
    for folder in folders:
        candidate = folder / job.uid / name
        if candidate.exists():
            with engine.ctx.db.write() as conn:
                inbox_claims.relocate(conn, pd.kept_path, ws.relative(candidate))
            return candidate
    return None


def mark_shutdown_interrupt(engine: Engine, job: ImportJob) -> bool:
    """Tag a job our own shutdown interrupted, so the next watch service resumes it."""
    if job.status is not JobStatus.INTERRUPTED:
        return False
    message = SHUTDOWN_MESSAGE.format(rows=job.metadata.data_row_index)
    with engine.ctx.db.write() as conn:
        return inbox_claims.set_message(conn, job.uid, JobStatus.INTERRUPTED.value, message)


def resume_stopped_inbox_jobs(engine: Engine) -> list[ImportJob]:
    """After a crash or a shutdown: inbox jobs that stopped for that reason go back to pending."""
    resumed = []
    for job in inbox_claims.jobs_kept_under(engine.ctx.db, "processing", "interrupted"):
        if (job.error_message or "").startswith(AUTO_RESUME_PREFIXES):
            try:
                resumed.append(engine.resume(job.uid))
            except UsageError:
                continue  # resumed or canceled by someone else meanwhile
    return resumed
