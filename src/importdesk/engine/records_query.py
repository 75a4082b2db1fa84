"""Query the records imported for a resource type, in the type's own terms: its fields, not tables.

For any face (the command line's ``records`` today, a records view in the app later); UI-free::

    browser = engine.records               # a RecordBrowser
    browser.fields("products")             # [FieldSpec, ...] in column order (name, type, key, …)
    q = browser.query("products", where=["price>=10", "currency=EUR"], order=["-price", "sku"])
    # or built from parts: RecordQuery("products", (Condition("price", ">=", Decimal(10)),), (Sort("price", True),))
    browser.count(q)                       # how many match
    page = browser.page(q, offset=0, limit=50)   # Page(records=[{field: value}], offset, limit, total)
    for record in browser.iter(q):         # streamed in chunks: constant memory, one scan
        ...                                # (fields=["sku", "price"]: only those are read)
    browser.get("products", {"sku": "A-1"})      # one record by its natural key, or None

Records are clean values (Decimal, date, bool, dict …) keyed by field name, as ``Engine.iter_records``.

Filters (``Condition``): ``=`` ``!=`` ``<`` ``<=`` ``>`` ``>=`` on the field's type, ``contains`` (any
case, on the text), ``empty`` / ``not_empty``. Written as text (``parse_condition``): ``FIELD OP VALUE``
with OP one of = != < <= > >= ~ (contains); ``FIELD=`` means empty and ``FIELD!=`` not empty. ``!=``
keeps records that have no value. Sorts (``Sort``): any field, ascending or descending (``-FIELD``);
empty values sort first ascending; ties are broken by the key, so paging is stable.

Safety, compared with sqlite-utils' ``rows --where`` (an SQL fragment): the field must be one of the
type's fields (a typo gets "did you mean"), the operator one of the list above, and the value is
converted by the field's type (a number for a decimal, ISO for a date, one of the choices for an
enum) and bound as a parameter; no text from the user reaches the SQL. Decimals are compared and
sorted as numbers (they are stored as exact text). Errors are ``UsageError`` with a message for the user.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from importdesk.schemas.dbvalues import from_db_value, to_db_value
from importdesk.schemas.spec import EXTRA
from importdesk.store import record_select
from importdesk.store.record_select import OrderBy, Term
from importdesk.store.records import read_columns

if TYPE_CHECKING:
    from importdesk.engine.service import Engine
    from importdesk.schemas import FieldSpec, ResourceType

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "contains", "empty", "not_empty")
ORDERED = frozenset({"<", "<=", ">", ">="})
_WRITTEN = {"~": "contains"}  # how an operator is typed, where it differs from its name
_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|<=|>=|=|<|>|~)(.*)$", re.S)
_TRUE = frozenset({"true", "yes", "1", "y", "t"})
_FALSE = frozenset({"false", "no", "0", "n", "f"})
_NOT_ORDERED_TYPES = frozenset({"boolean", "json", "enum"})


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None  # a clean value of the field's type (str for contains; None for empty/not_empty)


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class RecordQuery:
    resource_type: str
    where: tuple[Condition, ...] = ()
    order: tuple[Sort, ...] = ()
    job_uid: str | None = None  # only the records this job wrote last


@dataclass
class Page:
    records: list[dict[str, Any]]
    offset: int
    limit: int
    total: int
    fields: list[str] = field(default_factory=list)

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.records) < self.total


class RecordBrowser:
    """Lists fields, counts, pages and streams a type's records through the store (see module doc)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    # ---- the type's terms ----------------------------------------------------------------------
    def fields(self, resource_type: str) -> list[FieldSpec]:
        return list(self.engine.resource_type(resource_type).fields.values())

    def check_fields(self, resource_type: str, names: Iterable[str]) -> list[str]:
        """The names, each one a field of the type (UsageError with a suggestion otherwise)."""
        rt = self.engine.resource_type(resource_type)
        return [_field(rt, name).name for name in names]

    def query(self, resource_type: str, *, where: Iterable[str] = (), order: Iterable[str] = (),
              job_uid: str | None = None) -> RecordQuery:
        """A checked query from text as a person types it (``price>=10``, ``-price``)."""
        rt = self.engine.resource_type(resource_type)
        return self.check(RecordQuery(
            rt.name, tuple(parse_condition(rt, text) for text in where),
            tuple(s for text in order for s in parse_sorts(rt, text)),
            self.engine.get_job(job_uid).uid if job_uid else None))

    def check(self, query: RecordQuery) -> RecordQuery:
        """The same query with each condition's value converted to the field's type; UsageError if
        a field, operator or value does not fit."""
        rt = self.engine.resource_type(query.resource_type)
        where = tuple(_checked(rt, c) for c in query.where)
        for s in query.order:
            _field(rt, s.field)
        return RecordQuery(rt.name, where, query.order, query.job_uid)

    # ---- reading -------------------------------------------------------------------------------
    def count(self, query: RecordQuery) -> int:
        rt, terms, _ = self._plan(query)
        return record_select.count(self._conn(), rt.name, terms, query.job_uid)

    def iter(self, query: RecordQuery, *, offset: int = 0, limit: int | None = None, chunk: int = 1000,
             fields: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """The matching records in order; ``fields``: only these (in this order), read from the store."""
        rt, terms, order = self._plan(query)
        if not fields:
            columns = read_columns(self._conn(), rt, rt.stored_columns)
            for row in record_select.select(self._conn(), rt.name, columns, terms, order,
                                            job_uid=query.job_uid, offset=offset, limit=limit, chunk=chunk):
                yield without_empty_extra(rt.from_db(row))
            return
        specs = [_field(rt, f) for f in fields]
        convert = [(s.name, s.type) for s in specs]
        columns = read_columns(self._conn(), rt, [s.name for s in specs])
        for row in record_select.select(self._conn(), rt.name, columns, terms, order,
                                        job_uid=query.job_uid, offset=offset, limit=limit, chunk=chunk):
            yield {name: from_db_value(ftype, value) for (name, ftype), value in zip(convert, row, strict=True)}

    def page(self, query: RecordQuery, *, offset: int = 0, limit: int = 100) -> Page:
        rt = self.engine.resource_type(query.resource_type)
        records = list(self.iter(query, offset=offset, limit=limit, chunk=limit or 1))
        return Page(records, offset, limit, self.count(query), list(rt.columns))

    def get(self, resource_type: str, key: Mapping[str, Any] | str) -> dict[str, Any] | None:
        """One record by its natural key: {key field: value} (text is converted), or one string
        for a single-field key."""
        rt = self.engine.resource_type(resource_type)
        if isinstance(key, str):
            if len(rt.key) != 1:
                raise_usage(f"{rt.name} has a key of {len(rt.key)} fields ({', '.join(rt.key)}): give each")
            key = {rt.key[0]: key}
        missing = [k for k in rt.key if k not in key]
        if missing:
            raise_usage(f"{rt.name}: the key needs {', '.join(missing)}")
        clean = {k: _value(rt.fields[k], key[k]) if isinstance(key[k], str) else key[k] for k in rt.key}
        row = record_select.by_key(self._conn(), rt.name, read_columns(self._conn(), rt, rt.stored_columns),
                                   rt.key_of(clean))
        return without_empty_extra(rt.from_db(row)) if row is not None else None

    def _plan(self, query: RecordQuery) -> tuple[ResourceType, list[Term], list[OrderBy]]:
        query = self.check(query)
        rt = self.engine.resource_type(query.resource_type)
        terms = [Term(self._text_column(rt, c.field) if c.op == "contains" else c.field, c.op,
                      _stored(rt.fields[c.field], c), _numeric(rt.fields[c.field], c.op))
                 for c in query.where]
        order = [OrderBy(s.field, s.descending, rt.fields[s.field].type == "decimal") for s in query.order]
        return rt, terms, order

    def _text_column(self, rt: ResourceType, name: str) -> str:
        """Where "contains" looks: a decimal's exact text (its number column would lose digits)."""
        return read_columns(self._conn(), rt, [name])[0] if rt.fields[name].type == "decimal" else name

    def _conn(self):
        return self.engine.ctx.db.conn()


# ---- text -> conditions and sorts ------------------------------------------------------------------

def parse_condition(rt: ResourceType, text: str) -> Condition:
    """``price>=10`` -> Condition("price", ">=", Decimal("10")); see the module docstring."""
    match = _CONDITION.match(text)
    if not match:
        raise_usage(f"--where {text!r}: write FIELD OP VALUE, e.g. price>=10, name~shirt, ean= (empty); "
                    f"OP is one of = != < <= > >= ~")
    name, op, value = match.group(1), match.group(2), match.group(3).strip()
    op = _WRITTEN.get(op, op)
    if value == "" and op in ("=", "!="):
        return _checked(rt, Condition(name, "empty" if op == "=" else "not_empty"))
    return _checked(rt, Condition(name, op, value))


def parse_sorts(rt: ResourceType, text: str) -> list[Sort]:
    """``-price, sku`` or ``price desc`` -> [Sort("price", True), Sort("sku")]."""
    sorts = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("-+").strip()
        words = name.split()
        if len(words) == 2 and words[1].lower() in ("asc", "desc"):
            name, descending = words[0], words[1].lower() == "desc"
        elif len(words) != 1:
            raise_usage(f"--order {text!r}: write FIELD or -FIELD (descending), separated by commas")
        _field(rt, name)
        sorts.append(Sort(name, descending))
    return sorts


def raise_usage(message: str):
    from importdesk.engine.service import UsageError

    raise UsageError(message)


def _field(rt: ResourceType, name: str) -> FieldSpec:
    spec = rt.fields.get(name)
    if spec is None:
        close = difflib.get_close_matches(name, rt.columns, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise_usage(f"{rt.name} has no field {name!r}; {hint}fields: {', '.join(rt.columns)}")
    return spec


def _checked(rt: ResourceType, condition: Condition) -> Condition:
    spec = _field(rt, condition.field)
    op = condition.op
    if op not in OPERATORS:
        raise_usage(f"unknown operator {op!r}; use one of {', '.join(OPERATORS)}")
    if op in ORDERED and spec.type in _NOT_ORDERED_TYPES:
        raise_usage(f"{spec.name} is a {spec.type} field: compare it with = or != (or ~ for text in it)")
    if op in ("empty", "not_empty"):
        return Condition(spec.name, op)
    if op == "contains":
        return Condition(spec.name, op, str(condition.value))
    value = _value(spec, condition.value) if isinstance(condition.value, str) else condition.value
    return Condition(spec.name, op, value)


def _value(spec: FieldSpec, text: str) -> Any:
    """Text -> a clean value of the field's type (plain, locale-free spellings)."""
    t = spec.type
    text = text.strip()
    try:
        if t == "integer":
            return int(text)
        if t == "decimal":
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation
            return value
        if t == "float":
            return float(text)
        if t == "boolean":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError
        if t == "date":
            return _dt.date.fromisoformat(text)
        if t == "datetime":
            return _dt.datetime.fromisoformat(text)
        if t == "json":
            return json.loads(text)
    except (ValueError, InvalidOperation):
        raise_usage(f"{spec.name} is a {t} field: {text!r} is not {_EXPECTED[t]}")
    if t == "enum" and spec.choices and text not in spec.choices:
        raise_usage(f"{spec.name}: {text!r} is not one of {', '.join(spec.choices)}")
    return text


_EXPECTED = {"integer": "a whole number", "decimal": "a number like 12.50", "float": "a number like 0.25",
             "boolean": "true or false", "date": "a date like 2024-03-31",
             "datetime": "a date and time like 2024-03-31T14:00:00", "json": "valid JSON"}


def _stored(spec: FieldSpec, condition: Condition) -> Any:
    """The bound parameter: the value as the store keeps it (float for a numeric decimal comparison)."""
    if condition.op in ("empty", "not_empty", "contains"):
        return condition.value
    if spec.type == "decimal" and condition.op in ORDERED:
        return float(condition.value)
    return to_db_value(spec.type, condition.value)


def _numeric(spec: FieldSpec, op: str) -> bool:
    return spec.type == "decimal" and op in ORDERED


def without_empty_extra(record: dict[str, Any]) -> dict[str, Any]:
    """A record's attributes its type does not declare (``_extra``) are shown when it has some."""
    if record.get(EXTRA) is None:
        record.pop(EXTRA, None)
    return record
