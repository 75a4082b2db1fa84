"""RowValidator: one resource type + one locale -> a pydantic-core validator for raw rows.

``validate(raw)`` takes a dict field -> raw value (what a reader gave, after header mapping) and
returns the clean dict (every field present, in column order, blanks replaced by defaults or
``None``), or raises ``RowInvalid`` listing every bad field of the row. Decimals keep the digits
written ("12.50" -> Decimal("12.50")); ``rt.to_db`` stores "12.5".

Each field is ``field_schemas.field_schema``: see that module for how it stays fast (a clean
"en" CSV row calls no Python at all).

Errors: the ``py`` branch's error is the one reported (it knows the locale), else the ``fast``
one; a blank value of a field that needs one is always "is required".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from .coerce import is_blank
from .errors import FieldError, RowInvalid, SchemaError
from .field_schemas import field_error, field_schema, field_validator
from .field_spec import NO_DEFAULT, FieldSpec
from .locale_rules import get_rules
from .positional import PositionalValidator

if TYPE_CHECKING:
    from .spec import ResourceType

__all__ = ["RowValidator"]


class RowValidator:
    """Validates raw rows of one resource type in one locale. Build through ``rt.validator()``."""

    def __init__(self, rt: ResourceType, locale: str = "en", parent: Any = None) -> None:
        self.resource_type = rt
        self.rules = get_rules(locale)
        self.locale = self.rules.locale
        self.parent = parent
        self._defaults: dict[str, Any] = {}
        self._needs_value: dict[str, bool] = {}
        for spec in rt.fields.values():
            if parent is not None and spec.name == rt.parent_field:
                self._defaults[spec.name] = self._check_parent(spec, parent)
        self._validator = self._build()
        self._validate_python = self._validator.validate_python
        self._positional: dict[tuple[Any, ...], PositionalValidator | None] = {}

    @property
    def defaults(self) -> dict[str, Any]:
        """Defaults that replace the spec's (the parent field's value)."""
        return self._defaults

    def needs_value(self, name: str) -> bool:
        return self._needs_value[name]

    def positional(self, columns: Sequence[str | None], json_values: bool = False) -> PositionalValidator | None:
        """A validator of row lists (field per column, None: ignored) to stored values, or None
        when such rows are better validated as dicts (see ``PositionalValidator.possible``).
        ``json_values``: the cells are decoded JSON values, not table text."""
        key = (*columns, json_values)
        if key not in self._positional:
            if len(self._positional) >= 8:
                self._positional.clear()
            columns = tuple(columns)
            self._positional[key] = (PositionalValidator(self, columns, json_values)
                                     if PositionalValidator.possible(self, columns) else None)
        return self._positional[key]

    def _build(self) -> SchemaValidator:
        fields = {}
        for spec in self.resource_type.stored_fields.values():
            schema, needs = field_schema(
                spec, self.rules, self._defaults.get(spec.name, NO_DEFAULT),
                shared=self.resource_type._converters,
            )
            self._needs_value[spec.name] = needs
            fields[spec.name] = cs.typed_dict_field(schema, required=needs)
        return SchemaValidator(cs.typed_dict_schema(fields, extra_behavior="ignore"))

    def _check_parent(self, spec: FieldSpec, parent: Any) -> Any:
        try:
            return field_validator(spec, self.rules).validate_python(parent)
        except ValidationError as exc:
            err = field_error(spec, self.rules, exc.errors(include_url=False), parent)
            raise SchemaError(
                f"parent value {parent!r} does not fit field {spec.name!r} of "
                f"{self.resource_type.name!r}: it {err.message}"
            ) from None

    def validate(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Raw row (field -> value) -> clean row; raises ``RowInvalid`` with all bad fields."""
        try:
            return self._validate_python(raw)
        except ValidationError as exc:
            raise RowInvalid(self.errors_of(exc, raw)) from None

    __call__ = validate

    # -- errors ------------------------------------------------------------------------------

    def errors_of(self, exc: ValidationError, raw: Any,
                  columns: Sequence[str | None] | None = None) -> list[FieldError]:
        """pydantic's errors -> one FieldError per bad field, in column order. ``columns``: raw
        is a row list with these fields per position (``PositionalValidator``)."""
        if columns is not None:
            raw = {f: raw[i] for i, f in enumerate(columns) if f is not None and i < len(raw)}
        by_field: dict[Any, list[dict[str, Any]]] = {}
        for err in exc.errors(include_url=False):
            loc = err.get("loc") or ("",)
            head = loc[0]
            if columns is not None and isinstance(head, int) and head < len(columns):
                head = columns[head]
            by_field.setdefault(head, []).append(err)
        out: list[FieldError] = []
        get = raw.get if isinstance(raw, dict) else (lambda _k: None)
        fields = self.resource_type.stored_fields
        for name in [*fields, *(k for k in by_field if k not in fields)]:
            errs = by_field.get(name)
            if not errs:
                continue
            spec = fields.get(name)
            value = get(name)
            if spec is None:
                out.append(FieldError(str(name), raw if name == "" else value, "invalid",
                                      "row is not a mapping of field names to values" if name == ""
                                      else errs[0].get("msg", "is invalid")))
                continue
            if is_blank(value) and self._needs_value.get(name, spec.needs_value):
                out.append(FieldError(name, value, "required", "is required"))
                continue
            out.append(field_error(spec, self.rules, errs, value))
        return out

    def __repr__(self) -> str:
        return f"RowValidator({self.resource_type.name!r}, locale={self.locale!r})"
