"""An unchanged re-import, known without classifying its rows: the same bytes, read and validated
the same way, were imported in full by an earlier job whose records are all still as it wrote them.

A re-import classifies each valid row against its stored record (created, updated or unchanged),
reading the record and comparing every value. When the file is byte for byte one that a job J of
the same type imported before (its sha256), with the same recipe (``recipe``: this version of
importdesk, the validator's fingerprint, the headers and how they map, the locale and the parent),
each row validates to the values J validated it to. If J also ended done with no row in error or
unchanged, it wrote a record for every row; and when the records still marked as J's last write
number exactly the rows J created or updated, no record J wrote has been written since (every
write marks its record with its job), and no key was in the file twice (J would then have
updated its own record, leaving fewer). So each row the new job finds valid is unchanged, and
its key is new to the job: neither classification nor the job's seen keys are needed.

That holds from the moment ``find`` counted. Each batch's transaction then checks that no other
execute job that may write the type has written since: the number of such jobs that have
written and the sum of their revisions (bumped by every save of a job row, which every write
comes with) are as they were (``JobStore.WRITERS_CHANGED_SQL``; conservative, any save of one
counts). If not, that batch and every later one are classified as usual. Rows are still read
and validated: their errors and warnings, and the counters, are exactly those of any run."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import Any

from importdesk.engine.context import EngineContext
from importdesk.engine.row_mapper import RowMapper
from importdesk.models import ImportJob, JobType
from importdesk.schemas import positional_recipe


@cache
def _version() -> str | None:
    """This importdesk's version (read once per process); None when not installed."""
    try:
        return metadata.version("importdesk")
    except metadata.PackageNotFoundError:
        return None


def recipe(pv: Any, mapper: RowMapper) -> str | None:
    """How a job's positional rows are read and validated, as one digest (same recipe, same
    values); None when this importdesk's version is not known (its code could be any)."""
    job, info = mapper.job, mapper.info
    version = _version()
    if version is None:
        return None
    described = (version, positional_recipe.fingerprint(pv), info.format, info.encoding, info.delimiter,
                 info.sheet, mapper.headers, tuple(mapper.mapping.columns), job.resource_type,
                 job.metadata.locale, job.parent_resource_id)
    return hashlib.sha256(repr(described).encode()).hexdigest()


@dataclass(frozen=True)
class UnchangedBasis:
    """``job_uid``'s valid rows are unchanged: ``basis`` imported these bytes in full, and its
    records stood as it wrote them while the jobs that write the type were ``writers``."""

    job_uid: str
    resource_type: str
    basis: str
    writers: tuple[int, int]

    def check_params(self) -> tuple[Any, ...]:
        """``JobStore.WRITERS_CHANGED_SQL``'s parameters: a row back means the basis may not hold."""
        return (*_writers_params(self.job_uid, self.resource_type), *self.writers)


def _writers_params(job_uid: str, resource_type: str) -> tuple[str, str, str]:
    return (job_uid, resource_type, f'%"{resource_type}"%')


def find(ctx: EngineContext, job: ImportJob, job_recipe: str | None) -> UnchangedBasis | None:
    """The basis of ``job`` (an execute job from its first row, of one type, rows validated by
    ``job_recipe``), or None: its rows are classified as usual."""
    sha256 = job.provider_data.sha256
    if job.job_type is not JobType.EXECUTE or job.metadata.data_row_index or job_recipe is None or not sha256:
        return None
    earlier = ctx.jobs.last_full_import(job.resource_type, sha256)  # done, no row in error or unchanged
    if (earlier is None or earlier.provider_data.recipe != job_recipe or earlier.provider_data.sha256 != sha256
            or earlier.progress.pending or not earlier.progress.done
            or earlier.summary.create + earlier.summary.update != earlier.progress.done):
        return None
    # the writers first: one that writes while the records are counted changes them after
    n, revisions = ctx.db.conn().execute(ctx.jobs.WRITERS_OF_TYPE_SQL,
                                         _writers_params(job.uid, job.resource_type)).fetchone()
    if ctx.records.count(ctx.registry.get(job.resource_type), earlier.uid) != earlier.progress.done:
        return None
    return UnchangedBasis(job.uid, job.resource_type, earlier.uid, (n, revisions))
