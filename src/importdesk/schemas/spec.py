"""ResourceType: what a resource type is, and its row <-> database helpers (its fields are
``field_spec.FieldSpec``, re-exported here with ``EXTRA``, ``FIELD_TYPES`` and ``NO_DEFAULT``).

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
from typing import Any

from . import dbvalues
from .field_spec import EXTRA, FIELD_TYPES, NO_DEFAULT, FieldSpec
from .headers import HeaderMapping, build_lookup, map_headers, score_headers
from .locale_rules import normalize_locale
from .validator import RowValidator

__all__ = ["EXTRA", "FIELD_TYPES", "NO_DEFAULT", "FieldSpec", "ResourceType"]


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
    rows: str | None = None        # table files of this type: one row per record of that type (grouped)
    recognise_headers: tuple[str, ...] = ()  # a table with all these columns is of this type ([recognise])
    _validators: dict = field(default_factory=dict, init=False, repr=False)
    _converters: dict = field(default_factory=dict, init=False, repr=False)  # see field_schemas.field_schema
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
        lookup, _problems = build_lookup(self.fields.values())
        return lookup

    def map_headers(self, headers: list[str], *, keep_unknown: bool = False, ignored=()) -> HeaderMapping:
        return map_headers(self, headers, keep_unknown=keep_unknown, ignored=ignored)

    def score_headers(self, headers: list[str]) -> float:
        return score_headers(self, headers)

    # -- validation ------------------------------------------------------------------------

    def validator(self, locale: str | None = "en", parent: Any = None) -> RowValidator:
        """The row validator for ``locale`` (cached per locale).

        ``parent``: the job's parent_resource_id; when given, rows that leave the parent field
        empty get this value (validators with a parent are cached per (locale, parent)).
        Raises ``SchemaError`` for an unknown locale.
        """
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
