"""Turns a reader's record into (resource type, raw field dict): header mapping, routing of
typed lines, shared entity data and the parent resource id.

Nothing of a row is dropped: a table column that fills no field is kept with each record in
``_extra`` (by header), like a JSON record's undeclared attributes. A type whose table files hold
one row per record of another type (``rows``, e.g. Medusa's product CSV) reads them grouped by
``engine.row_groups``: typed dict records, mapped like JSON ones."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import msgspec

from importdesk.engine.errors import JobFailed
from importdesk.engine.import_options import MIXED
from importdesk.exports.neutralise import unneutralise
from importdesk.models import ImportJob
from importdesk.readers import SourceInfo
from importdesk.schemas import EXTRA, FieldError, Registry, ResourceType, RowInvalid, normalize_header

# Columns our exports add (failed rows: _source_row, _errors; records: _export_job): recognised and
# ignored when such a file comes back, and they mark the file as ours, so its neutralised cells
# ('=…, '+…) are restored to what they were.
EXPORT_MARKERS = ("_source_row", "_errors", "_export_job")
SHAPED = ("object", "map", "list")
UNDECLARED = "undeclared_attribute"  # the code of the warning, one per job, type and attribute


def undeclared_message(resource_type: str, count: int) -> str:
    rows = "1 record has" if count == 1 else f"{count:,} records have"
    return (f"is not a field of {resource_type}: {rows} it, kept with the record "
            "(exports give it back)")


@dataclass(frozen=True)
class HeaderWarning:
    field: str | None
    value: str | None
    code: str
    message: str
    resource_type: str | None


class MissingColumns(Exception):
    pass


class RowMapper:
    def __init__(self, registry: Registry, job: ImportJob, info: SourceInfo):
        self.registry = registry
        self.job = job
        self.info = info
        self.headers = list(info.headers)
        self.tabular = info.format in ("csv", "xlsx")
        # a fixed failed-rows export: its text cells were neutralised against formulas; undo that
        # (CSV only: our XLSX exports write text cells, which need no neutralising)
        self.from_export = info.format == "csv" and any(m in self.headers for m in EXPORT_MARKERS)
        self.shared = {k: v for k, v in job.metadata.shared_entity_data.items() if v not in (None, "")}
        self._types: dict[str, ResourceType] = {}
        self._validators: dict[str, Any] = {}
        self._dict_maps: dict[tuple[str, tuple[str, ...]], Any] = {}
        # undeclared attributes (JSON records): (type, attribute) -> rows counted in committed
        # batches, and the batch being read: -> [first row, rows]
        self.undeclared: dict[tuple[str, str], int] = {}
        self._undeclared_batch: dict[tuple[str, str], list[int]] = {}
        self.notes: list[tuple[int, str, str, str, str, str]] = []  # (row, type, field, value, message, key)
        self.mapping = None
        self._last_mapping = None  # the mapping that read the row being validated (column names)
        self.group_types: tuple[str, ...] = ()
        if job.resource_type != MIXED:
            rt = self.resource(job.resource_type)
            if rt.rows:  # its records and its rows' records (engine.row_groups; a retry's failed rows)
                self.group_types = (rt.name, rt.rows)
            if rt.rows and self.tabular:  # rows come grouped, as typed dicts
                self.tabular = False
            else:
                self.mapping = rt.map_headers(self.headers, keep_unknown=self.tabular, ignored=EXPORT_MARKERS)
                self._last_mapping = self.mapping
                self.to_raw = self.mapping.to_raw
                if self.from_export:
                    self.to_raw = _unneutralising(self.mapping.to_raw)

    def resource(self, name: str) -> ResourceType:
        rt = self._types.get(name)
        if rt is None:
            rt = self._types[name] = self.registry.get(name)
        return rt

    def validator(self, name: str):
        v = self._validators.get(name)
        if v is None:
            rt = self.resource(name)
            v = rt.validator(self.job.metadata.locale, parent=self.job.parent_resource_id).validate
            if any(spec.columns for spec in rt.fields.values()):
                v = self._naming_columns(v)
            self._validators[name] = v
        return v

    def _naming_columns(self, validate):
        """validate, with the column of a bad value named in its message where it is not the
        field's name (a family's column, or a header such as "Product Status" for status)."""
        def checked(raw):
            try:
                return validate(raw)
            except RowInvalid as invalid:
                mapping = self._last_mapping
                if mapping is None:
                    raise
                errors = []
                for err in invalid.errors:
                    column = (mapping.column_of(err.field) or mapping.header_of(err.field)) if err.field else None
                    if column is not None and normalize_header(column) != normalize_header(err.field):
                        err = FieldError(err.field, err.value, err.code, f"{err.message} (column {column!r})")
                    errors.append(err)
                raise RowInvalid(errors) from None

        return checked

    def positional(self):
        """The job type's PositionalValidator for this file's columns, when its rows can take
        that path (tabular, one type, no shared data, not one of our exports), else None."""
        if not self.tabular or self.mapping is None or self.shared or self.from_export:
            return None
        if self.mapping.families or self.mapping.kept:  # cells gathered or kept: the dict path
            return None
        rt = self.resource(self.job.resource_type)
        if any(rt.fields[c].type in SHAPED for c in self.mapping.columns if c in rt.fields):
            return None  # an object/map/list cell is JSON text: the positional path would bind the parsed value
        rv = rt.validator(self.job.metadata.locale, parent=self.job.parent_resource_id)
        return rv.positional(self.mapping.columns)

    def header_warnings(self) -> list[HeaderWarning]:
        if self.mapping is None or self.group_types:  # grouped: each record's own are warned (undeclared)
            return []
        rt = self.job.resource_type
        kept = "kept in _extra"
        out = [HeaderWarning(None, name, "unknown_column",
                             f"column {name!r} is not a field of {rt}: {kept}", rt)
               for name in self.mapping.unknown
               if name not in self.mapping.duplicates and not (self.from_export and name in EXPORT_MARKERS)]
        for name in getattr(self.mapping, "duplicates", []) or []:
            out.append(HeaderWarning(None, name, "duplicate_column",
                                     f"column {name!r} maps to a field another column already fills: {kept}",
                                     rt))
        return out

    def check_required(self) -> None:
        if self.mapping is None or not self.tabular or not self.mapping.missing_required:
            return
        missing = self.mapping.missing_required
        parent = self.resource(self.job.resource_type).parent_field
        missing = [m for m in missing if not (m in self.shared or (m == parent and self.job.parent_resource_id))]
        if missing:
            raise JobFailed(
                f"{self.job.file_name}: missing required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} for {self.job.resource_type}; the file has: {', '.join(self.headers)}"
            )

    def map(self, rec) -> tuple[str, dict[str, Any], tuple[str, str] | None]:
        """(resource type, raw values by field, problem) — problem is (code, message) for a broken row."""
        job_type = self.job.resource_type
        rt_name = rec.type or job_type
        if rec.error is not None:
            return rt_name, {}, ("malformed_row", rec.error)
        if rec.type is not None and job_type not in (MIXED, rec.type) and rec.type not in self.group_types:
            return rt_name, {}, ("wrong_type", f"this row is a {rec.type}; the job imports {job_type}")
        if rt_name == MIXED:
            return rt_name, {}, ("no_type", "this row does not say its type ({\"data\": {\"type\": …}})")
        if rec.type is not None and rec.type not in self._types:
            try:
                self.resource(rec.type)
            except Exception:
                return rt_name, {}, ("unknown_type", f"{rec.type!r} is not a known resource type")
        raw = self.to_raw(rec.values) if self.tabular else self._map_dict(rt_name, rec.values, rec.number, rec.outer)
        notes = getattr(rec, "notes", None)
        if notes:  # warnings the row brings (engine.row_groups), written with the batch
            self.notes.extend((rec.number, rt_name, *note) for note in notes)
        if self.shared:
            for k, v in self.shared.items():
                if raw.get(k) in (None, ""):
                    raw[k] = v
        return rt_name, raw, None

    def _map_dict(self, rt_name: str, values: dict[str, Any], row: int,
                  outer: dict[str, Any] | None) -> dict[str, Any]:
        keys = tuple(values)
        plan = self._dict_maps.get((rt_name, keys))
        if plan is None:
            rt = self.resource(rt_name)
            mapping = rt.map_headers(list(keys))
            whole = {parts[0] for _f, parts in rt.sourced_fields if len(parts) == 1}
            plan = self._dict_maps[(rt_name, keys)] = (
                mapping.to_raw, tuple(k for k in mapping.unknown if k not in whole), rt.sourced_fields,
                {parts[1] for _f, parts in rt.sourced_fields if parts[0] == "data" and len(parts) > 1}, mapping)
        to_raw, unknown, sourced, read_outside, self._last_mapping = plan
        raw = to_raw(values)
        for field, parts in sourced:
            found = _at(outer, parts[1:]) if parts[0] == "data" else _at(values, parts)
            if found is not _MISSING:
                raw[field] = found
        if outer:  # the envelope's own members (besides type) that no field reads: kept too
            around = [k for k in outer if k != "type" and k not in read_outside]
            if around:
                values = {**values, **{f"data.{k}": outer[k] for k in around}}
                unknown = (*unknown, *(f"data.{k}" for k in around))
        if unknown:  # kept with the record, and counted for the warning
            kept = {k: values[k] for k in unknown}
            given = raw.get(EXTRA)
            raw[EXTRA] = {**given, **kept} if isinstance(given, dict) else kept
            batch = self._undeclared_batch
            for k in unknown:
                seen = batch.get((rt_name, k))
                if seen is None:
                    batch[(rt_name, k)] = [row, 1]
                else:
                    seen[1] += 1
        return raw

    def undeclared_changes(self) -> tuple[list[tuple[int, str, str, int]], list[tuple[str, str, int]]]:
        """The batch's undeclared attributes, as (first row, type, attribute, total) for those new
        to the job and (type, attribute, total) for the others (for the batch's transaction; the
        totals move on with ``settle_undeclared`` once it has committed)."""
        new: list[tuple[int, str, str, int]] = []
        more: list[tuple[str, str, int]] = []
        for (rt_name, name), (first, n) in self._undeclared_batch.items():
            before = self.undeclared.get((rt_name, name))
            total = n + (before or 0)
            if before is None:
                new.append((first, rt_name, name, total))
            else:
                more.append((rt_name, name, total))
        return new, more

    def settle_undeclared(self) -> None:
        """The batch committed: its undeclared attributes count in the job's totals."""
        for key, (_first, n) in self._undeclared_batch.items():
            self.undeclared[key] = self.undeclared.get(key, 0) + n
        self._undeclared_batch.clear()
        self.notes.clear()

    def raw_row(self, rec) -> str:
        """The row as the file had it (by header), kept with failed rows for retry and export."""
        if isinstance(rec.values, dict):
            data = rec.values
            if rec.outer:  # the envelope's members beside the attributes (a retry puts them back)
                data = {**data, **{f"data.{k}": v for k, v in rec.outer.items() if k != "type"}}
        elif isinstance(rec.values, list):
            values = rec.values
            if self.from_export:  # keep what the value means, not its spreadsheet armour
                values = [_restore(v) for v in values]
            data = dict(zip(self.headers, values, strict=False))  # a short row: its cells
            if len(rec.values) > len(self.headers):
                data["_extra"] = rec.values[len(self.headers):]
            if _TEXT.issuperset(map(type, rec.values)):  # a text file's cells: the fast encoder
                return _text_row(data).decode()
        else:
            data = {}
        return _raw_row_text(data)


_MISSING = object()
# json.dumps(data, ensure_ascii=False, default=str), without building an encoder per row
_raw_row_text = json.JSONEncoder(ensure_ascii=False, default=str).encode
# Cells that are all text (a CSV's) as JSON: the same value as _raw_row_text's, without its spaces,
# in a seventh of the time (0.36 against 2.5 µs a row); a 30%-invalid import words every third row.
# Other values keep _raw_row_text, whose default=str spelling of dates and numbers is msgspec's not.
_text_row = msgspec.json.Encoder().encode
_TEXT = frozenset({str})


def _at(obj: Any, parts: tuple[str, ...]) -> Any:
    """The value at a dotted path, or _MISSING."""
    for part in parts:
        if not isinstance(obj, dict) or part not in obj:
            return _MISSING
        obj = obj[part]
    return obj


def _restore(value: Any) -> Any:
    return unneutralise(value) if isinstance(value, str) and value[:1] == "'" else value


def _unneutralising(to_raw):
    def convert(values):
        raw = to_raw(values)
        for key, value in raw.items():
            if isinstance(value, str) and value[:1] == "'":
                raw[key] = unneutralise(value)
        return raw

    return convert


def record_key(rt: ResourceType, raw: dict[str, Any]) -> str | None:
    """The natural key of a row as the file gave it (for a rejected row, which has no clean key)."""
    return key_text([raw.get(k) for k in rt.key])


def key_text(parts: list[Any]) -> str | None:
    """A key's cells as one text (trimmed, " / " between them); None when every one is empty."""
    if len(parts) == 1:  # the usual key: without the generator and the join
        part = parts[0]
        return None if part is None or part == "" else str(part).strip()
    if all(p in (None, "") for p in parts):
        return None
    return " / ".join("" if p is None else str(p).strip() for p in parts)
