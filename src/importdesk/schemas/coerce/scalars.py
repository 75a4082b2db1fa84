"""The converter of a one-value field type (every type but object/map/list), by type name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .blank import on_blank
from .booleans import boolean_converter
from .dates import date_converter, datetime_converter
from .numbers import decimal_converter, float_converter, integer_converter, minor_units_converter
from .text import email_converter, enum_converter, json_converter, string_converter, url_converter

if TYPE_CHECKING:
    from ..field_spec import FieldSpec
    from ..locale_rules import LocaleRules

__all__ = ["SCALAR_FACTORIES", "scalar_converter"]

#: type name -> factory(spec, rules, blank) of its converter
SCALAR_FACTORIES: dict[str, Callable[..., Callable[[Any], Any]]] = {
    "string": string_converter,
    "enum": enum_converter,
    "integer": integer_converter,
    "decimal": decimal_converter,
    "float": float_converter,
    "boolean": boolean_converter,
    "date": date_converter,
    "datetime": datetime_converter,
    "email": email_converter,
    "json": json_converter,
    "url": url_converter,
    "minor_units": minor_units_converter,
}


def scalar_converter(spec: FieldSpec, rules: LocaleRules, required: bool, default: Any = None) -> Callable[[Any], Any]:
    """The conversion of one value of a one-value type (blank: ``default``, or an error if ``required``)."""
    return SCALAR_FACTORIES[spec.type](spec, rules, on_blank(required, default))
