"""Job items: row-level errors and warnings, paged from SQLite (never all in memory)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from importdesk.models import ItemLevel, JobItem
from importdesk.store.converters import ITEM_COLUMNS, row_to_item
from importdesk.store.database import Database

_INSERT = f"INSERT INTO job_items ({', '.join(ITEM_COLUMNS)}) VALUES ({', '.join('?' for _ in ITEM_COLUMNS)})"


@dataclass(frozen=True)
class ItemKind:
    """How many items share one field and code: "price / must be ≥ 0: 312 rows"."""

    level: ItemLevel
    field: str | None
    code: str
    message: str
    count: int


class ItemStore:
    INSERT_SQL = _INSERT  # rows in ITEM_COLUMNS order (a batch writer's items, engine/writer_wording.py)
    # items without a row (about the file or a column) come first: SQLite sorts NULL before numbers
    PAGE_ORDER = "row_number, id"
    KINDS_ORDER = "n DESC, field"

    def __init__(self, db: Database):
        self.db = db

    def add_rows(self, conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
        """Rows already in ITEM_COLUMNS order (the engine's hot path builds them directly)."""
        conn.executemany(_INSERT, rows)

    def counted(self, job_uid: str, code: str) -> dict[tuple[str | None, str | None], int]:
        """(resource type, field) -> count, of a job's once-per-field items whose value is their
        count (``code``, e.g. undeclared_attribute)."""
        rows = self.db.conn().execute(
            "SELECT resource_type, field, value FROM job_items WHERE job_uid = ? AND code = ?", (job_uid, code))
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def set_counts(self, conn: sqlite3.Connection, job_uid: str, code: str,
                   counts: list[tuple[str | None, str | None, int, str]]) -> None:
        """Update such items: (resource type, field, count, message)."""
        conn.executemany(
            "UPDATE job_items SET value = ?, message = ? WHERE job_uid = ? AND code = ?"
            " AND resource_type IS ? AND field IS ?",
            [(str(n), message, job_uid, code, rt, f) for rt, f, n, message in counts])

    def _where(self, job_uid: str, level: ItemLevel | None, field: str | None,
               code: str | None, row_number: int | None = None, *, whole_row: bool = False,
               text: str | None = None) -> tuple[str, list[Any]]:
        """`whole_row`: only items about a whole row (no field); `text`: in the message or the value."""
        clauses, params = ["job_uid = ?"], [job_uid]
        if whole_row:
            clauses.append("field IS NULL")
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append("(message LIKE ? ESCAPE '\\' OR value LIKE ? ESCAPE '\\')")
            params += [pattern, pattern]
        if level is not None:
            clauses.append("level = ?")
            params.append(level.value)
        if field is not None:
            clauses.append("field IS ?")
            params.append(field)
        if code is not None:
            clauses.append("code = ?")
            params.append(code)
        if row_number is not None:
            clauses.append("row_number = ?")
            params.append(row_number)
        return " AND ".join(clauses), params

    def page(self, job_uid: str, *, level: ItemLevel | None = None, field: str | None = None,
             code: str | None = None, offset: int = 0, limit: int = 100, whole_row: bool = False,
             text: str | None = None) -> list[JobItem]:
        where, params = self._where(job_uid, level, field, code, whole_row=whole_row, text=text)
        conn = self.db.conn()
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            f"SELECT * FROM job_items WHERE {where} ORDER BY {self.PAGE_ORDER} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()
        return [row_to_item(r) for r in rows]

    def count(self, job_uid: str, *, level: ItemLevel | None = None, field: str | None = None,
              code: str | None = None, row_number: int | None = None, whole_row: bool = False,
              text: str | None = None) -> int:
        where, params = self._where(job_uid, level, field, code, row_number, whole_row=whole_row, text=text)
        return self.db.conn().execute(f"SELECT count(*) FROM job_items WHERE {where}", params).fetchone()[0]

    def kinds(self, job_uid: str) -> list[ItemKind]:
        conn = self.db.conn()
        rows = conn.execute(
            "SELECT level, field, code, min(message), count(DISTINCT coalesce(row_number, id)) AS n"
            f" FROM job_items WHERE job_uid = ? GROUP BY level, field, code ORDER BY {self.KINDS_ORDER}",
            (job_uid,),
        ).fetchall()
        return [ItemKind(ItemLevel(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def fields(self, job_uid: str) -> list[str]:
        rows = self.db.conn().execute(
            "SELECT DISTINCT field FROM job_items WHERE job_uid = ? AND field IS NOT NULL ORDER BY field",
            (job_uid,),
        ).fetchall()
        return [r[0] for r in rows]

    def about_record(self, key: str, resource_type: str, limit: int) -> list[JobItem]:
        """The items about one record key of a type, newest first (a job of that type wrote the
        item when it names no type); job_items_by_record_key (migration 8) finds them."""
        conn = self.db.conn()
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT * FROM job_items WHERE record_key = ? AND (resource_type = ? OR (resource_type IS NULL"
            " AND job_uid IN (SELECT uid FROM jobs WHERE resource_type = ?))) ORDER BY id DESC LIMIT ?",
            (key, resource_type, resource_type, limit)).fetchall()
        return [row_to_item(r) for r in rows]

    def iter_all(self, job_uid: str, level: ItemLevel | None = None, chunk: int = 5000) -> Iterator[JobItem]:
        """Every item in row order, read in chunks (keyset paging, constant memory)."""
        last_row, last_id = -1, -1
        extra = "AND level = ?" if level else ""
        conn = self.db.conn()
        conn.row_factory = sqlite3.Row
        while True:
            params: list[Any] = [job_uid, last_row, last_row, last_id]
            if level:
                params.append(level.value)
            rows = conn.execute(
                "SELECT * FROM job_items WHERE job_uid = ? AND (coalesce(row_number, -1) > ?"
                " OR (coalesce(row_number, -1) = ? AND id > ?)) " + extra +
                " ORDER BY coalesce(row_number, -1), id LIMIT ?",
                (*params, chunk),
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield row_to_item(r)
            last_row = rows[-1]["row_number"] if rows[-1]["row_number"] is not None else -1
            last_id = rows[-1]["id"]
