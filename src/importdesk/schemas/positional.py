"""PositionalValidator: a tabular row (cells in file column order) straight to stored values.

``RowValidator.validate`` + ``rt.to_db`` build a dict per row, validate it, then convert each
value to its stored form in Python. For CSV/XLSX rows of one type this validates the row list
itself, with field schemas that output the stored form (``field_schema(db_values=True)``), so
a row becomes a tuple that can be bound to an INSERT as it is (``store.records``).

``validate(cells + [tail])`` -> tuple of the stored values in the same positions (columns that
fill no field pass through untouched), ``tail`` last — the caller's extra value (the source row
number), bound along. Same rules, defaults and errors as ``RowValidator.validate``.

``layout`` tells where each field of the records table comes from: a position in that tuple, or
a constant (the stored default of a field no column fills).

``json_values``: the cells are values a JSON reader decoded (ints, Decimals, bools, dicts, lists)
rather than table text. JSON-valued fields (json, object, map, list) then store what the dict path
stores (``dbvalues.json_text`` of the validated value: Decimals inside stay exact numbers), where a
table cell's JSON text is parsed and written by pydantic-core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from .codegen import compile_functions
from .coerce import is_blank
from .coerce.nested import NESTED_TYPES
from .dbvalues import db_converter, to_db_value
from .errors import FieldError, RowInvalid
from .field_schemas import field_error, field_schema, nested_stored_schema
from .field_spec import NO_DEFAULT

if TYPE_CHECKING:
    from .validator import RowValidator

__all__ = ["INVALID", "Constant", "PositionalValidator"]

# Key fields whose stored value SQL turns into the same key text as ``key_of`` (str of the value).
_TEXT_KEYS = frozenset({"string", "email", "enum", "decimal", "date", "datetime"})
_KEY_TYPES = _TEXT_KEYS | {"integer"}
_WORDED_MAX = 4096  # remembered error wordings (distinct bad values) per validator
_JSON_VALUED = frozenset({"json", "object", "map", "list"})


class _Invalid:
    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


#: What ``validate_marking`` puts in place of a cell that does not validate.
INVALID = _Invalid()


@dataclass(frozen=True)
class Constant:
    """A field no column fills: every row stores ``value`` (None, int or str)."""

    value: Any


class PositionalValidator:
    """Build through ``RowValidator.positional(columns)`` (None when a row could not be stored
    this way: a needed or key field without a column, an unusual key or default type)."""

    def __init__(self, rv: RowValidator, columns: Sequence[str | None], json_values: bool = False) -> None:
        rt = rv.resource_type
        self.rv = rv
        self.columns = tuple(columns)
        self.json_values = json_values
        self.tail = len(self.columns)
        position = {name: i for i, name in enumerate(self.columns) if name is not None}
        items: list[cs.CoreSchema] = []
        for name in self.columns:
            spec = rt.stored_fields.get(name) if name is not None else None
            if spec is None:
                items.append(cs.any_schema())
                continue
            default = rv.defaults.get(name, NO_DEFAULT)
            if json_values and spec.type in NESTED_TYPES:  # what the dict path validates and stores
                schema = nested_stored_schema(spec, rv.rules, default, shared=rt._converters)
            elif json_values and spec.type in _JSON_VALUED:  # validated as the dict path does, then stored as it does
                schema, _ = field_schema(spec, rv.rules, default, shared=rt._converters)
                schema = cs.no_info_after_validator_function(db_converter(spec.type), schema)
            else:
                schema, _ = field_schema(spec, rv.rules, default, shared=rt._converters, db_values=True)
            items.append(schema)
        items.append(cs.any_schema())  # the tail
        self._items = items
        self._validate = SchemaValidator(cs.tuple_schema(items)).validate_python
        self._lenient: Any = None  # built on first use (validate_marking)
        self._cell_validators: dict[int, Any] = {}
        layout: list[int | Constant] = []
        for spec in rt.stored_fields.values():
            if spec.name in position:
                layout.append(position[spec.name])
            else:
                default = rv.defaults.get(spec.name, spec.default)
                value = None if default is NO_DEFAULT else to_db_value(spec.type, default)
                layout.append(Constant(value))
        self.layout: tuple[int | Constant, ...] = tuple(layout)
        self.key: tuple[tuple[int, bool], ...] = tuple(
            (position[k], rt.fields[k].type in _TEXT_KEYS) for k in rt.key)  # (position, is text)
        parts = [f"o[{i}]" if text else f"str(o[{i}])" for i, text in self.key]
        cols = ", ".join(f"o[{p}]" if isinstance(p, int) else f"_c{n}" for n, p in enumerate(self.layout))
        env: dict[str, Any] = {f"_c{n}": p.value for n, p in enumerate(self.layout) if isinstance(p, Constant)}
        body = (f"def key_of(o):\n    return {' + chr(31) + '.join(parts)}\n"
                f"def values_of(o):\n    return ({cols},)\n"
                f"def split(o):\n    return key_of(o), ({cols},), o[{self.tail}]\n")
        generated = compile_functions(body, "positional", env)
        fields = list(rt.stored_fields)
        self._rank = {i: fields.index(name) for i, name in enumerate(self.columns) if name in rt.stored_fields}
        self._worded: dict[tuple[Any, ...], FieldError] = {}
        # one text field (the usual key): a C-level getter
        self.key_of = itemgetter(self.key[0][0]) if len(self.key) == 1 and self.key[0][1] else generated["key_of"]
        self.split = generated["split"]
        self.values_of = generated["values_of"]  # the stored values, in the type's column order

    @staticmethod
    def possible(rv: RowValidator, columns: Sequence[str | None]) -> bool:
        rt = rv.resource_type
        present = {c for c in columns if c is not None}
        for spec in rt.fields.values():
            if spec.name in present:
                continue
            if spec.name in rt.key or rv.needs_value(spec.name):
                return False  # every row would be rejected: the dict path says so, field by field
            default = rv.defaults.get(spec.name, spec.default)
            value = None if default is NO_DEFAULT else to_db_value(spec.type, default)
            if value is not None and not (isinstance(value, int) or (isinstance(value, str) and "\x00" not in value)):
                return False  # written into SQL text: a float might not read back bit for bit
        return all(rt.fields[k].type in _KEY_TYPES for k in rt.key)

    #: What ``validate_or_raise`` raises; turn it into FieldErrors with ``errors_of``.
    Invalid = ValidationError

    @property
    def validate_or_raise(self):
        """The bare validator (no wrapper frame, for hot loops): raises ``Invalid``."""
        return self._validate

    @property
    def validate_marking(self):
        """A validator that never raises for a cell: a cell that does not validate comes out as
        ``INVALID`` (``errors_at`` words it). Rows of another width still raise ``Invalid``. For
        batches with many bad rows: no exception per row, no error list to build when the bad
        value was worded before."""
        if self._lenient is None:
            items = [item if position not in self._rank
                     else cs.with_default_schema(item, default=INVALID, on_error="default")
                     for position, item in enumerate(self._items)]
            self._lenient = SchemaValidator(cs.tuple_schema(items)).validate_python
        return self._lenient

    def errors_at(self, row: list[Any], out: tuple[Any, ...]) -> list[FieldError]:
        """The FieldErrors of ``row``, whose ``validate_marking`` output ``out`` holds INVALID
        cells: the same as ``errors_of`` gives for it, in field order."""
        bad = [p for p in self._rank if out[p] is INVALID]
        if len(bad) > 1:
            bad.sort(key=self._rank.__getitem__)
        cache = self._worded
        errors = []
        for position in bad:
            value = row[position]
            try:
                key = (position, value.__class__, value)
                worded = cache.get(key)
            except TypeError:  # an unhashable value
                key, worded = None, None
            if worded is None:
                worded = self._word(position, self._cell_errors(position, value), value)
                if key is not None:
                    self._remember(key, worded)
            errors.append(worded)
        return errors

    def _cell_errors(self, position: int, value: Any) -> list[dict[str, Any]]:
        """pydantic's errors for one cell, as the row's validator gives them (without the position)."""
        validate = self._cell_validators.get(position)
        if validate is None:
            validate = self._cell_validators[position] = SchemaValidator(self._items[position]).validate_python
        try:
            validate(value)
        except ValidationError as exc:
            return exc.errors(include_url=False)
        raise AssertionError(f"{value!r} validates alone but not in its row")  # pragma: no cover

    def errors_of(self, exc: ValidationError, row: list[Any]) -> list[FieldError]:
        """The FieldErrors of ``row`` (as ``RowValidator.errors_of`` words them, in field order).

        A file with bad rows usually repeats its bad values (the same wrong currency, "n/a" for a
        price): each (column, value, pydantic's error kinds) is worded once and remembered."""
        errors = exc.errors(include_url=False)
        if len(errors) == 1 and (loc := errors[0].get("loc")) and loc[0] in self._rank:  # the usual: one field
            err = errors[0]
            value = row[loc[0]]
            try:
                key = (loc[0], value.__class__, value, (err["type"], loc))
                worded = self._worded.get(key)
            except TypeError:  # an unhashable value
                return [self._word(loc[0], errors, value)]
            if worded is None:
                worded = self._remember(key, self._word(loc[0], errors, value))
            return [worded]
        by_position: dict[Any, list[dict[str, Any]]] = {}
        for err in errors:
            loc = err.get("loc") or ("",)
            by_position.setdefault(loc[0], []).append(err)
        rank = self._rank
        if not all(p in rank for p in by_position):  # not one field's value: the general wording
            return self.rv.errors_of(exc, row[:self.tail], self.columns)
        cache = self._worded
        out: list[FieldError] = []
        for position in sorted(by_position, key=rank.__getitem__) if len(by_position) > 1 else by_position:
            errs = by_position[position]
            value = row[position]
            try:
                key = (position, value.__class__, value, *[(e["type"], e["loc"]) for e in errs])
                worded = cache.get(key)
            except TypeError:  # an unhashable value
                key, worded = None, None
            if worded is None:
                worded = self._word(position, errs, value)
                if key is not None:
                    self._remember(key, worded)
            out.append(worded)
        return out

    def _remember(self, key: tuple[Any, ...], worded: FieldError) -> FieldError:
        if len(self._worded) >= _WORDED_MAX:
            self._worded.clear()
        self._worded[key] = worded
        return worded

    def _needs_value(self, name: str, spec: Any) -> bool:
        try:
            return self.rv.needs_value(name)
        except KeyError:
            return spec.needs_value

    def _word(self, position: int, errs: list[dict[str, Any]], value: Any) -> FieldError:
        name = self.columns[position]
        spec = self.rv.resource_type.stored_fields[name]
        if is_blank(value) and self._needs_value(name, spec):
            return FieldError(name, value, "required", "is required")
        return field_error(spec, self.rv.rules, errs, value)

    def validate(self, row: list[Any]) -> tuple[Any, ...]:
        """``row``: the cells in column order plus the tail -> stored values, tail last."""
        try:
            return self._validate(row)
        except ValidationError as exc:
            raise RowInvalid(self.errors_of(exc, row)) from None

    def __repr__(self) -> str:
        return f"PositionalValidator({self.rv.resource_type.name!r}, {list(self.columns)!r})"
