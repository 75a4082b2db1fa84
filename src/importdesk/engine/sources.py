"""Where a job's rows come from: its kept file (or, for a retry, an earlier job's failed rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from importdesk.models import ImportJob, ProviderType
from importdesk.readers import ReaderError, open_source

if TYPE_CHECKING:
    from importdesk.engine.context import EngineContext


def open_job_source(ctx: "EngineContext", job: ImportJob):
    if job.provider_type is ProviderType.IMPORT_JOB:
        from importdesk.engine.failed_rows import FailedRowsSource

        return FailedRowsSource(ctx, job)
    pd = job.provider_data
    if not pd.kept_path:
        raise ReaderError(f"{job.file_name}: the job has no kept file")
    path = ctx.workspace.absolute(pd.kept_path)
    if not path.exists():
        raise ReaderError(f"{job.file_name}: the kept copy ({pd.kept_path}) is missing from the workspace")
    return open_source(path, fmt=pd.format, sheet=pd.sheet, encoding=pd.encoding, delimiter=pd.delimiter,
                       limits=ctx.limits)
