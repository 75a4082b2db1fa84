"""Table files whose rows are grouped into records of another type (a resource type with
``rows``; Medusa's product CSV: one row per variant, the rows of one handle are one product).

``GroupedSource`` wraps the job's row source. Each row becomes one record of the ``rows`` type
(its columns that fill no field of the grouping type, and the grouping key's columns). The
first row of each key is, before that, also one record of the grouping type, from the columns
of its fields, with that row's number. So the job counts records: rows + distinct keys, each
type on its own (``uploaded`` / ``imported``), and a row's errors name its row.

A later row of a key that gives a grouping field a different (non-empty) value than the first
row did is a conflict: the first row's value is the record's, as the platform does it, and the
later value is kept with that row's record (its ``_extra``, under the header) and warned about,
naming both rows. Rows without the key (or broken rows) are rows only: their record's
validation says what is missing.

Records come out as dicts by header (``RowMapper`` maps them like JSON records, families and
undeclared columns included); ``records(skip)`` skips records, not rows, so a resume goes on
after the last committed record.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from importdesk.engine.errors import JobFailed
from importdesk.readers import Record

if TYPE_CHECKING:
    from importdesk.schemas import ResourceType

CONFLICT = "conflicting_group_value"  # the code of a later row's differing grouping value


class GroupedRecord(Record):
    """A record with the warnings its row brings (``notes``: (field, value, message, key))."""

    __slots__ = ("notes",)

    def __init__(self, number: int, values: Any, type: str | None = None, notes: list | None = None) -> None:
        super().__init__(number, values, type)
        self.notes = notes


class GroupedSource:
    def __init__(self, source, group: ResourceType, rows: ResourceType, file_name: str) -> None:
        self.source = source
        self.info = source.info
        self.group, self.rows = group, rows
        headers = self.headers = [str(h) for h in source.info.headers]
        mapping = group.map_headers(headers)
        family_columns = {i for pairs in mapping.families.values() for i, _slot in pairs}
        self.group_columns = [i for i, f in enumerate(mapping.columns) if f is not None] + sorted(family_columns)
        self.group_columns.sort()
        position = {f: i for i, f in enumerate(mapping.columns) if f is not None}
        missing = [k for k in group.key if k not in position]
        if missing:
            raise JobFailed(f"{file_name}: missing required column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} for {group.name} (its rows are grouped by it); the file has: "
                            f"{', '.join(headers)}")
        self.key_columns = [position[k] for k in group.key]
        grouped = set(self.group_columns) - set(self.key_columns)
        self.row_columns = [i for i in range(len(headers)) if i not in grouped]
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            keys = set()
            rows = 0
            for rec in self.source.records():
                rows += 1
                key = self._key(rec)
                if key is not None:
                    keys.add(key)
            self._count = rows + len(keys)
        return self._count

    def _key(self, rec) -> tuple[str, ...] | None:
        if rec.error is not None or not isinstance(rec.values, list):
            return None
        values = rec.values
        key = tuple(_text(values[i]) if i < len(values) else "" for i in self.key_columns)
        return key if all(key) else None

    def records(self, skip: int = 0) -> Iterator[Record]:
        return islice(self._records(), skip, None)

    def _records(self) -> Iterator[Record]:
        firsts: dict[tuple[str, ...], tuple[int, tuple[Any, ...]]] = {}
        headers = self.headers
        group_name, rows_name = self.group.name, self.rows.name
        for rec in self.source.records():
            if rec.error is not None or not isinstance(rec.values, list):
                rec.type = rows_name
                yield rec
                continue
            values = rec.values
            n = len(values)
            row = {headers[i]: values[i] for i in self.row_columns if i < n}
            if len(values) > len(headers):  # a ragged row is a row error; its cells stay in the raw row
                yield Record(rec.number, values, rows_name, f"row has {n} values, the header has {len(headers)}")
                continue
            key = self._key(rec)
            notes = None
            if key is not None:
                cells = tuple(values[i] if i < n else "" for i in self.group_columns)
                first = firsts.get(key)
                if first is None:
                    firsts[key] = (rec.number, cells)
                    yield GroupedRecord(rec.number, {headers[i]: c for i, c in zip(self.group_columns, cells,
                                                                                    strict=True)}, group_name)
                else:
                    notes = self._conflicts(key, rec.number, first, cells, row)
            yield GroupedRecord(rec.number, row, rows_name, notes)

    def _conflicts(self, key, number, first, cells, row) -> list | None:
        first_row, first_cells = first
        notes = []
        shown = " / ".join(key)
        for i, was, now in zip(self.group_columns, first_cells, cells, strict=True):
            if _text(now) and _text(now) != _text(was):
                header = self.headers[i]
                row[header] = now
                notes.append((header, _text(now), (
                    f"row {number} gives {header} {_text(now)!r}, but row {first_row} (the first of "
                    f"{self.group.name} {shown}) gave {_text(was)!r}: the first row's value is the "
                    f"{self.group.name}'s; this one is kept with row {number}'s {self.rows.name} (_extra)"), shown))
        return notes or None

    def close(self) -> None:
        self.source.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def grouped(source, group: ResourceType, registry, file_name: str):
    """``source`` grouped for ``group`` when its files are (a table file of a type with ``rows``)."""
    if not group.rows or source.info.format not in ("csv", "xlsx"):
        return source
    try:
        rows = registry.get(group.rows)
    except Exception as exc:
        raise JobFailed(f"{group.name}: its rows type {group.rows!r} is not available ({exc})") from None
    return GroupedSource(source, group, rows, file_name)
