"""One field's pydantic-core schema: fast branches, blank handling, the locale-aware converter.

``field_schema(spec, rules)`` is what ``RowValidator`` (dict rows) and ``PositionalValidator``
(row lists) put together per field; ``field_validator`` checks one value (defaults, a job's
parent value) and ``field_error`` turns pydantic's errors for a field into the ``FieldError``
to report.

How it stays fast
-----------------
The whole row is one pydantic-core ``typed_dict`` schema (no model class, no per-row Python
wrapper besides ``validate`` itself). Each field is, in this order, a left-to-right union of

``fast``   pydantic-core's own parsing, only where it means the same as our rules for this
           locale: text with strip/length/pattern, enum choices, ISO dates and datetimes, JSON
           text, e-mail addresses of the plain common form, English yes/no words, and — only
           where "." is the decimal mark — numbers ("12.50");
``blank``  (optional fields) None/""/whitespace -> the default, without leaving Rust;
``py``     the complete locale-aware conversion (``coerce``), then the same constraints, for
           whatever the fast branch refused ("1,234.56", "31/12/2026", XLSX numbers in a text
           column ...). For numbers, dates and booleans it is memoised (``coerce.cached``).

So a clean "en" CSV row calls no Python at all. Where no fast branch is safe — numbers in a ","
locale (pydantic would read "1.234" as 1.234, not 1234) and yes/no in other languages — the
field is the memoised converter alone, which also turns blanks into the default and checks
min/max: values repeat a lot in import files, and a memo hit costs ~0.1 µs.

Errors: the ``py`` branch's error is the one reported (it knows the locale), else the ``fast``
one; a blank value of a field that needs one is always "is required".
"""

from __future__ import annotations

import copy
import dataclasses
from decimal import Decimal
from typing import Any

from pydantic_core import PydanticCustomError, SchemaValidator, from_json
from pydantic_core import core_schema as cs

from . import dbvalues, messages
from .coerce import INT64_MAX, INT64_MIN, MAX_DECIMAL_DIGITS, cached, check_decimal_digits, converter
from .coerce.blank import on_blank
from .coerce.nested import nested_db_converter
from .dbvalues import db_converter, decimal_to_db
from .errors import FieldError
from .field_spec import NO_DEFAULT, FieldSpec
from .locale_rules import BOOLEAN_WORDS, LocaleRules, get_rules

__all__ = ["EMAIL_FAST", "field_error", "field_schema", "field_validator", "nested_stored_schema"]

_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"

# A strict subset of what email-validator accepts and normalises to itself: ASCII dot-atom local
# part of at most 64 characters (not an RFC 2142 role name in capitals, which it lower-cases),
# lower-case LDH domain labels (none of the "ab--" kind, so no Punycode), a last label ending in
# a letter that is not a special-use name. Anything else goes to email-validator itself.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"(?![a-z0-9]{2}--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ROLE_NAMES = (
    "info|marketing|sales|support|abuse|noc|security|postmaster|hostmaster|usenet|news|"
    "webmaster|www|uucp|ftp"
)
EMAIL_FAST = (
    rf"^(?=[^@]{{1,64}}@)(?!(?=(?i:{_ROLE_NAMES})@)[a-z]*[A-Z])"
    rf"{_ATEXT}+(?:\.{_ATEXT}+)*@(?=[a-z0-9.-]{{1,253}}$)(?:{_LABEL}\.)+"
    rf"(?!(?:arpa|invalid|local|localhost|onion|test)$){_LABEL}(?<=[a-z])$"
)

# Custom error types raised by the coerce converters: their message is final.
_OWN_CODES = frozenset(
    {
        "required", "not_a_number", "ambiguous_number", "not_an_integer", "invalid_boolean",
        "invalid_date", "invalid_datetime", "invalid_email", "not_a_choice", "invalid_json",
        "invalid_string", "too_small", "too_large", "too_many_digits", "invalid_url",
    }
)

_BLANK = cs.nullable_schema(cs.str_schema(strict=True, pattern=r"^\s*$"))


def _regex_engine(pattern: str) -> str:
    """pydantic-core's Rust regex when it can compile the pattern, else Python's re."""
    try:
        SchemaValidator(cs.str_schema(pattern=pattern))
        return "rust-regex"
    except Exception:  # pydantic_core.SchemaError: look-around, backrefs ...
        return "python-re"


def _str_schema(spec: FieldSpec, strip: bool, min_length: int | None) -> cs.CoreSchema:
    kw: dict[str, Any] = {}
    if min_length:
        kw["min_length"] = min_length
    if spec.max_length is not None:
        kw["max_length"] = spec.max_length
    if spec.pattern:
        kw["pattern"] = spec.pattern
        kw["regex_engine"] = _regex_engine(spec.pattern)
    return cs.str_schema(strip_whitespace=strip or None, **kw)


def _bounds(spec: FieldSpec, lo: Any = None, hi: Any = None) -> dict[str, Any]:
    kw = {}
    lo = spec.min if spec.min is not None else lo
    hi = spec.max if spec.max is not None else hi
    if lo is not None:
        kw["ge"] = lo
    if hi is not None:
        kw["le"] = hi
    return kw


def _constraints(spec: FieldSpec) -> cs.CoreSchema | None:
    """What a converted value must still satisfy (string constraints; numbers check their bounds
    in the converter)."""
    if spec.type == "string" and (spec.min_length or spec.max_length is not None or spec.pattern):
        return _str_schema(spec, strip=False, min_length=spec.min_length)
    return None


def _english_booleans_only(rules: LocaleRules) -> bool:
    return rules.language == "en" or rules.language not in BOOLEAN_WORDS


def _fast(spec: FieldSpec, rules: LocaleRules) -> cs.CoreSchema | None:
    """pydantic-core's own parsing where it agrees with our rules for this locale, else None
    (then the field is the memoised Python converter alone)."""
    t = spec.type
    if t == "string":
        return _str_schema(spec, strip=True, min_length=max(1, spec.min_length or 0))
    if t == "enum":
        return cs.literal_schema(list(spec.choices))
    if t == "date":
        return cs.chain_schema([cs.str_schema(strict=True, pattern=_ISO_DATE), cs.date_schema()])
    if t == "datetime":
        return cs.chain_schema([cs.str_schema(strict=True, pattern=_ISO_DATETIME), cs.datetime_schema()])
    if t == "email":
        return cs.str_schema(
            strip_whitespace=True, max_length=254, pattern=EMAIL_FAST, regex_engine="python-re"
        )
    if t == "json":
        return cs.json_schema()
    if t == "boolean":
        # pydantic's yes/no words are a subset of ours; other languages' words need Python anyway
        return cs.bool_schema() if _english_booleans_only(rules) else None
    if not rules.dot_decimal:
        return None  # "1.234" would be 1.234 to pydantic, 1234 to us
    if t == "decimal":
        return cs.decimal_schema(allow_inf_nan=False, max_digits=MAX_DECIMAL_DIGITS, **_bounds(spec))
    if t == "integer" or t == "minor_units":
        lo = INT64_MIN if t == "integer" else 0
        return cs.chain_schema(
            [cs.str_schema(strict=True), cs.int_schema(**_bounds(spec, lo, INT64_MAX))]
        )
    if t == "float":
        return cs.chain_schema(
            [cs.str_schema(strict=True), cs.float_schema(allow_inf_nan=False, **_bounds(spec))]
        )
    return None


# With ``db_values``: the stored form of a validated value (booleans are bound as they are).
_TO_DB_AFTER = {t: db_converter(t) for t in ("date", "datetime")}
# A table cell's JSON text is parsed here into plain int/float/str values (never Decimal, which
# only JSON sources hand over, through the dict path), so pydantic-core's serializer (~5x
# json.dumps) writes it.
_TO_DB_AFTER["json"] = dbvalues.plain_json_text


def _parse_json(v: str) -> Any:
    """JSON text parsed as ``json_schema`` parses it (the same parser, jiter; its values, NaN and
    big integers included, are the same), its ValueError a validation error."""
    try:
        return from_json(v)
    except ValueError:
        raise PydanticCustomError("json_invalid", "not JSON") from None


def _stored_json_text(v: Any) -> str | None:
    """A JSON text cell's stored form, as ``json_schema`` then ``plain_json_text`` make it (the
    union's "fast" choice for other types). Anything but text fails here, as text that is not
    JSON does: the union's next choices then apply."""
    if v.__class__ is not str:
        raise PydanticCustomError("not_text", "not a text cell")
    return dbvalues.plain_json_text(_parse_json(v))


def _decimal_to_db_checked(d: Decimal | None) -> str | None:
    """decimal_to_db, refusing what pydantic's ``max_digits`` lets through: the zeros that a
    negative exponent writes out (1E-200000000); only such values have an exponent in ``str``."""
    if d is None:
        return None
    text = str(d)
    if "E" in text:
        return decimal_to_db(check_decimal_digits(d))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_TO_DB_AFTER["decimal"] = _decimal_to_db_checked

# Memoise the Python converter (its results are immutable and recur a lot: prices, dates,
# yes/no words, quantities) for these types.
_CACHED_TYPES = frozenset({"decimal", "boolean", "date", "integer", "float", "minor_units"})


def _constant(value: Any) -> cs.CoreSchema:
    """A schema whose output is always ``value`` (its inner schema never accepts blank input)."""
    never = cs.int_schema(strict=True)
    if isinstance(value, (dict, list)):
        return cs.with_default_schema(never, default_factory=lambda: copy.deepcopy(value), on_error="default")
    return cs.with_default_schema(never, default=value, on_error="default")


# Text that is already the stored form of a value (what ``dbvalues`` would write), so with
# ``db_values`` it is kept as it is, without a round trip through Python: a decimal without
# sign, exponent, leading or trailing zeros ("12.5", not "12.50"), of at most MAX_DECIMAL_DIGITS
# characters (longer ones take the decimal branch, which counts digits), and an ISO date whose day
# exists in every month (01-28; other days take the date branch, which checks them).
_DECIMAL_TEXT = r"^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$"
_DATE_TEXT = r"^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])$"


def _db_text(spec: FieldSpec) -> cs.CoreSchema | None:
    if spec.type == "decimal" and (spec.min is None or spec.min <= 0) and spec.max is None:
        return cs.str_schema(strict=True, pattern=_DECIMAL_TEXT, max_length=MAX_DECIMAL_DIGITS)
    if spec.type == "date":
        return cs.str_schema(strict=True, pattern=_DATE_TEXT)
    return None


def field_schema(
    spec: FieldSpec, rules: LocaleRules, default: Any = NO_DEFAULT, shared: dict | None = None,
    db_values: bool = False,
) -> tuple[cs.CoreSchema, bool]:
    """(value schema, needs a value) for one field; ``default`` overrides the spec's default.

    ``shared``: a dict in which memoised converters are kept and reused (validators of one type
    that differ only in their parent value share the memo caches of their other fields).
    ``db_values``: the schema outputs the value as stored (``dbvalues.to_db_value``; booleans
    stay ``bool``, which SQLite stores as 0/1) instead of the Python value."""
    if default is NO_DEFAULT:
        default = spec.default
    needs_value = spec.required and default is NO_DEFAULT
    if default is NO_DEFAULT:
        default = None
    key = (spec.name, rules.locale, needs_value, _hashable(default))
    conv = shared.get(key) if shared is not None and key[3] is not None else None
    if conv is None:
        conv = converter(spec, rules, needs_value, default)
        if spec.type in _CACHED_TYPES:
            conv = cached(conv)
        if shared is not None and key[3] is not None:
            shared[key] = conv
    to_db = _TO_DB_AFTER.get(spec.type) if db_values else None

    def stored(schema: cs.CoreSchema) -> cs.CoreSchema:
        return schema if to_db is None else cs.no_info_after_validator_function(to_db, schema)

    fast = _fast(spec, rules)
    if spec.type == "decimal" and fast is not None and to_db is None:
        fast = cs.no_info_after_validator_function(check_decimal_digits, fast)
    if fast is None:
        # Python only: the converter also turns blanks into the default and checks bounds.
        schema = stored(cs.no_info_plain_validator_function(conv))
    else:
        inner = _constraints(spec)
        py = (cs.no_info_plain_validator_function(conv) if inner is None
              else cs.no_info_before_validator_function(conv, inner))
        choices: list[Any] = []
        text = _db_text(spec) if to_db is not None else None
        if text is not None:
            choices.append((text, "text"))  # its errors are never the ones reported (see field_error)
        if spec.type == "json" and to_db is not None:  # stored(fast), memoised: attribute cells recur
            # (a parse and a serialisation cost ~0.6 µs, a hit ~0.1; where cells do not recur it gives up)
            choices.append((cs.no_info_plain_validator_function(cached(_stored_json_text, give_up=True)), "fast"))
        else:
            choices.append((stored(fast), "fast"))
        if not needs_value:
            blank_value = to_db(default) if to_db is not None else default
            choices.append((cs.chain_schema([_BLANK, _constant(blank_value)]), "blank"))
        choices.append((stored(py), "py"))
        schema = cs.union_schema(choices, mode="left_to_right")
    if to_db is not None and default is not None:
        default = to_db(default)
    if not needs_value:
        if isinstance(default, (dict, list)):
            schema = cs.with_default_schema(schema, default_factory=lambda: copy.deepcopy(default))
        else:
            schema = cs.with_default_schema(schema, default=default)
    return schema, needs_value


def nested_stored_schema(spec: FieldSpec, rules: LocaleRules, default: Any = NO_DEFAULT,
                         shared: dict | None = None) -> cs.CoreSchema:
    """The stored form (``dbvalues.json_text``) of an object/map/list field's values as a JSON
    reader decoded them: ``field_schema``'s value, then ``db_converter``, in one function
    (``coerce.nested.nested_db_converter``), with the same defaults and errors."""
    if default is NO_DEFAULT:
        default = spec.default
    needs_value = spec.required and default is NO_DEFAULT
    if default is NO_DEFAULT:
        default = None
    key = ("stored", spec.name, rules.locale, needs_value, _hashable(default))
    conv = shared.get(key) if shared is not None and key[4] is not None else None
    if conv is None:
        conv = nested_db_converter(spec, rules, on_blank(needs_value, default))
        if shared is not None and key[4] is not None:
            shared[key] = conv
    schema = cs.no_info_plain_validator_function(conv)
    if not needs_value:
        to_db = db_converter(spec.type)
        schema = cs.with_default_schema(schema, default_factory=lambda: to_db(copy.deepcopy(default)))
    return schema


def _hashable(value: Any) -> Any:
    """A cache-key form of a default (type-tagged: 1 and True differ), None if unhashable."""
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value).__name__, value)


def field_validator(spec: FieldSpec, rules: LocaleRules | None = None) -> SchemaValidator:
    """A validator for one value of ``spec`` that must not be blank (defaults / parent checks)."""
    rules = rules or get_rules("en")
    schema, _ = field_schema(dataclasses.replace(spec, required=True, default=NO_DEFAULT), rules)
    return SchemaValidator(schema)


def _branch(err: dict[str, Any]) -> str | None:
    for part in err.get("loc") or ():
        if part in ("fast", "blank", "py"):
            return part
    return None


def field_error(spec: FieldSpec, rules: LocaleRules, errs: list[dict[str, Any]], value: Any) -> FieldError:
    """The one FieldError to report for a field, from pydantic's errors for it."""
    pick = (
        next((e for e in errs if _branch(e) == "py"), None)
        or next((e for e in errs if _branch(e) == "fast"), None)
        or next((e for e in errs if _branch(e) != "blank"), None)
        or errs[0]
    )
    etype = pick.get("type", "")
    if etype == "nested_error":  # inside an object/map/list: the path and the value found there
        ctx = pick.get("ctx") or {}
        return FieldError(ctx.get("path", spec.name), ctx.get("value"), ctx.get("code", "invalid"),
                          ctx.get("message", pick.get("msg", "")))
    if etype in _OWN_CODES:
        return FieldError(spec.name, value, etype, pick.get("msg", ""))
    code = messages.code_for_pydantic(spec, etype)
    return FieldError(spec.name, value, code, messages.message(spec, rules, code, pick.get("ctx")))
