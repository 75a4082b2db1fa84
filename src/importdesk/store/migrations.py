"""Schema versions. Each migration runs once, in order, tracked by PRAGMA user_version."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def _records_keep_undeclared_attributes(conn: sqlite3.Connection) -> None:
    """5: every records table gains ``_extra``: the attributes a record came with that its type
    does not declare (JSON), kept instead of dropped."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'records\\_%' ESCAPE '\\'")]
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        if "_extra" not in {r[1] for r in conn.execute(f"PRAGMA table_info({quoted})")}:
            conn.execute(f"ALTER TABLE {quoted} ADD COLUMN _extra TEXT")


MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # 1: jobs, job items, kept source files, per-job seen keys (duplicate detection across batches)
    """
    CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        provider_type TEXT NOT NULL,
        provider_data TEXT NOT NULL,
        job_type TEXT NOT NULL,
        status TEXT NOT NULL,
        error_message TEXT,
        total INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        error INTEGER NOT NULL DEFAULT 0,
        pending INTEGER NOT NULL DEFAULT 0,
        data_row_index INTEGER NOT NULL DEFAULT 0,
        locale TEXT NOT NULL DEFAULT 'en',
        shared_entity_data TEXT NOT NULL DEFAULT '{}',
        resource_type TEXT NOT NULL,
        format TEXT,
        file_name TEXT,
        parent_resource_id TEXT,
        skip_errors INTEGER NOT NULL DEFAULT 0,
        error_threshold REAL NOT NULL DEFAULT 0.1,
        errors_count INTEGER NOT NULL DEFAULT 0,
        warnings_count INTEGER NOT NULL DEFAULT 0,
        processed_count INTEGER NOT NULL DEFAULT 0,
        reference TEXT,
        reference_origin TEXT,
        external_ref TEXT,
        created_by TEXT,
        summary_create INTEGER NOT NULL DEFAULT 0,
        summary_update INTEGER NOT NULL DEFAULT 0,
        summary_unchanged INTEGER NOT NULL DEFAULT 0,
        type_counts TEXT NOT NULL DEFAULT '{}',
        validated_job_uid TEXT,
        retry_of_uid TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT,
        completed_at TEXT,
        interrupted_at TEXT,
        canceled_at TEXT,
        failed_at TEXT,
        worker TEXT,
        heartbeat_at TEXT,
        request TEXT
    );
    CREATE INDEX jobs_by_status ON jobs(status, seq);
    CREATE INDEX jobs_by_resource ON jobs(resource_type, seq);

    CREATE TABLE job_items (
        id INTEGER PRIMARY KEY,
        job_uid TEXT NOT NULL REFERENCES jobs(uid) ON DELETE CASCADE,
        row_number INTEGER,
        record_key TEXT,
        level TEXT NOT NULL,
        field TEXT,
        value TEXT,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        raw_row TEXT,
        resource_type TEXT
    );
    CREATE INDEX job_items_by_job ON job_items(job_uid, level, row_number);
    CREATE INDEX job_items_by_field ON job_items(job_uid, field);

    CREATE TABLE source_files (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        name TEXT NOT NULL,
        kept_path TEXT NOT NULL,
        created_at TEXT NOT NULL
    );

    CREATE TABLE job_keys (
        job_uid TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        key TEXT NOT NULL,
        row_number INTEGER NOT NULL,
        PRIMARY KEY (job_uid, resource_type, key)
    ) WITHOUT ROWID;
    """,
    # 2: corrections a user typed for failed rows, applied when those rows are retried
    """
    CREATE TABLE row_edits (
        job_uid TEXT NOT NULL REFERENCES jobs(uid) ON DELETE CASCADE,
        row_number INTEGER NOT NULL,
        field TEXT NOT NULL,
        value TEXT,
        edited_at TEXT NOT NULL,
        PRIMARY KEY (job_uid, row_number, field)
    ) WITHOUT ROWID;
    """,
    # 3: the errors pane pages a job's items in row order without a filter: without this index
    # every page sorted all of the job's items (~250 ms for a page of a 100,000-error job)
    """
    CREATE INDEX job_items_by_row ON job_items(job_uid, row_number, id);
    """,
    # 4: a revision per job, bumped by every update whoever writes it, so a reader can tell which of
    # the jobs it shows changed without reading (and parsing) them all again
    """
    ALTER TABLE jobs ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
    CREATE TRIGGER jobs_rev AFTER UPDATE ON jobs FOR EACH ROW WHEN NEW.rev = OLD.rev
    BEGIN
        UPDATE jobs SET rev = OLD.rev + 1 WHERE seq = NEW.seq;
    END;
    """,
    _records_keep_undeclared_attributes,
    # 6: a job's running time, summed over its runs (speed, ETA and durations leave out the time it sat
    # interrupted or waiting to be resumed)
    """
    ALTER TABLE jobs ADD COLUMN run_seconds REAL NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN run_started_at TEXT;
    """,
    # 7: the lease of a processing job, until when its worker holds it: PostgreSQL's queue hands a
    # job whose lease ran out to another machine. SQLite leaves it NULL (one machine: a runner is
    # alive while its process is, see engine/worker_identity.py)
    """
    ALTER TABLE jobs ADD COLUMN lease_until TEXT;
    """,
    # 8: the records view opens one record with the job items about its key: without this index that
    # read scanned every item of every job (items without a key, most warnings, are left out of it)
    """
    CREATE INDEX job_items_by_record_key ON job_items(record_key) WHERE record_key IS NOT NULL;
    """,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to the newest version; returns it."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"this workspace was written by a newer importdesk (schema {version}, "
            f"this one knows {len(MIGRATIONS)}): upgrade importdesk"
        )
    for number in range(version, len(MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # re-check under the write lock: another process may have migrated meanwhile
            if conn.execute("PRAGMA user_version").fetchone()[0] != number:
                conn.execute("ROLLBACK")
                continue
            step = MIGRATIONS[number]
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """The script's statements; a `;` inside a trigger's BEGIN … END does not end one."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    return statements
