"""FieldSpec: one field of a resource type (its type, constraints, default, aliases), and the
names every layer shares: ``EXTRA`` (the stored field of undeclared attributes), ``FIELD_TYPES``
and ``NO_DEFAULT``. ``spec.ResourceType`` is a set of these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import dbvalues

__all__ = ["EXTRA", "FIELD_TYPES", "NO_DEFAULT", "FieldSpec"]

#: The stored field of undeclared attributes (see ``spec``'s module docstring).
EXTRA = "_extra"

FIELD_TYPES: tuple[str, ...] = (
    "string", "integer", "decimal", "float", "boolean", "date", "datetime", "email", "enum", "json",
    "url", "minor_units", "object", "map", "list",
)


class _NoDefault:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return "NO_DEFAULT"


#: Marks a field without a default (``None`` is a valid default: "empty").
NO_DEFAULT: Any = _NoDefault()


@dataclass(frozen=True, eq=False)
class FieldSpec:
    """One field (column) of a resource type.

    ``required``: a blank value is an error unless the field has a default (key fields are always
    required). ``default``: the (already converted) value used for blank input, ``NO_DEFAULT`` if
    none; an optional field without default becomes ``None``. ``min``/``max``: inclusive bounds
    for numbers (``Decimal`` for decimal fields, ``int``/``float`` otherwise). ``min_length``/
    ``max_length``/``pattern``: for strings, checked after stripping; ``pattern`` is searched
    (anchor it with ^…$). ``pattern_message``: what to say when the pattern does not match.
    ``choices``: enum values. ``aliases``: extra header names.
    """

    name: str
    type: str
    required: bool = False
    default: Any = NO_DEFAULT
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    description: str = ""
    # object: its fields; map/list: ``item``, the spec of a value/an item (an object or a scalar)
    fields: tuple[FieldSpec, ...] = ()
    item: FieldSpec | None = None
    key_pattern: str | None = None   # map: what every key must match (searched)
    key_message: str | None = None
    min_items: int | None = None     # list
    max_items: int | None = None
    # where the value is in a JSON record, when not under the field's name: a dotted path into
    # its attributes ("dimensions.width"), or out of them into the envelope ("data.pricebook_external_ref")
    source: str | None = None
    # map/list: a header template gathering a family of table columns ("Variant Price {key}";
    # see ``column_families``)
    columns: str | None = None
    # a reference: the value (a list's string items) names a record of another type by one of its
    # fields, "type.field"; values matching ``platform_id_pattern`` are the platform's own ids
    references: str | None = None
    platform_id_pattern: str | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT

    @property
    def needs_value(self) -> bool:
        """Required and without default: a row without a value for it is invalid."""
        return self.required and not self.has_default

    @property
    def label(self) -> str:
        """A human name for column headers in exports / the UI: "weight_kg" -> "Weight kg"."""
        text = self.name.replace("_", " ")
        return text[:1].upper() + text[1:]

    @property
    def sql_type(self) -> str:
        return dbvalues.SQL_TYPES[self.type]

    def __repr__(self) -> str:
        extras = []
        for attr in ("min", "max", "min_length", "max_length", "pattern"):
            v = getattr(self, attr)
            if v is not None:
                extras.append(f"{attr}={v!r}")
        if self.has_default:
            extras.append(f"default={self.default!r}")
        if self.choices:
            extras.append(f"choices={self.choices!r}")
        req = ", required" if self.required else ""
        return f"FieldSpec({self.name!r}, {self.type!r}{req}{', ' if extras else ''}{', '.join(extras)})"
