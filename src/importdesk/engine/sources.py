"""Where a job's rows come from: its kept file (or, for a retry, an earlier job's failed rows),
and whether that kept file is still the one the job started on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from importdesk.engine.errors import JobFailed
from importdesk.engine.row_groups import grouped
from importdesk.models import ImportJob, ProviderType
from importdesk.readers import ReaderError, open_source
from importdesk.readers.detect import EXTENSIONS
from importdesk.store.files import sha256_of

#: file name ending -> format, for every kind of file a job can read (the inbox picks files by it)
FILE_EXTENSIONS = EXTENSIONS

if TYPE_CHECKING:
    from importdesk.engine.context import EngineContext


def open_job_source(ctx: EngineContext, job: ImportJob):
    if job.provider_type is ProviderType.IMPORT_JOB:
        from importdesk.engine.failed_rows import FailedRowsSource

        return FailedRowsSource(ctx, job)
    pd = job.provider_data
    if not pd.kept_path:
        raise ReaderError(f"{job.file_name}: the job has no kept file")
    path = ctx.workspace.absolute(pd.kept_path)
    if not path.exists():
        raise ReaderError(f"{job.file_name}: the kept copy ({pd.kept_path}) is missing from the workspace")
    # a job that goes on after a checkpoint must read the very file it counted; a new one, its size
    check_kept_file(ctx, job, content=job.metadata.data_row_index > 0)
    source = open_source(path, fmt=pd.format, sheet=pd.sheet, encoding=pd.encoding, delimiter=pd.delimiter,
                         limits=ctx.limits)
    if job.resource_type in ctx.registry.names() and ctx.registry.get(job.resource_type).rows:
        try:  # one row per record of another type, grouped (Medusa's product CSV)
            return grouped(source, ctx.registry.get(job.resource_type), ctx.registry, job.file_name)
        except BaseException:
            source.close()
            raise
    return source


def kept_file_change(ctx: EngineContext, job: ImportJob, *, content: bool = True) -> str | None:
    """What changed in the job's kept file since the job was created (size, and with ``content``
    its sha256), in words; None when it is the same file (or the job has no kept file)."""
    pd = job.provider_data
    if job.provider_type is not ProviderType.FILE or not pd.kept_path:
        return None
    path = ctx.workspace.absolute(pd.kept_path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "it is missing from the workspace"
    if pd.size is not None and size != pd.size:
        return f"it had {pd.size:,} bytes when the job was created and has {size:,} now"
    if content and pd.sha256:
        digest = sha256_of(path)
        if digest != pd.sha256:
            return (f"its content is not the same (sha256 {pd.sha256[:12]}… when the job was created, "
                    f"{digest[:12]}… now, both {size:,} bytes)")
    return None


def changed_file_message(job: ImportJob, change: str) -> str:
    return (f"{job.file_name}: the kept copy ({job.provider_data.kept_path}) changed since job {job.short_uid} "
            f"started: {change}. The job cannot go on in a different file; import the file again as a new job "
            f"(importdesk run FILE --type {job.resource_type}) and delete this one if you like "
            f"(importdesk delete {job.short_uid}).")


def check_kept_file(ctx: EngineContext, job: ImportJob, *, content: bool = True) -> None:
    """JobFailed (a message saying what changed and how to start again) for a changed kept file."""
    change = kept_file_change(ctx, job, content=content)
    if change is not None:
        raise JobFailed(changed_file_message(job, change))
