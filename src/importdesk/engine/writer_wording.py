"""The batch writer's helper for a job that skips bad rows: it validates raw batches as
``schemas/positional_recipe.py`` does, and also takes batches with bad rows, wording their errors
as the runner would (engine/batch_build.py, the same code, in the writer's process), so that a
file with many bad rows still shares its validation between the two cores.

The writer commits a worded batch's valid rows and its error items in one transaction with the
job row, saved as if every row were created and then corrected by the bad rows it found
(``JobStore.TALLY_BAD_ROWS_SQL``). A batch handed over while a worded one is in flight was
counted on that one's "all created" too: its transaction applies the same correction
(engine/batch_overlap.py keeps the runner's counters the same way). Only for jobs with no error
threshold (``applies``): a threshold needs every batch's errors before the next is counted.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from importdesk.engine.batch_build import BatchBuilder, key_positions
from importdesk.engine.job_items import count_levels
from importdesk.engine.row_mapper import RowMapper
from importdesk.models import ImportJob, JobType
from importdesk.readers import SourceInfo
from importdesk.schemas import positional_recipe
from importdesk.schemas.raw_cells import unpacked

__all__ = ["applies", "fingerprint", "helper", "load", "tally_path"]

MODULE = "importdesk.engine.writer_wording"


def applies(job: ImportJob) -> bool:
    """A job whose bad rows the writer may word: an execute job that skips them (no threshold)."""
    return job.job_type is JobType.EXECUTE and job.skip_errors


def fingerprint(pv: Any, mapper: RowMapper) -> str:
    """What the writer's validation and wording depend on, as one digest (equal, equal digests)."""
    rt = mapper.resource(mapper.job.resource_type)
    described = (positional_recipe.fingerprint(pv), mapper.headers, mapper.from_export,
                 tuple(mapper.mapping.columns), key_positions(rt, mapper), mapper.job.uid,
                 mapper.job.resource_type)
    return hashlib.sha256(repr(described).encode()).hexdigest()


def helper(schemas_dir: Any, job: ImportJob, pv: Any, mapper: RowMapper) -> tuple[str, dict[str, Any]]:
    """The writer's helper (module, recipe) for ``job``'s rows."""
    spec = positional_recipe.recipe(schemas_dir, job.resource_type, job.metadata.locale, job.parent_resource_id,
                                    list(pv.columns))
    spec["job"] = job.model_dump(mode="json")
    spec["info"] = dataclasses.asdict(mapper.info)
    return MODULE, spec


def tally_path(name: str) -> str:
    """The JSON path of a type's imported count in the job row's ``type_counts``."""
    return f'$.imported."{name}"'


def load(spec: dict[str, Any]) -> tuple[str, Any]:
    """(fingerprint, prepare): ``prepare`` as positional_recipe's, and its ``worded`` taking raw
    rows to (their valid stored rows, the bad rows' items, how many bad rows); raises when two
    valid rows have the same key (that batch is the runner's to classify)."""
    registry, pv = positional_recipe.rebuilt(spec)
    job = ImportJob.model_validate(spec["job"])
    mapper = RowMapper(registry, job, SourceInfo(**spec["info"]))
    builder = BatchBuilder(job, mapper, pv, stop_at_threshold=False)
    prepare = positional_recipe.preparer(pv)

    def worded(rows: list[list[Any]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int, int]:
        """(stored rows, items, bad rows, error items) of a batch of raw rows."""
        batch = builder.build(unpacked(rows), 0)
        tb = batch.only_type()
        if tb is not None and not tb.keys_unique():
            raise ValueError("a key repeats in the batch")
        return tb.stored if tb is not None else [], batch.items, batch.error_rows, count_levels(batch.items)[0]

    prepare.worded = worded  # (the batch writer's "worded" steps)
    return fingerprint(pv, mapper), prepare
