"""Batch building: a batch of source records becomes the valid rows per resource type (what the
commit writes) and the items of the rows that failed, stopping early at the error threshold.

Two ways in: ``positional`` for rows of one type from a table (the common case: each row list
goes through the PositionalValidator, whose output the INSERT binds as it is) and for batches of
JSON records of one shape (``engine.record_rows``), ``mapped`` for everything else (typed lines,
shared data, mixed shapes: mapped to fields, then validated)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice, repeat
from operator import contains
from typing import Any, NamedTuple

from importdesk.engine.job_items import ItemRow, item_row, value_text
from importdesk.engine.record_rows import RecordRows
from importdesk.engine.references import ReferenceCheck, reference_error
from importdesk.engine.row_mapper import RowMapper, key_text, record_key
from importdesk.models import ImportJob, ItemLevel
from importdesk.readers import Record
from importdesk.readers.json_source import decode_lines
from importdesk.schemas import ResourceType, RowInvalid
from importdesk.schemas.positional import INVALID


@dataclass
class TypeBatch:
    """The valid rows of one resource type in a batch, in file order."""

    rt: ResourceType
    keys: list[str] = field(default_factory=list)
    values: list[tuple[Any, ...]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    # or, from a PositionalValidator: its output rows (stored values by file column, row number last)
    pv: Any = None
    stored: list[tuple[Any, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.stored) if self.pv is not None else len(self.keys)

    def keys_unique(self) -> bool:
        """No key twice in this batch (what lets it be inserted without classification)."""
        if self.pv is not None:
            return len(set(map(self.pv.key_of, self.stored))) == len(self.stored)
        return len(set(self.keys)) == len(self.keys)

    def unpack(self) -> None:
        """Positional rows -> keys, values in column order, rows (for classification)."""
        if self.pv is not None and self.stored:
            split = self.pv.split
            for key, values, row in map(split, self.stored):
                self.keys.append(key)
                self.values.append(values)
                self.rows.append(row)
            self.pv, self.stored = None, []


@dataclass
class Batch:
    """One batch, validated: what its commit writes and counts."""

    consumed: int  # source records taken (the checkpoint moves by this many)
    error_rows: int
    items: list[ItemRow]
    by_type: dict[str, TypeBatch]  # a type whose rows reached validation is here, even if none was valid
    uploaded: dict[str, int]  # records read, per type
    over_threshold: bool = False  # building stopped: the error threshold was crossed

    def only_type(self) -> TypeBatch | None:
        return next(iter(self.by_type.values())) if len(self.by_type) == 1 else None


class TypePlan(NamedTuple):
    """How a mapped row of one type is validated and kept in its TypeBatch."""

    validate: Callable[[dict[str, Any]], dict[str, Any]]
    key_of: Callable[[dict[str, Any]], str]
    to_db: Callable[[dict[str, Any]], tuple[Any, ...]]
    batch: TypeBatch


class BatchBuilder:
    """Validates batches of one job. ``errors_so_far``: the job's failed rows before this batch
    (committed or in flight), for the threshold."""

    def __init__(self, job: ImportJob, mapper: RowMapper, positional: Any, *, refs: ReferenceCheck | None = None,
                 stop_at_threshold: bool = True, record_rows: RecordRows | None = None):
        self.job = job
        self.mapper = mapper
        self.positional = positional
        self.record_rows = record_rows  # JSON records -> positional rows, batch by batch
        self.refs = refs  # names rows point to (engine/references.py); None: no row of the file names others
        self.stop_at_threshold = stop_at_threshold
        self._marking = False  # the last positional batch had many bad rows (see _positional)
        self._key_positions: dict[str, tuple[int, ...] | None] = {}  # per type (see _row_errors)

    def build(self, records: list, errors_so_far: int) -> Batch:
        if self.positional is not None:
            return self._positional(records, errors_so_far)
        decode_lines(records)  # JSON lines read lazily (engine/json_line_rows.py) are decoded now
        if self.record_rows is not None and (shaped := self.record_rows.shape(records)) is not None:
            batch = self._positional(shaped.rows, errors_so_far, shaped.pv, shaped.rt_name, records)
            if batch is not None:
                return batch
        return self._mapped(records, errors_so_far)

    @property
    def many_bad_rows(self) -> bool:
        """The last positional batch had more than 5% bad rows: the next likely has too."""
        return self._marking

    def error_limit(self) -> float | None:
        job = self.job
        return None if job.skip_errors or not self.stop_at_threshold else job.error_threshold * job.progress.total

    def _item(self, *args: Any, **kwargs: Any) -> ItemRow:
        return item_row(self.job.uid, *args, **kwargs)

    def _mapped(self, records: list, errors_so_far: int) -> Batch:
        job = self.job
        limit = self.error_limit()
        items: list[ItemRow] = []
        by_type: dict[str, TypeBatch] = {}
        uploaded: dict[str, int] = {}
        consumed = error_rows = 0
        over = False
        mapper = self.mapper
        plans: dict[str, TypePlan] = {}
        # the common case — one type, tabular, no shared data — skips the general mapping
        fast_to_raw = mapper.to_raw if (mapper.tabular and mapper.mapping is not None and not mapper.shared) else None
        job_type_name = job.resource_type
        for rec in records:
            consumed += 1
            if fast_to_raw is not None and rec.error is None and rec.type is None:
                rt_name, raw, problem = job_type_name, fast_to_raw(rec.values), None
            else:
                rt_name, raw, problem = mapper.map(rec)
                uploaded[rt_name] = uploaded.get(rt_name, 0) + 1
            if problem is not None:
                error_rows += 1
                items.append(self._item(rec.number, ItemLevel.ERROR, None, None, problem[0], problem[1],
                                        mapper.raw_row(rec), rt_name))
            else:
                plan = plans.get(rt_name)
                if plan is None:
                    rt = mapper.resource(rt_name)
                    plan = plans[rt_name] = TypePlan(mapper.validator(rt_name), rt.key_of, rt.to_db,
                                                     by_type.setdefault(rt_name, TypeBatch(rt)))
                try:
                    clean = plan.validate(raw)
                    if self.refs is not None and (unresolved := reference_error(self.refs, rt_name, clean)):
                        raise unresolved
                except RowInvalid as invalid:
                    error_rows += 1
                    raw_row = mapper.raw_row(rec)
                    key = record_key(mapper.resource(rt_name), raw)
                    for err in invalid.errors:
                        items.append(self._item(rec.number, ItemLevel.ERROR, err.field, value_text(err.value),
                                                err.code, err.message, raw_row, rt_name, key))
                else:
                    kept = plan.batch
                    kept.keys.append(plan.key_of(clean))
                    kept.values.append(plan.to_db(clean))
                    kept.rows.append(rec.number)
                    continue
            if limit is not None and errors_so_far + error_rows > limit:
                over = True
                break
        if fast_to_raw is not None:  # rows that took the fast path were not counted one by one
            uploaded[job_type_name] = consumed - sum(n for name, n in uploaded.items() if name != job_type_name)
        return Batch(consumed, error_rows, items, by_type, uploaded, over)

    def _positional(self, records: list, errors_so_far: int, pv: Any = None, rt_name: str | None = None,
                    sources: list | None = None) -> Batch | None:
        """``sources``: the JSON records ``records`` were made of (record_rows.py): an invalid row
        is worded by the dict path, and None is returned if that path would have taken it."""
        job = self.job
        mapper = self.mapper
        pv = pv or self.positional
        rt_name = rt_name or job.resource_type
        rt = mapper.resource(rt_name)
        limit = self.error_limit()
        items: list[ItemRow] = []
        tb = TypeBatch(rt, pv=pv)
        # After a batch with many bad rows, bad cells are marked instead of raised (no exception,
        # and no error list to build for a value worded before); the usual clean batch raises.
        marking = self._marking
        validate = pv.validate_marking if marking else pv.validate_or_raise
        invalid_row = pv.Invalid
        width = len(pv.columns) + 1  # the cells and the row number (source.numbered_rows)
        stored = tb.stored
        consumed = error_rows = malformed = 0
        over = False
        end = len(records)
        rows = iter(records)
        while consumed < end:
            # Valid rows in one C-level run: extend() keeps what map() produced before a row
            # raised, so the count of rows that passed tells which one it was; the next run
            # goes on after it (map took it from the shared iterator).
            before = len(stored)
            failed: Exception | None = None
            try:
                stored.extend(map(validate, rows))
            except invalid_row as exc:
                failed = exc
            run = len(stored) - before
            if marking and run and True in (flags := list(map(contains, islice(stored, before, None),
                                                               repeat(INVALID)))):
                segment = stored[before:]
                del stored[before:]
                for j, out in enumerate(segment):
                    if not flags[j]:
                        stored.append(out)
                        continue
                    error_rows += 1
                    if sources is not None:
                        worded = self._mapped([sources[consumed + j]], errors_so_far + error_rows - 1)
                        if worded.error_rows != 1:
                            return None
                        items.extend(worded.items)
                    else:
                        row = records[consumed + j]
                        self._row_errors(items, rt, rt_name, row, pv.errors_at(row, out))
                    if limit is not None and errors_so_far + error_rows > limit:
                        consumed += j + 1
                        over = True
                        break
                if over:
                    break
            consumed += run
            if failed is None:
                break
            row = records[consumed]
            consumed += 1
            if sources is not None:
                worded = self._mapped([sources[consumed - 1]], errors_so_far + error_rows)
                if worded.error_rows != 1:
                    return None
                error_rows += 1
                items.extend(worded.items)
            elif row.__class__ is list and len(row) == width:
                error_rows += 1
                self._row_errors(items, rt, rt_name, row, pv.errors_of(failed, row))
            else:  # a broken record (readers flag it), or a row list of another width
                if row.__class__ is list:
                    row = Record(row[-1], row[:-1], None,
                                 f"row has {len(row) - 1} values, the header has {width - 1}")
                error_rows += 1
                malformed += 1
                items.append(self._item(row.number, ItemLevel.ERROR, None, None, "malformed_row", row.error,
                                        mapper.raw_row(row), rt_name))
            if limit is not None and errors_so_far + error_rows > limit:
                over = True
                break
        self._marking = error_rows * 20 > consumed  # more than 5% of the rows
        # The records are done with: dropping them leaves the validated values referenced once,
        # which marshal (BatchWriter) dumps ~3x faster than values it must check for sharing.
        records.clear()
        if sources is not None:
            sources.clear()
        return Batch(consumed, error_rows, items, {rt_name: tb} if consumed > malformed else {},
                     {rt_name: consumed}, over)

    def _row_errors(self, items: list[ItemRow], rt: ResourceType, rt_name: str, row: list,
                    errors: list) -> None:
        """The items of an invalid row list (its cells, its number last)."""
        mapper = self.mapper
        rec = Record(row.pop(), row)
        raw_row = mapper.raw_row(rec)
        positions = self._key_positions.get(rt.name, _UNKNOWN)
        if positions is _UNKNOWN:
            positions = self._key_positions[rt.name] = key_positions(rt, mapper)
        # only the key's cells where they can be found, as mapper.to_raw(row) would give them
        key = record_key(rt, mapper.to_raw(row)) if positions is None else key_text([row[i] for i in positions])
        for err in errors:
            items.append(self._item(rec.number, ItemLevel.ERROR, err.field, value_text(err.value),
                                    err.code, err.message, raw_row, rt_name, key))


_UNKNOWN = object()


def key_positions(rt: ResourceType, mapper: RowMapper) -> tuple[int, ...] | None:
    """Where a full-width row list holds the cells of ``rt``'s key fields, as ``mapper.to_raw``
    takes them (the last column of a field wins); None when a key field has no column or the
    mapping gathers cells (then ``to_raw`` is asked)."""
    mapping = mapper.mapping
    if mapping is None or mapping.families or mapping.kept or mapper.from_export:
        return None
    position = {name: i for i, name in enumerate(mapping.columns) if name is not None}
    if not all(k in position for k in rt.key):
        return None
    return tuple(position[k] for k in rt.key)
