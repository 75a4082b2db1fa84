"""FieldSpec and ResourceType: what a resource type is, and its row <-> database helpers.

A ``ResourceType`` is immutable once loaded. Besides the declared parts (``name``, ``title``,
``fields`` in column order, ``key``, ``parent_field``) it offers:

- ``columns``: field names in order;
- ``stored_fields`` / ``stored_columns``: ``fields`` plus the ``EXTRA`` field, a JSON object
  holding the attributes a record came with that the type does not declare (kept, never
  dropped; None when there are none); its name starts with "_", which no declared field's can.
  The records table's value columns, and what ``to_db`` / ``from_db`` / validators carry;
- ``validator(locale)``: the cached ``RowValidator`` for one locale;
- ``map_headers(headers)`` / ``score_headers(headers)``: file headers -> fields;
- ``to_db(clean)`` -> tuple in ``columns`` order, ``from_db(row)`` -> dict, ``key_of(clean)`` -> str;
- ``sql_types()`` -> field -> SQLite type.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from . import dbvalues

if TYPE_CHECKING:
    from .headers import HeaderMapping
    from .validator import RowValidator

__all__ = ["EXTRA", "FIELD_TYPES", "NO_DEFAULT", "FieldSpec", "ResourceType"]

#: The stored field of undeclared attributes (see the module docstring).
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


@dataclass(frozen=True, eq=False)
class ResourceType:
    """A resource type: a named set of fields with a natural key (see module docstring)."""

    name: str
    title: str
    fields: dict[str, FieldSpec]
    key: tuple[str, ...]
    parent_field: str | None = None
    description: str = ""
    source: str | None = None      # the TOML file it came from ("builtin/<file>" for built-ins)
    wire_name: str | None = None   # the type's name in a platform's files ("product-price"), if not name
    builtin: bool = False
    _validators: dict = field(default_factory=dict, init=False, repr=False)
    _converters: dict = field(default_factory=dict, init=False, repr=False)  # see validator.field_schema
    _lock: Any = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        # The row helpers are generated once per type and stored on the instance, so that
        # ``rt.to_db(clean)`` is a direct call of the generated function (no wrapper frame).
        stored = dict(self.fields)
        stored[EXTRA] = FieldSpec(EXTRA, "json", description="attributes the type does not declare")
        object.__setattr__(self, "stored_fields", stored)
        cols = [(f.name, f.type) for f in stored.values()]
        keys = [(k, self.fields[k].type) for k in self.key]
        object.__setattr__(self, "to_db", dbvalues.compile_to_db(cols))
        object.__setattr__(self, "from_db", dbvalues.compile_from_db(cols))
        object.__setattr__(self, "key_of", dbvalues.compile_key_of(keys))

    # -- shape -----------------------------------------------------------------------------

    stored_fields: dict[str, FieldSpec] = field(init=False, repr=False)  # set in __post_init__

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.fields)

    @cached_property
    def stored_columns(self) -> tuple[str, ...]:
        return tuple(self.stored_fields)

    @cached_property
    def sourced_fields(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(field, path parts) of the fields with a ``source`` path."""
        return tuple((f.name, tuple(f.source.split("."))) for f in self.fields.values() if f.source)

    @cached_property
    def required_fields(self) -> tuple[str, ...]:
        """Fields a row must give a value for (required and no default), parent field included."""
        return tuple(f.name for f in self.fields.values() if f.needs_value)

    def sql_types(self) -> dict[str, str]:
        """field -> "TEXT" | "INTEGER" | "REAL" (decimals are TEXT: exact)."""
        return {f.name: f.sql_type for f in self.stored_fields.values()}

    # -- rows <-> database (replaced per instance by generated functions, see __post_init__) --

    def to_db(self, clean: dict[str, Any]) -> tuple:  # pragma: no cover - replaced
        """Clean row -> tuple in ``columns`` order: Decimal -> exact str, date/datetime -> ISO str,
        bool -> 0/1, json -> compact JSON str, None stays None."""
        raise NotImplementedError

    def from_db(self, row: tuple | list) -> dict[str, Any]:  # pragma: no cover - replaced
        """Tuple in ``columns`` order (as stored) -> clean row dict (inverse of ``to_db``)."""
        raise NotImplementedError

    def key_of(self, clean: dict[str, Any]) -> str:  # pragma: no cover - replaced
        """The natural key as one string: the key fields' db values joined by "\\x1f"."""
        raise NotImplementedError

    # -- headers ---------------------------------------------------------------------------

    @cached_property
    def header_lookup(self) -> dict[str, str]:
        """normalised header name -> field (names and aliases)."""
        from .headers import build_lookup

        lookup, _problems = build_lookup(self.fields.values())
        return lookup

    def map_headers(self, headers: list[str]) -> HeaderMapping:
        from .headers import map_headers

        return map_headers(self, headers)

    def score_headers(self, headers: list[str]) -> float:
        from .headers import score_headers

        return score_headers(self, headers)

    # -- validation ------------------------------------------------------------------------

    def validator(self, locale: str | None = "en", parent: Any = None) -> RowValidator:
        """The row validator for ``locale`` (cached per locale).

        ``parent``: the job's parent_resource_id; when given, rows that leave the parent field
        empty get this value (validators with a parent are cached per (locale, parent)).
        Raises ``SchemaError`` for an unknown locale.
        """
        from .locale_rules import normalize_locale
        from .validator import RowValidator

        cache_key = (normalize_locale(locale), parent)
        v = self._validators.get(cache_key)
        if v is None:
            with self._lock:
                v = self._validators.get(cache_key)
                if v is None:
                    if len(self._validators) >= 32:  # per-job parents: keep the cache bounded
                        self._validators.clear()
                    v = RowValidator(self, cache_key[0], parent=parent)
                    self._validators[cache_key] = v
        return v

    def __repr__(self) -> str:
        return f"ResourceType({self.name!r}, key={self.key!r}, fields={list(self.fields)!r})"
