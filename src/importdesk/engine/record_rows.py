"""JSON records as positional rows: a batch whose records all have one shape goes through the
type's PositionalValidator (``json_values``), as a table's rows do, and so on to the batch writer.

A record's shape is its type (an Elastic Path envelope's, or None), its keys in file order and its
envelope's keys. A shape takes this path when each key fills a field of its own (no undeclared
attribute to keep in ``_extra`` and count, no two keys for one field, no column family), the fields
read from the envelope (``source = "data.x"``) find their member there, nothing else of the
envelope is to be kept, and the type's validator can store its rows positionally. The row is then
the record's values in key order, the envelope's sourced members, and the record's number.

A batch with a broken record, a record of another type or a shape that cannot is validated as
dicts (``BatchBuilder._mapped``), as before; so is each invalid row, which words its errors
exactly as that path does.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from importdesk.engine.import_options import MIXED
from importdesk.engine.row_mapper import RowMapper


def shape_of(rec: Any) -> tuple[Any, ...]:
    """A record's shape: its type, its keys in file order, its envelope's keys (or None)."""
    outer = rec.outer
    return (rec.type, tuple(rec.values), None if outer is None else tuple(outer))


class RowPlan(NamedTuple):
    """How records of one shape become rows of ``pv``."""

    rt_name: str
    pv: Any  # PositionalValidator
    outer_keys: tuple[str, ...]  # envelope members appended after the values, in this order


class ShapedBatch(NamedTuple):
    rt_name: str
    pv: Any
    rows: list[list[Any]]


class RecordRows:
    """Turns batches of one job's JSON records into positional rows (see the module docstring)."""

    def __init__(self, mapper: RowMapper, refs: Any = None) -> None:
        self.mapper = mapper
        self.refs = refs  # engine.references.ReferenceCheck: rows of the types it checks go the dict path
        self._plans: dict[tuple[Any, ...], RowPlan | None] = {}

    @staticmethod
    def for_job(mapper: RowMapper, refs: Any) -> RecordRows | None:
        """None where no batch of the job could take this path: tables (they have their own),
        shared entity data, grouped rows."""
        if mapper.tabular or mapper.shared or mapper.group_types:
            return None
        return RecordRows(mapper, refs)

    def shape(self, records: list) -> ShapedBatch | None:
        """The batch as rows of one PositionalValidator, or None (then it is validated as dicts)."""
        rows: list[list[Any]] = []
        append = rows.append
        last: tuple[Any, ...] | None = None
        plan: RowPlan | None = None
        outer_keys: tuple[str, ...] = ()
        for rec in records:
            if rec.error is not None:
                return None
            values = rec.values
            outer = rec.outer
            shape = (rec.type, tuple(values), None if outer is None else tuple(outer))
            if shape != last:
                found = self._plans.get(shape, False)
                if found is False:
                    found = self._plans[shape] = self._plan(*shape)
                if found is None or (plan is not None and found.pv is not plan.pv):
                    return None
                plan, last, outer_keys = found, shape, found.outer_keys
            row = list(values.values())
            if outer_keys:
                row.extend([outer[k] for k in outer_keys])
            row.append(rec.number)
            append(row)
        if plan is None:
            return None
        return ShapedBatch(plan.rt_name, plan.pv, rows)

    def plan_of(self, shape: tuple[Any, ...]) -> RowPlan | None:
        """The plan of records of ``shape`` (``shape_of``), None where they take the dict path."""
        found = self._plans.get(shape, False)
        if found is False:
            found = self._plans[shape] = self._plan(*shape)
        return found

    def _plan(self, typ: str | None, keys: tuple[str, ...], outer: tuple[str, ...] | None) -> RowPlan | None:
        mapper = self.mapper
        job = mapper.job
        rt_name = typ or job.resource_type
        if rt_name == MIXED or (typ is not None and job.resource_type not in (MIXED, typ)):
            return None  # the dict path says what is wrong with the row
        try:
            rt = mapper.resource(rt_name)
        except Exception:  # an unknown type: the dict path words it
            return None
        if rt.rows or (self.refs is not None and (rt_name in self.refs.refs or rt.name in self.refs.refs)):
            return None  # grouped rows; rows that name other rows (checked on the dict path)
        mapping = rt.map_headers(list(keys))
        if mapping.unknown or mapping.duplicates or mapping.families or mapping.kept or None in mapping.columns:
            return None
        columns: list[str] = list(mapping.columns)  # type: ignore[arg-type]
        outer_keys: list[str] = []
        read_outside: set[str] = set()
        for name, parts in rt.sourced_fields:
            if parts[0] == "data":
                if len(parts) > 1:
                    read_outside.add(parts[1])
                if outer is None or len(parts) == 1:
                    continue  # not an envelope: the field is read by its name, if at all
                if len(parts) > 2 or parts[1] not in outer or name in columns:
                    return None
                outer_keys.append(parts[1])
                columns.append(name)
            elif parts[0] in keys:
                return None  # a value read from inside the record: the dict path reads it
        if outer is not None and any(k != "type" and k not in read_outside for k in outer):
            return None  # envelope members kept in _extra
        rv = rt.validator(job.metadata.locale, parent=job.parent_resource_id)
        pv = rv.positional(columns, json_values=True)
        if pv is None:
            return None
        return RowPlan(rt_name, pv, tuple(outer_keys))
