"""Corrections typed for failed rows: kept beside the job's report, which stays as it was."""

from __future__ import annotations

from datetime import datetime

from importdesk.store.converters import iso
from importdesk.store.database import Database


class RowEditStore:
    def __init__(self, db: Database):
        self.db = db

    def put(self, job_uid: str, row_number: int, field: str, value: str | None, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO row_edits (job_uid, row_number, field, value, edited_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(job_uid, row_number, field) DO UPDATE SET value = excluded.value,"
                " edited_at = excluded.edited_at",
                (job_uid, row_number, field, value, iso(now)),
            )

    def for_job(self, job_uid: str) -> dict[int, dict[str, str | None]]:
        """{row number: {field: corrected value}}."""
        edits: dict[int, dict[str, str | None]] = {}
        for row, field, value in self.db.conn().execute(
                "SELECT row_number, field, value FROM row_edits WHERE job_uid = ?", (job_uid,)):
            edits.setdefault(row, {})[field] = value
        return edits
