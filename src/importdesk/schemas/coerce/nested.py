"""Values with a shape: ``object``, ``map`` and ``list`` fields, checked all the way down.

An ``object`` has its own fields (``FieldSpec.fields``); a ``map`` has keys that match
``key_pattern`` and values of one kind (``FieldSpec.item``: a scalar type, or an object with
fields); a ``list`` has items of one kind (``item``) and ``min_items`` / ``max_items``. Leaves are
read by the same converters as top-level fields (locale, bounds, patterns), so a nested
``minor_units`` amount follows the same rules as a column.

A problem anywhere is one ``nested_error``: its context names the path from the field
(``price.USD.amount``, ``tiers[2].name``) and the value found there, which
``RowValidator.errors_of`` turns into the ``FieldError`` (field = the path). Attributes an object
does not declare are kept as they are (nothing dropped), like a record's own.

Input: a dict / list (JSON sources), or its JSON text (a table cell).

Speed: values are checked by one function compiled per field (``nested_compiled``); the generic
checker here runs only for a value that function refuses, to word the problem (or take a value
of a dict subclass). The stored form (``nested_db_converter``, for JSON sources) of a value that
is its own clean value and holds only what the field declares is written by msgspec, which
writes such values exactly as ``dbvalues.json_text`` does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec
from pydantic_core import PydanticCustomError

from .. import messages
from ..dbvalues import json_text
from .nested_compiled import compile_as_is, compile_check
from .numbers import INT64_MAX, INT64_MIN
from .scalars import scalar_converter

if TYPE_CHECKING:
    from ..field_spec import FieldSpec
    from ..locale_rules import LocaleRules

__all__ = ["NESTED_TYPES", "nested_converter", "nested_db_converter"]

NESTED_TYPES = frozenset({"object", "map", "list"})


class _Problem(Exception):
    def __init__(self, path: str, value: Any, code: str, message: str) -> None:
        self.path, self.value, self.code, self.message = path, value, code, message


def _kind(v: Any) -> str:
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return "text"
    if isinstance(v, bool):
        return "true/false"
    return "a number" if isinstance(v, (int, float, Decimal)) else type(v).__name__


class _Never:
    """A class no JSON value has: the native check of a leaf that has none."""


def _checker(spec: FieldSpec, rules: LocaleRules) -> Callable[[Any], Any]:
    """value -> clean value (raises _Problem). ``spec`` is the field or an item of it.

    A problem's path is built on the way out (each level puts its step in front), so a valid
    value, the usual case, never formats one."""
    if spec.type == "object":
        subs = [(s.name, s.needs_value, _checker(s, rules), s.default if s.has_default else None, *_native(s))
                for s in spec.fields]

        def check_object(v: Any) -> Any:
            if not isinstance(v, dict):
                raise _Problem("", v, "invalid_value", f"must be an object, got {_kind(v)}")
            out = dict(v)  # undeclared attributes stay
            get = v.get
            name = ""
            try:
                for name, needed, check, default, cls, lo, hi in subs:
                    value = get(name)
                    if value.__class__ is cls and (lo is None or lo <= value <= hi):
                        continue  # a JSON leaf that is already its clean value (kept by dict(v))
                    if value is None or (value.__class__ is str and not value.strip()):  # blank
                        if needed:
                            raise _Problem("", value, "required", "is required")
                        if default is not None or name in v:
                            out[name] = default
                        continue
                    out[name] = check(value)
            except _Problem as p:
                p.path = f".{name}{p.path}"
                raise
            return out

        return check_object

    if spec.type == "map":
        item = _checker(spec.item, rules)
        key_re = re.compile(spec.key_pattern) if spec.key_pattern else None
        key_message = spec.key_message or f"does not have the expected form (pattern {spec.key_pattern})"
        good_keys: set[str] = set()

        def check_map(v: Any) -> Any:
            if not isinstance(v, dict):
                raise _Problem("", v, "invalid_value", f"must be an object of keys and values, got {_kind(v)}")
            out = {}
            key = ""
            try:
                for key, value in v.items():
                    if key_re is not None and key not in good_keys:
                        if not key_re.search(key):
                            raise _Problem("", key, "invalid_key", f"key {key!r} {key_message}")
                        if len(good_keys) < 1024:  # keys recur (currencies, locales): a set lookup
                            good_keys.add(key)
                    out[key] = item(value)
            except _Problem as p:
                p.path = f".{key}{p.path}"
                raise
            return out

        return check_map

    if spec.type == "list":
        item = _checker(spec.item, rules)
        lo, hi = spec.min_items, spec.max_items
        names = _reference_item if spec.references and spec.item.type == "object" else None

        def check_list(v: Any) -> Any:
            if not isinstance(v, list):
                raise _Problem("", v, "invalid_value", f"must be a list, got {_kind(v)}")
            if lo is not None and len(v) < lo:
                raise _Problem("", v, "too_few_items", f"must have at least {lo} item{'s' if lo != 1 else ''}")
            if hi is not None and len(v) > hi:
                raise _Problem("", v, "too_many_items", f"must have at most {hi} item{'s' if hi != 1 else ''}")
            out = []
            append = out.append
            try:
                for x in v:
                    # a string item names a record (a reference), an object item is one
                    append(names(x) if names is not None and isinstance(x, str) else item(x))
            except _Problem as p:
                p.path = f"[{len(out)}]{p.path}"  # the items before it are in out
                raise
            return out

        return check_list

    conv = scalar_converter(spec, rules, required=True)
    cls, lo, hi = _native(spec)

    def check_leaf(v: Any) -> Any:
        if v.__class__ is cls and (lo is None or lo <= v <= hi):
            return v  # a JSON value that is already what the converter would return
        try:
            return conv(v)
        except PydanticCustomError as exc:
            raise _Problem("", v, exc.type, exc.message()) from None

    return check_leaf


def _reference_item(v: str) -> str:
    """A list item that names another record: the name without surrounding spaces, not empty."""
    name = v.strip()
    if not name:
        raise _Problem("", v, "required", "is empty: name a record or give it inline")
    return name


def _native(spec: FieldSpec) -> tuple[type, Any, Any]:
    """(class, min, max) of the JSON values that are valid as they are for whole numbers and
    yes/no (leaves of nested values are many: an int in bounds needs no trip through the
    converter); ``_Never`` for other types and shapes."""
    if spec.type in ("integer", "minor_units"):
        lo = spec.min if spec.min is not None else (0 if spec.type == "minor_units" else INT64_MIN)
        hi = min(spec.max, INT64_MAX) if spec.max is not None else INT64_MAX
        return int, lo, hi
    if spec.type == "boolean":
        return bool, None, None
    return _Never, None, None


def _leaf_parts(rules: LocaleRules) -> Callable[[FieldSpec], tuple[Callable[[Any], Any], type, Any, Any]]:
    """spec -> (converter, class, min, max) of a leaf, as ``_checker`` reads it (for nested_compiled)."""
    def parts(spec: FieldSpec) -> tuple[Callable[[Any], Any], type, Any, Any]:
        return (scalar_converter(spec, rules, required=True), *_native(spec))
    return parts


def _checked(spec: FieldSpec, rules: LocaleRules) -> Callable[[Any], tuple[Any, bool]]:
    """value -> (clean, plain) (``nested_compiled``), the generic checker wording any problem."""
    fast = compile_check(spec, _leaf_parts(rules), _reference_item)
    check = _checker(spec, rules)

    def checked(v: Any) -> tuple[Any, bool]:
        if fast is not None:
            try:
                return fast(v)
            except Exception:  # not taken as it is: the generic checker words why (or takes it)
                pass
        try:
            return check(v), False
        except _Problem as p:
            context = {"path": spec.name + p.path, "value": p.value, "code": p.code, "message": p.message}
            raise PydanticCustomError("nested_error", "{message}", context) from None

    return checked


def _decoded(spec: FieldSpec, rules: LocaleRules, v: str) -> Any:
    """A table cell's JSON text, decoded (numbers exact)."""
    try:
        return json.loads(v, parse_float=Decimal)
    except ValueError as exc:
        reason = getattr(exc, "msg", str(exc))
        raise PydanticCustomError("invalid_json", messages.message(spec, rules, "invalid_json",
                                                                   {"reason": reason.lower()})) from None


def nested_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    """The converter of an object/map/list field (see the module docstring)."""
    checked = _checked(spec, rules)

    def conv(v: Any) -> Any:
        if v is None or (isinstance(v, str) and not v.strip()):
            return blank()
        if isinstance(v, str):
            v = _decoded(spec, rules, v)
        return checked(v)[0]

    return conv


def nested_db_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    """``dbvalues.json_text`` of what ``nested_converter`` gives (None for None): the stored form,
    written by msgspec where that is the same text (a value that holds only what the field
    declares, see ``nested_compiled``), ~6x json_text's speed."""
    checked = _checked(spec, rules)
    as_is = compile_as_is(spec, _leaf_parts(rules), _reference_item)
    encode = _plain_encoder.encode

    def conv(v: Any) -> Any:
        if v is None or (isinstance(v, str) and not v.strip()):
            v = blank()
            return None if v is None else json_text(v)
        if isinstance(v, str):
            v = _decoded(spec, rules, v)
        if as_is is not None:  # the usual JSON value: its own clean value, written as it is
            try:
                if as_is(v):
                    return encode(v).decode()
            except Exception:  # (checked and worded below)
                pass
        clean, plain = checked(v)
        if plain:
            try:
                return encode(clean).decode()
            except Exception:  # a lone surrogate, a decimal NaN ...: json_text words it as before
                pass
        return json_text(clean)

    return conv


# Decimals as JSON numbers of their exact text (str(d)), what json_text writes for finite ones.
_plain_encoder = msgspec.json.Encoder(decimal_format="number")
