'''Resource type files (TOML) -> ResourceType, with every problem reported by name.

Format
------
::

    [resource]
    name = "products"            # required; [a-z][a-z0-9_]*, at most 63 characters; the records table name
    title = "Products"           # optional; shown in the UI (default: name with spaces, capitalised)
    key = ["sku"]                # required; natural key: one field name or a list of them
    parent = "price_list"        # optional; field filled from the job's parent_resource_id when a row leaves it empty
    description = "…"            # optional
    wire_name = "product-price"  # optional; the type's name in a platform's files when it is not a
                                 #   table name ({"data": {"type": "product-price", …}})

    [fields.sku]                 # one table per field; their order in the file is the column order
    type = "string"              # required; string|integer|decimal|float|boolean|date|datetime|email|enum|json
    required = true              # optional (default false); key fields are always required
    default = "…"                # optional; used when the value is missing/empty (checked like a value)
    min = 0                      # decimal/integer/float: inclusive lower bound
    max = 100                    # decimal/integer/float: inclusive upper bound
    min_length = 1               # string: after stripping
    max_length = 64              # string
    pattern = '^[A-Z0-9-]+$'     # string: regular expression, searched (anchor with ^…$)
    pattern_message = "…"        # string: what to tell the user when the pattern does not match
    choices = ["a", "b"]         # enum (required for enum)
    aliases = ["SKU code"]       # extra header names (compared ignoring case, spaces, _ and -)
    source = "data.x"            # JSON records: a dotted path to the value (into the attributes, or
                                 #   "data.…" out of them into the envelope)
    columns = "Price {key}"      # map/list: a family of table columns gathered into the value
                                 #   (``column_families``)
    references = "type.field"    # string, list: the value names a record of another type (see references.py)
    platform_id_pattern = '…'    # with references: values of this form are the platform's ids, not checked
    description = "…"

    rows = "medusa_variant"      # in [resource]: each row of this type's table files is one record
                                 #   of that type; the rows sharing this type's key make one record
                                 #   of this type (``engine.row_groups``)

    [recognise]                  # optional: how a file of this type is told without --type
    headers = ["Product Handle", "Variant Sku"]   # a table whose header has all these columns

Rules checked (each problem is reported, all of them at once): unknown tables/keys (typos),
name syntax, known field types, options that fit the type, bounds in order, patterns that compile,
enum choices present and unique, key/parent naming existing fields, key fields without default
and not of type json, header names/aliases not shared by two fields, defaults valid for their
field. Use TOML literal strings ('…') for patterns so backslashes need no escaping.

``load_file(path)`` / ``load_text(text, source)`` return a ``ResourceType`` or raise
``SchemaError`` whose ``str()`` starts with the file name.
'''

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic_core import ValidationError

from .coerce import is_blank
from .column_families import template_problems
from .errors import SchemaError
from .field_schemas import field_error, field_validator
from .field_spec import FIELD_TYPES, FieldSpec
from .headers import build_lookup, normalize_header
from .locale_rules import get_rules
from .spec import ResourceType

__all__ = ["NAME_RE", "load_file", "load_text", "parse_definition"]

NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
_MAX_NAME = 63

_RESOURCE_KEYS = ("name", "title", "key", "parent", "description", "wire_name", "rows")
WIRE_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_COMMON_KEYS = ("type", "required", "default", "aliases", "description", "source")
SOURCE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*")
_REFERENCE_KEYS = ("references", "platform_id_pattern")
REFERENCE_RE = re.compile(r"([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)")
_TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "string": ("min_length", "max_length", "pattern", "pattern_message", *_REFERENCE_KEYS),
    "integer": ("min", "max"),
    "decimal": ("min", "max"),
    "float": ("min", "max"),
    "enum": ("choices",),
    "minor_units": ("min", "max"),
    "object": ("fields",),
    "map": ("key_pattern", "key_message", "values", "fields", "columns"),
    "list": ("items", "fields", "min_items", "max_items", "columns", *_REFERENCE_KEYS),
}
_SHAPED = ("json", "object", "map", "list")  # values with a shape: not a key, not a parent
_ITEM_TYPES = tuple(t for t in FIELD_TYPES if t not in ("map", "list", "json"))


def load_file(path: str | Path, *, builtin: bool = False, source: str | None = None) -> ResourceType:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=path) from None
    except OSError as exc:
        raise SchemaError(f"cannot read the file ({exc.strerror or exc})", file=path) from None
    return load_text(text, source=source or str(path), builtin=builtin)


def load_text(text: str, source: str = "<string>", *, builtin: bool = False) -> ResourceType:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"invalid TOML: {exc}", file=source) from None
    return parse_definition(data, source=source, builtin=builtin)


def _name_problem(what: str, name: Any) -> str | None:
    if not isinstance(name, str):
        return f"{what} must be a string, not {_tname(name)}"
    if not NAME_RE.fullmatch(name):
        return f"{what} {name!r} is not a valid name (use lower-case letters, digits and _, starting with a letter)"
    if len(name) > _MAX_NAME:
        return f"{what} {name!r} is longer than {_MAX_NAME} characters"
    return None


def _tname(v: Any) -> str:
    return {bool: "true/false", int: "a whole number", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(v), type(v).__name__)


def _number(ftype: str, v: Any) -> Any:
    """A bound from TOML as the field's number type, or raise ValueError."""
    if isinstance(v, bool):
        raise ValueError
    if ftype in ("integer", "minor_units"):
        if isinstance(v, int):
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        raise ValueError
    if ftype == "float":
        if isinstance(v, (int, float)) and math.isfinite(v):
            return float(v)
        raise ValueError
    # decimal
    try:
        if isinstance(v, float):
            d = Decimal(repr(v))
        elif isinstance(v, (int, str)):
            d = Decimal(str(v).strip())
        else:
            raise ValueError
    except InvalidOperation:
        raise ValueError from None
    if not d.is_finite():
        raise ValueError
    return d


def _field(name: str, table: Any, problems: list[str], path: str = "") -> FieldSpec | None:
    where = f"field {path + name!r}"
    p = _name_problem("field name", name)
    if p:
        problems.append(p)
        return None
    if not isinstance(table, dict):
        problems.append(f"{where}: must be a table ([fields.{name}]) with at least a type")
        return None
    ftype = table.get("type")
    if ftype is None:
        problems.append(f"{where}: type is missing (one of: {', '.join(FIELD_TYPES)})")
        return None
    if ftype not in FIELD_TYPES:
        problems.append(f"{where}: unknown type {ftype!r} (expected one of: {', '.join(FIELD_TYPES)})")
        return None
    allowed = _COMMON_KEYS + _TYPE_KEYS.get(ftype, ())
    before = len(problems)
    for k in table:
        if k not in allowed:
            problems.append(f"{where}: unknown option {k!r} for type {ftype} (allowed: {', '.join(allowed)})")
    kw: dict[str, Any] = {"name": name, "type": ftype}

    required = table.get("required", False)
    if not isinstance(required, bool):
        problems.append(f"{where}: required must be true or false")
    kw["required"] = bool(required)

    if "source" in table:
        src = table["source"]
        if not isinstance(src, str) or not SOURCE_RE.fullmatch(src):
            problems.append(f"{where}: source must be a dotted path such as \"data.pricebook_external_ref\" "
                            "or \"dimensions.width\"")
        elif path:
            problems.append(f"{where}: source is for a record's own fields, not fields of an object")
        else:
            kw["source"] = src

    for k in ("description", "pattern_message"):
        if k in table:
            if not isinstance(table[k], str):
                problems.append(f"{where}: {k} must be a string")
            else:
                kw[k] = table[k]

    aliases = table.get("aliases", [])
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        problems.append(f"{where}: aliases must be a list of strings")
        aliases = []
    kw["aliases"] = tuple(aliases)

    for k in ("min", "max"):
        if k in table and k in allowed:
            try:
                kw[k] = _number(ftype, table[k])
            except ValueError:
                kind = "a whole number" if ftype in ("integer", "minor_units") else "a number"
                problems.append(f"{where}: {k} must be {kind}, not {table[k]!r}")
    if kw.get("min") is not None and kw.get("max") is not None and kw["min"] > kw["max"]:
        problems.append(f"{where}: min ({kw['min']}) is greater than max ({kw['max']})")

    for k in ("min_length", "max_length"):
        if k in table and k in allowed:
            v = table[k]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                problems.append(f"{where}: {k} must be a whole number ≥ 0, not {v!r}")
            else:
                kw[k] = v
    if (kw.get("min_length") or 0) > (kw.get("max_length") if kw.get("max_length") is not None else math.inf):
        problems.append(f"{where}: min_length ({kw['min_length']}) is greater than max_length ({kw['max_length']})")

    if "pattern" in table and "pattern" in allowed:
        pat = table["pattern"]
        if not isinstance(pat, str) or not pat:
            problems.append(f"{where}: pattern must be a non-empty string")
        else:
            try:
                re.compile(pat)
                kw["pattern"] = pat
            except re.error as exc:
                problems.append(f"{where}: pattern {pat!r} is not a valid regular expression ({exc})")

    if ftype == "enum":
        choices = table.get("choices")
        if choices is None:
            problems.append(f"{where}: an enum needs choices = [\"…\", …]")
        elif (not isinstance(choices, list) or not choices
              or not all(isinstance(c, str) and c.strip() for c in choices)):
            problems.append(f"{where}: choices must be a non-empty list of non-empty strings")
        elif len(set(choices)) != len(choices):
            dup = sorted({c for c in choices if choices.count(c) > 1})
            problems.append(f"{where}: choices repeat {', '.join(map(repr, dup))}")
        else:
            kw["choices"] = tuple(c.strip() for c in choices)

    if path and "references" in table:
        problems.append(f"{where}: references is for a record's own fields, not fields of an object")
    else:
        _reference(table, ftype, kw, problems, where)

    if ftype in ("object", "map", "list"):
        _shape(name, table, ftype, kw, problems, f"{path}{name}.")

    if len(problems) > before:
        return None
    spec = FieldSpec(**kw)
    if "columns" in table:
        family_problems = (template_problems(spec, table["columns"]) if not path else
                           [f"{where}: columns is for a record's own fields, not fields of an object"])
        if family_problems:
            problems.extend(family_problems)
            return None
        spec = dataclasses.replace(spec, columns=table["columns"])
    if "default" in table:
        spec = _with_default(spec, table["default"], problems)
    return spec


def _shape(name: str, table: dict, ftype: str, kw: dict[str, Any], problems: list[str], path: str) -> None:
    """The parts of an object / map / list field: sub-fields, the item kind, key rule, sizes."""
    where = f"field {path[:-1]!r}"
    subs = table.get("fields")
    kind = "object" if ftype == "object" else table.get("values" if ftype == "map" else "items")
    option = "values" if ftype == "map" else "items"
    if ftype != "object" and kind is None:
        problems.append(f"{where}: {option} is missing (one of: {', '.join(_ITEM_TYPES)})")
        return
    if kind not in _ITEM_TYPES:
        problems.append(f"{where}: unknown {option} {kind!r} (expected one of: {', '.join(_ITEM_TYPES)})")
        return
    fields: list[FieldSpec] = []
    if kind == "object":
        if not isinstance(subs, dict) or not subs:
            problems.append(f"{where}: an object needs its fields ([fields.{path}fields.<name>])")
            return
        for sub_name, sub_table in subs.items():
            spec = _field(sub_name, sub_table, problems, f"{path}fields.")
            if spec is not None:
                fields.append(spec)
    elif subs is not None:
        problems.append(f"{where}: fields are for objects ({option} = \"object\"), not {kind}")
    if ftype == "object":
        kw["fields"] = tuple(fields)
        return
    kw["item"] = FieldSpec(name=name, type=kind, required=True, fields=tuple(fields))
    if ftype == "map":
        for k in ("key_pattern", "key_message"):
            if k in table and not isinstance(table[k], str):
                problems.append(f"{where}: {k} must be a string")
            elif k in table:
                kw[k] = table[k]
        if "key_pattern" in kw:
            try:
                re.compile(kw["key_pattern"])
            except re.error as exc:
                problems.append(f"{where}: key_pattern {kw['key_pattern']!r} is not a valid regular expression ({exc})")
    else:
        for k in ("min_items", "max_items"):
            v = table.get(k)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                problems.append(f"{where}: {k} must be a whole number ≥ 0, not {v!r}")
            elif v is not None:
                kw[k] = v
        if kw.get("min_items") is not None and kw.get("max_items") is not None and kw["min_items"] > kw["max_items"]:
            problems.append(f"{where}: min_items ({kw['min_items']}) is greater than max_items ({kw['max_items']})")


def _reference(table: dict, ftype: str, kw: dict[str, Any], problems: list[str], where: str) -> None:
    """``references`` / ``platform_id_pattern``; whether the named type and field exist is checked
    once every type is loaded (``references.check_references``)."""
    target = table.get("references")
    if target is not None:
        if not isinstance(target, str) or not REFERENCE_RE.fullmatch(target):
            problems.append(f"{where}: references must name a type and its field, such as "
                            "\"subscription_product.external_ref\"")
        elif ftype == "list" and table.get("items") not in ("string", "object"):
            problems.append(f"{where}: references needs items = \"string\" or \"object\" (a string item names "
                            "a record; an object item is the record itself)")
        else:
            kw["references"] = target
    pattern = table.get("platform_id_pattern")
    if pattern is not None:
        if target is None:
            problems.append(f"{where}: platform_id_pattern is for references (values of this form are the "
                            "platform's own ids)")
        elif not isinstance(pattern, str) or not pattern:
            problems.append(f"{where}: platform_id_pattern must be a non-empty string")
        else:
            try:
                re.compile(pattern)
                kw["platform_id_pattern"] = pattern
            except re.error as exc:
                problems.append(f"{where}: platform_id_pattern {pattern!r} is not a valid regular expression ({exc})")


def _with_default(spec: FieldSpec, value: Any, problems: list[str]) -> FieldSpec:
    where = f"field {spec.name!r}"
    if is_blank(value):
        problems.append(f"{where}: default must not be empty (leave it out for no default)")
        return spec
    try:
        clean = field_validator(spec).validate_python(value)
    except ValidationError as exc:
        err = field_error(spec, get_rules("en"), exc.errors(include_url=False), value)
        problems.append(f"{where}: default {value!r} {err.message}")
        return spec
    return dataclasses.replace(spec, default=clean)


def parse_definition(data: dict[str, Any], source: str = "<string>", *, builtin: bool = False) -> ResourceType:
    problems: list[str] = []
    for k in data:
        if k not in ("resource", "fields", "recognise"):
            problems.append(f"unknown table or key {k!r} (expected [resource], [fields.<name>] and [recognise])")
    recognise_headers = _recognise(data.get("recognise"), problems)
    res = data.get("resource")
    if not isinstance(res, dict):
        problems.append("the [resource] table is missing")
        res = {}
    for k in res:
        if k not in _RESOURCE_KEYS:
            problems.append(f"[resource]: unknown key {k!r} (allowed: {', '.join(_RESOURCE_KEYS)})")

    name = res.get("name")
    if name is None:
        problems.append("[resource]: name is missing")
    else:
        p = _name_problem("[resource]: name", name)
        if p:
            problems.append(p)
        elif name.startswith("sqlite_"):
            problems.append(f"[resource]: name {name!r} is reserved (sqlite_ prefix)")
    title = res.get("title")
    if title is not None and not isinstance(title, str):
        problems.append("[resource]: title must be a string")
        title = None
    description = res.get("description", "")
    if not isinstance(description, str):
        problems.append("[resource]: description must be a string")
        description = ""

    wire_name = res.get("wire_name")
    if wire_name is not None and (not isinstance(wire_name, str) or not WIRE_NAME_RE.fullmatch(wire_name)
                                  or len(wire_name) > 255):
        problems.append("[resource]: wire_name must be the type's name in the platform's files: letters, "
                        "digits, _ . and -, starting with a letter (e.g. \"product-price\")")
        wire_name = None

    rows = res.get("rows")
    if rows is not None and (not isinstance(rows, str) or not NAME_RE.fullmatch(rows) or rows == name):
        problems.append("[resource]: rows must name another resource type (each row of the file is one "
                        "record of it, grouped into this type's records by its key)")
        rows = None

    raw_fields = data.get("fields")
    fields: dict[str, FieldSpec] = {}
    if not isinstance(raw_fields, dict) or not raw_fields:
        problems.append("no fields: add at least one [fields.<name>] table")
        raw_fields = {}
    declared = set(raw_fields)
    for fname, table in raw_fields.items():
        spec = _field(fname, table, problems)
        if spec is not None:
            fields[fname] = spec

    key = res.get("key")
    if isinstance(key, str):
        key = [key]
    if key is None:
        problems.append("[resource]: key is missing (the field or fields that identify a record)")
        key = []
    elif not isinstance(key, list) or not key or not all(isinstance(k, str) for k in key):
        problems.append("[resource]: key must be a field name or a non-empty list of field names")
        key = []
    elif len(set(key)) != len(key):
        problems.append("[resource]: key names a field twice")
    for k in key:
        if k not in declared:
            problems.append(f"[resource]: key names unknown field {k!r}")
        elif k in fields:
            spec = fields[k]
            if spec.type in _SHAPED:
                problems.append(f"[resource]: key field {k!r} cannot be of type {spec.type}")
            if spec.has_default:
                problems.append(f"[resource]: key field {k!r} cannot have a default")
            if isinstance(raw_fields[k], dict) and raw_fields[k].get("required") is False:
                problems.append(f"[resource]: key field {k!r} cannot be required = false")
            fields[k] = dataclasses.replace(spec, required=True)

    parent = res.get("parent")
    if parent is not None:
        if not isinstance(parent, str):
            problems.append("[resource]: parent must be a field name")
            parent = None
        elif parent not in declared:
            problems.append(f"[resource]: parent names unknown field {parent!r}")
        elif parent in fields and fields[parent].type in _SHAPED:
            problems.append(f"[resource]: parent field {parent!r} cannot be of type {fields[parent].type}")

    _lookup, clashes = build_lookup(fields.values())
    problems.extend(clashes)

    if problems:
        raise SchemaError(problems, file=source)
    return ResourceType(
        name=name,
        title=title or name.replace("_", " ").capitalize(),
        fields=fields,
        key=tuple(key),
        parent_field=parent,
        description=description,
        source=source,
        builtin=builtin,
        wire_name=wire_name if wire_name != name else None,
        rows=rows,
        recognise_headers=recognise_headers,
    )


def _recognise(table: Any, problems: list[str]) -> tuple[str, ...]:
    """[recognise]: how a file is told to be of this type without naming it (see shapes.py)."""
    if table is None:
        return ()
    if not isinstance(table, dict):
        problems.append("[recognise] must be a table, e.g. headers = [\"Product Handle\", \"Variant Sku\"]")
        return ()
    for k in table:
        if k != "headers":
            problems.append(f"[recognise]: unknown key {k!r} (allowed: headers)")
    headers = table.get("headers")
    if headers is None:
        return ()
    if (not isinstance(headers, list) or not headers
            or not all(isinstance(h, str) and normalize_header(h) for h in headers)):
        problems.append("[recognise]: headers must be a non-empty list of column names")
        return ()
    if len({normalize_header(h) for h in headers}) != len(headers):
        problems.append("[recognise]: headers names a column twice")
        return ()
    return tuple(headers)
