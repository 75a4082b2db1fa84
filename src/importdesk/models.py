"""The shared vocabulary: import jobs, their progress and their items.

`ImportJob` carries the fields of the ImportJob seed (uid, provider_type, provider_data, job_type,
status, error_message, progress, metadata, created_at, updated_at) plus, under their own names,
what Commerce Layer, Medusa and Elastic Path add.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    ERROR = "error"
    INTERRUPTED = "interrupted"
    CANCELED = "canceled"

    @property
    def is_final(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELED)


class JobType(StrEnum):
    VALIDATE = "validate"
    EXECUTE = "execute"
    EXPORT = "export"  # records of a resource type written to a file (Medusa's export jobs)


class ProviderType(StrEnum):
    FILE = "file"
    IMPORT_JOB = "import_job"


class ItemLevel(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Progress(BaseModel):
    """Invariant at every commit: total == done + error + pending."""

    total: int = 0
    done: int = 0
    error: int = 0
    pending: int = 0

    @property
    def processed(self) -> int:
        return self.done + self.error

    @property
    def fraction(self) -> float:
        return self.processed / self.total if self.total else 0.0


class ProviderData(BaseModel):
    """Where the rows come from: a kept file, or an earlier import job."""

    resource_type: str | None = None
    original_file_name: str | None = None
    format: str | None = None
    size: int | None = None
    sha256: str | None = None
    kept_path: str | None = None  # relative to the workspace
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    source_job_uid: str | None = None  # provider_type == import_job
    # a digest of how its rows were read and validated (engine/unchanged_basis.py); None: not one way
    recipe: str | None = None


class Metadata(BaseModel):
    data_row_index: int = 0  # data records fully processed (resume continues after it)
    locale: str = "en"
    shared_entity_data: dict[str, Any] = Field(default_factory=dict)


class Summary(BaseModel):
    """Medusa's pre-processing summary: what an execute would do / did."""

    create: int = 0
    update: int = 0
    unchanged: int = 0

    def describe(self) -> str:
        return f"{self.create} to create, {self.update} to update, {self.unchanged} unchanged"


class TypeCounts(BaseModel):
    """Elastic Path: per resource type, rows read (uploaded) and rows written or valid (imported)."""

    uploaded: dict[str, int] = Field(default_factory=dict)
    imported: dict[str, int] = Field(default_factory=dict)


class ImportJob(BaseModel):
    model_config = ConfigDict(use_enum_values=False)

    uid: str
    provider_type: ProviderType = ProviderType.FILE
    provider_data: ProviderData = Field(default_factory=ProviderData)
    job_type: JobType = JobType.EXECUTE
    status: JobStatus = JobStatus.PENDING
    error_message: str | None = None
    progress: Progress = Field(default_factory=Progress)
    metadata: Metadata = Field(default_factory=Metadata)
    created_at: datetime
    updated_at: datetime

    resource_type: str
    format: str | None = None
    parent_resource_id: str | None = None
    skip_errors: bool = False
    error_threshold: float = 0.10  # fraction of total rows; crossing it interrupts unless skip_errors
    errors_count: int = 0
    warnings_count: int = 0
    processed_count: int = 0  # records created or updated
    reference: str | None = None
    reference_origin: str | None = None
    external_ref: str | None = None
    created_by: str | None = None
    summary: Summary = Field(default_factory=Summary)
    type_counts: TypeCounts = Field(default_factory=TypeCounts)
    validated_job_uid: str | None = None  # the validate job this execute job confirms
    retry_of_uid: str | None = None  # the job this one retries

    started_at: datetime | None = None
    completed_at: datetime | None = None
    interrupted_at: datetime | None = None
    canceled_at: datetime | None = None
    failed_at: datetime | None = None

    # The time it actually ran, which a stay in `interrupted` or `pending` does not count: seconds of
    # the runs that ended, and when the current run began (None when not running).
    run_seconds: float = 0.0
    run_started_at: datetime | None = None

    worker: str | None = None  # "host:pid" of the process running it
    heartbeat_at: datetime | None = None
    request: str | None = None  # "interrupt" | "cancel", asked by any process

    @property
    def file_name(self) -> str:
        return self.provider_data.original_file_name or ""

    @property
    def short_uid(self) -> str:
        return self.uid[-8:]

    def end_run(self, now: datetime) -> None:
        """The current run ended at `now`: its time joins the job's running time."""
        if self.run_started_at is not None:
            self.run_seconds += max((now - self.run_started_at).total_seconds(), 0.0)
            self.run_started_at = None

    def active_seconds(self, now: datetime | None = None) -> float | None:
        """Seconds spent running, summed over every run (resumes add up; waiting does not count).

        `now` counts the current run up to then; without it, up to the last commit (`updated_at`).
        None for a job that never started. Jobs written before runs were timed count start to end."""
        if self.started_at is None:
            return None
        if self.run_started_at is not None:
            current = ((now or self.updated_at) - self.run_started_at).total_seconds()
            return self.run_seconds + max(current, 0.0)
        if self.run_seconds:
            return self.run_seconds
        if self.status is JobStatus.PROCESSING:
            end = now or self.updated_at
        else:
            end = self.completed_at or self.failed_at or self.canceled_at or self.interrupted_at or self.updated_at
        return max((end - self.started_at).total_seconds(), 0.0)

    def rate_and_eta(self) -> tuple[float | None, float | None]:
        """Rows per second over the running time only, and seconds left (while it runs)."""
        seconds = self.active_seconds()
        if not seconds or not self.progress.processed:
            return None, None
        rate = self.progress.processed / seconds
        eta = self.progress.pending / rate if self.status is JobStatus.PROCESSING else None
        return rate, eta

    def timeline(self) -> list[tuple[str, datetime]]:
        """The job's moments in the order they happened (a resumed job was interrupted, then completed)."""
        moments = [("created", self.created_at), ("started", self.started_at),
                   ("interrupted", self.interrupted_at), ("canceled", self.canceled_at),
                   ("failed", self.failed_at), ("completed", self.completed_at)]
        return sorted(((name, at) for name, at in moments if at is not None), key=lambda m: m[1])

    def to_seed_json(self) -> dict[str, Any]:
        """The ImportJob shape of the seed, extended with the other seeds' fields."""
        return self.model_dump(mode="json", exclude={"worker", "heartbeat_at", "request"})


class JobItem(BaseModel):
    """One row-level finding of a job: an error (row rejected) or a warning."""

    id: int | None = None
    job_uid: str
    row_number: int | None = None  # source row number a person finds in the file
    record_key: str | None = None
    level: ItemLevel = ItemLevel.ERROR
    field: str | None = None
    value: str | None = None  # the rejected value, as text
    code: str
    message: str
    raw_row: dict[str, Any] | None = None  # failed rows keep their raw values (for retry and exports)
    resource_type: str | None = None


class JobFilter(BaseModel):
    status: list[JobStatus] = Field(default_factory=list)
    job_type: JobType | None = None
    resource_type: str | None = None
    text: str | None = None
    with_row_errors: bool = False  # only jobs with rejected rows
    offset: int = 0
    limit: int = 100
