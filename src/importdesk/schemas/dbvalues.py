"""Clean Python values <-> SQLite column values, per field type.

to the database:  Decimal -> exact str without exponent and without trailing zeros ("12.50" ->
"12.5", "1E+2" -> "100"); date/datetime -> ISO 8601 str; bool -> 0/1; json -> compact JSON str
(Decimals in it as exact numbers, read back as Decimal); str/int/float unchanged; None stays None.
``from_db`` undoes it.

``compile_to_db`` / ``compile_from_db`` / ``compile_key_of`` generate one small function per
resource type (field names are checked identifiers, so the generated code is plain attribute-free
dict look-ups): a clean row becomes a tuple without a Python loop per field.
"""

from __future__ import annotations

import datetime as _dt
import json
import json.encoder
import re
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec
import pydantic_core

from .codegen import compile_functions

__all__ = [
    "SQL_TYPES",
    "compile_from_db",
    "compile_key_of",
    "compile_to_db",
    "db_converter",
    "decimal_to_db",
    "from_db_value",
    "json_text",
    "plain_json_text",
    "to_db_value",
]

#: SQLite column type per field type. Decimals are TEXT so no precision is lost.
SQL_TYPES: dict[str, str] = {
    "string": "TEXT",
    "integer": "INTEGER",
    "decimal": "TEXT",
    "float": "REAL",
    "boolean": "INTEGER",
    "date": "TEXT",
    "datetime": "TEXT",
    "email": "TEXT",
    "enum": "TEXT",
    "json": "TEXT",
    "url": "TEXT",
    "minor_units": "INTEGER",
    "object": "TEXT",  # nested values: compact JSON, which json_extract() reads
    "map": "TEXT",
    "list": "TEXT",
}

_PASSTHROUGH = frozenset({"string", "integer", "float", "email", "enum", "url", "minor_units"})


def decimal_to_db(d: Decimal | None) -> str | None:
    """Exact text of a Decimal: no exponent, no trailing fractional zeros, no "-0"."""
    if d is None:
        return None
    text = str(d)
    if "E" in text:
        text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def _iso(v: Any) -> str | None:
    return None if v is None else v.isoformat()


def _bool_to_db(v: Any) -> int | None:
    return None if v is None else int(v)


# Decimals inside JSON values are written as JSON numbers with their exact digits: json.dumps
# can only write them through ``default`` as strings, so they travel as a string with this
# per-process marker (no user text can contain it) and lose the quotes and marker afterwards.
_to_json = pydantic_core.to_json
_DECIMAL_MARK = f"\ue000{secrets.token_hex(8)}"
_MARKED_DECIMAL = re.compile(f'"{_DECIMAL_MARK}([-+.0-9Ee]+)"')
# JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=...).encode, by
# its C core made once (encode builds it per call: about half of a small value's time), without
# the cycle check, which decoded and validated values never need.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
if _c_make_encoder is not None:
    _encode = _c_make_encoder(None, lambda v: _exact_default(v), json.encoder.encode_basestring, None, ":", ",",
                              False, False, False)

    def _dumps(v: Any) -> str:
        return "".join(_encode(v, 0))
else:  # an interpreter without the C accelerator
    _dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                              default=lambda v: _exact_default(v)).encode


def _exact_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return _DECIMAL_MARK + str(v) if v.is_finite() else str(v)
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    raise TypeError(f"{type(v).__name__} is not a JSON value")


# A flat object of text (a JSON line's "attributes"), the usual value, by msgspec: the same text
# as _dumps (its escapes are json's: every code point checked), a third of the time. A lone
# surrogate (bytes that were not UTF-8) is not encoded by it: _dumps writes that.
_encode_text_object = msgspec.json.Encoder().encode


def json_text(v: Any) -> str:
    """Compact JSON, non-ASCII kept as is, Decimals as exact JSON numbers."""
    if v.__class__ is dict:
        for key, value in v.items():
            if key.__class__ is not str or value.__class__ is not str:
                break
        else:
            try:
                return _encode_text_object(v).decode()
            except UnicodeEncodeError:
                pass
    text = _dumps(v)
    return _MARKED_DECIMAL.sub(r"\1", text) if _DECIMAL_MARK in text else text


def plain_json_text(v: Any) -> str | None:
    """json_text for values without Decimals (parsed from a JSON text cell): pydantic-core's
    serializer, ~5x json.dumps."""
    return None if v is None else _to_json(v).decode()


def _json_to_db(v: Any) -> str | None:
    return None if v is None else json_text(v)


_TO_DB: dict[str, Callable[[Any], Any]] = {
    "decimal": decimal_to_db,
    "date": _iso,
    "datetime": _iso,
    "boolean": _bool_to_db,
    "json": _json_to_db,
    "object": _json_to_db,
    "map": _json_to_db,
    "list": _json_to_db,
}


def _decimal_from_db(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _date_from_db(v: Any) -> _dt.date | None:
    return None if v is None else _dt.date.fromisoformat(v)


def _datetime_from_db(v: Any) -> _dt.datetime | None:
    return None if v is None else _dt.datetime.fromisoformat(v)


def _bool_from_db(v: Any) -> bool | None:
    return None if v is None else bool(int(v))


def _json_from_db(v: Any) -> Any:
    return None if v is None else json.loads(v, parse_float=Decimal)


def _int_from_db(v: Any) -> int | None:
    return None if v is None else int(v)


def _float_from_db(v: Any) -> float | None:
    return None if v is None else float(v)


def _str_from_db(v: Any) -> str | None:
    return None if v is None else str(v)


_FROM_DB: dict[str, Callable[[Any], Any]] = {
    "string": _str_from_db,
    "email": _str_from_db,
    "enum": _str_from_db,
    "integer": _int_from_db,
    "float": _float_from_db,
    "decimal": _decimal_from_db,
    "date": _date_from_db,
    "datetime": _datetime_from_db,
    "boolean": _bool_from_db,
    "json": _json_from_db,
    "object": _json_from_db,
    "map": _json_from_db,
    "list": _json_from_db,
    "url": _str_from_db,
    "minor_units": _int_from_db,
}


def db_converter(field_type: str) -> Callable[[Any], Any] | None:
    """The clean value -> stored value function of a type (None: stored as it is)."""
    return _TO_DB.get(field_type)


def to_db_value(field_type: str, value: Any) -> Any:
    conv = _TO_DB.get(field_type)
    return value if conv is None else conv(value)


def from_db_value(field_type: str, value: Any) -> Any:
    return _FROM_DB[field_type](value)


# Inline expressions per type for the generated to_db ({v}: the value, already None-checked).
_INLINE = {
    "date": "{v}.isoformat()",
    "datetime": "{v}.isoformat()",
    "boolean": "(1 if {v} else 0)",
    "json": "_json_text({v})",
    "object": "_json_text({v})",
    "map": "_json_text({v})",
    "list": "_json_text({v})",
    # decimal_to_db inlined for the usual case (no exponent): trailing fractional zeros off;
    # "-0" and exponents go to decimal_to_db itself.
    "decimal": (
        "(_t if 'E' not in (_s := str({v})) and (_t := (_s.rstrip('0').rstrip('.') if '.' in _s else _s))"
        " not in ('-0', '', '-') else _dec({v}))"
    ),
}


def compile_to_db(fields: list[tuple[str, str]]) -> Callable[[dict[str, Any]], tuple]:
    """``fields``: (name, type) in column order -> ``f(clean) -> tuple``."""
    env: dict[str, Any] = {"_json_text": json_text, "_dec": decimal_to_db}
    parts = []
    for i, (name, ftype) in enumerate(fields):
        expr = _INLINE.get(ftype)
        # a field whose name starts with "_" (the undeclared attributes) may be absent
        get = f"c.get({name!r})" if name.startswith("_") else f"c[{name!r}]"
        if expr is None or ftype in _PASSTHROUGH:
            parts.append(get)
        else:
            v = f"_v{i}"
            parts.append(f"(None if ({v} := {get}) is None else {expr.format(v=v)})")
    body = f"def to_db(c):\n    return ({', '.join(parts)},)\n"
    return compile_functions(body, "to_db", env)["to_db"]


def compile_from_db(fields: list[tuple[str, str]]) -> Callable[[tuple | list], dict[str, Any]]:
    """``fields``: (name, type) in column order -> ``f(row) -> dict`` (inverse of to_db)."""
    env: dict[str, Any] = {}
    parts = []
    for i, (name, ftype) in enumerate(fields):
        env[f"_c{i}"] = _FROM_DB[ftype]
        parts.append(f"{name!r}: _c{i}(r[{i}])")
    body = f"def from_db(r):\n    return {{{', '.join(parts)}}}\n"
    return compile_functions(body, "from_db", env)["from_db"]


def compile_key_of(fields: list[tuple[str, str]]) -> Callable[[dict[str, Any]], str]:
    """Key fields (name, type) -> ``f(clean) -> str``: db values as text joined by U+001F."""
    env: dict[str, Any] = {"_str": str}
    parts = []
    for i, (name, ftype) in enumerate(fields):
        conv = _TO_DB.get(ftype)
        if ftype in ("string", "email", "enum"):
            parts.append(f"c[{name!r}]")
        elif conv is None:
            parts.append(f"_str(c[{name!r}])")
        else:
            env[f"_c{i}"] = conv
            parts.append(f"_str(_c{i}(c[{name!r}]))")
    expr = parts[0] if len(parts) == 1 else " + '\\x1f' + ".join(parts)
    body = f"def key_of(c):\n    return {expr}\n"
    return compile_functions(body, "key_of", env)["key_of"]

