"""Errors the engine raises while running a job, and how a failed write to the store is told."""

from __future__ import annotations

import sqlite3

# what a face catches when a file or a type definition is refused
from importdesk.readers import ReaderError as ReaderError
from importdesk.schemas import SchemaError as SchemaError


class JobFailed(Exception):
    """Fatal for the whole job: the message is for the user (names file, row, column)."""


class JobStopped(Exception):
    """The job cannot go on now, but nothing is wrong with it: it ends interrupted (resumable)."""


class StoreWriteFailed(Exception):
    """The batch writer could not commit a batch; ``detail`` is what SQLite said there."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


# What SQLite says (in process, or in the batch writer's reply) -> what happened, in the user's words
_STORE_FAULTS = (
    ("database or disk is full", "full", "the disk is full"),
    ("disk i/o error", "io", "the disk reported an I/O error"),
    ("database is locked", "locked", "another process held the store's write lock too long"),
    ("database table is locked", "locked", "another process held the store's write lock too long"),
    ("unable to open database file", "io", "the store's file could not be opened"),
    ("attempt to write a readonly database", "readonly", "the store is read-only"),
)


def store_fault(error: BaseException | str) -> tuple[str, str] | None:
    """(kind, plain words) when ``error`` is the store refusing a write (full, I/O, locked,
    read-only): the job's data is fine and the job can continue once that is cleared."""
    if isinstance(error, BaseException) and not isinstance(error, sqlite3.OperationalError):
        return None
    text = str(error).lower()
    for needle, kind, words in _STORE_FAULTS:
        if needle in text:
            return kind, words
    return None


class UsageError(ValueError):
    """The request cannot be carried out as asked (unknown type, wrong state…): a message for the user."""


class DuplicateContent(UsageError):
    """The file's bytes are those of a job that is queued, running, resumable or done: not imported twice."""

    def __init__(self, message: str, earlier_uid: str):
        super().__init__(message)
        self.earlier_uid = earlier_uid
