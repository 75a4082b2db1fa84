"""What a user asks of a new import (type, dry run or not, locale, threshold, format hints…) and the
pending job made of it for a file kept in the workspace."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import Any

from importdesk.models import ImportJob, JobType, Metadata, ProviderData, ProviderType

FORMATS = ("csv", "xlsx", "json", "jsonl")
MIXED = "mixed"  # the resource type of a job whose file names the type of each row (Elastic Path JSONL)


@dataclass
class ImportOptions:
    resource_type: str | None = None  # None: suggest from the file
    job_type: JobType = JobType.EXECUTE
    locale: str = "en"
    skip_errors: bool = False
    error_threshold: float = 0.10
    parent_resource_id: str | None = None
    shared_entity_data: dict[str, Any] = field(default_factory=dict)
    reference: str | None = None
    reference_origin: str | None = None
    external_ref: str | None = None
    format: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    created_by: str | None = None


def file_job(uid: str, now, options: ImportOptions, *, resource_type: str, original_name: str, size: int | None,
             sha256: str | None, kept_path: str | None, created_by: str | None) -> ImportJob:
    """A pending job for a file kept inside the workspace, with the user's options."""
    return ImportJob(
        uid=uid,
        provider_type=ProviderType.FILE,
        provider_data=ProviderData(resource_type=resource_type, original_file_name=original_name,
                                   format=options.format, size=size, sha256=sha256, kept_path=kept_path,
                                   encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet),
        job_type=options.job_type,
        metadata=Metadata(locale=options.locale, shared_entity_data=options.shared_entity_data),
        created_at=now,
        updated_at=now,
        resource_type=resource_type,
        format=options.format,
        parent_resource_id=options.parent_resource_id,
        skip_errors=options.skip_errors,
        error_threshold=options.error_threshold,
        reference=options.reference,
        reference_origin=options.reference_origin,
        external_ref=options.external_ref,
        created_by=created_by,
    )


def current_user() -> str | None:
    """Who created a job (the login name), where the system can tell."""
    try:
        return getpass.getuser()
    except Exception:
        return None
