"""The one boundary where SQLite rows become domain objects and back."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from importdesk.models import (
    ImportJob,
    ItemLevel,
    JobItem,
    JobStatus,
    JobType,
    Metadata,
    Progress,
    ProviderData,
    ProviderType,
    Summary,
    TypeCounts,
)

TIMESTAMPS = ("created_at", "updated_at", "started_at", "completed_at", "interrupted_at",
              "canceled_at", "failed_at", "heartbeat_at", "run_started_at")
PLAIN = ("uid", "error_message", "resource_type", "format", "parent_resource_id", "error_threshold",
         "errors_count", "warnings_count", "processed_count", "reference", "reference_origin",
         "external_ref", "created_by", "validated_job_uid", "retry_of_uid", "worker", "request", "run_seconds")


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds") if value else None


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def job_to_row(job: ImportJob) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(job, name) for name in PLAIN}
    row.update({name: iso(getattr(job, name)) for name in TIMESTAMPS})
    row.update(
        provider_type=job.provider_type.value,
        provider_data=job.provider_data.model_dump_json(exclude_none=True),
        job_type=job.job_type.value,
        status=job.status.value,
        total=job.progress.total,
        done=job.progress.done,
        error=job.progress.error,
        pending=job.progress.pending,
        data_row_index=job.metadata.data_row_index,
        locale=job.metadata.locale,
        shared_entity_data=json.dumps(job.metadata.shared_entity_data, ensure_ascii=False),
        skip_errors=int(job.skip_errors),
        file_name=job.provider_data.original_file_name,
        summary_create=job.summary.create,
        summary_update=job.summary.update,
        summary_unchanged=job.summary.unchanged,
        type_counts=job.type_counts.model_dump_json(),
    )
    return row


def row_to_job(row: sqlite3.Row) -> ImportJob:
    data = {name: row[name] for name in PLAIN}
    data.update({name: parse_time(row[name]) for name in TIMESTAMPS})
    return ImportJob(
        **data,
        provider_type=ProviderType(row["provider_type"]),
        provider_data=ProviderData.model_validate_json(row["provider_data"]),
        job_type=JobType(row["job_type"]),
        status=JobStatus(row["status"]),
        progress=Progress(total=row["total"], done=row["done"], error=row["error"], pending=row["pending"]),
        metadata=Metadata(
            data_row_index=row["data_row_index"],
            locale=row["locale"],
            shared_entity_data=json.loads(row["shared_entity_data"]),
        ),
        skip_errors=bool(row["skip_errors"]),
        summary=Summary(create=row["summary_create"], update=row["summary_update"],
                        unchanged=row["summary_unchanged"]),
        type_counts=TypeCounts.model_validate_json(row["type_counts"]),
    )


ITEM_COLUMNS = ("job_uid", "row_number", "record_key", "level", "field", "value", "code", "message",
                "raw_row", "resource_type")


def row_to_item(row: sqlite3.Row) -> JobItem:
    return JobItem(
        id=row["id"],
        job_uid=row["job_uid"],
        row_number=row["row_number"],
        record_key=row["record_key"],
        level=ItemLevel(row["level"]),
        field=row["field"],
        value=row["value"],
        code=row["code"],
        message=row["message"],
        raw_row=json.loads(row["raw_row"]) if row["raw_row"] else None,
        resource_type=row["resource_type"],
    )
