"""``converter(spec, rules)``: the complete conversion of one field in one locale, any type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .blank import on_blank
from .nested import NESTED_TYPES, nested_converter
from .scalars import scalar_converter

if TYPE_CHECKING:
    from ..field_spec import FieldSpec
    from ..locale_rules import LocaleRules

__all__ = ["converter"]


def converter(spec: FieldSpec, rules: LocaleRules, required: bool | None = None,
              default: Any = None) -> Callable[[Any], Any]:
    """The complete conversion for ``spec`` in ``rules``' locale.

    ``required``: blank input raises a ``required`` error (default: ``spec.required``);
    otherwise blank input returns ``default``.
    """
    required = spec.required if required is None else required
    if spec.type in NESTED_TYPES:
        return nested_converter(spec, rules, on_blank(required, default))
    return scalar_converter(spec, rules, required, default)
