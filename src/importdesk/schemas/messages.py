"""Plain-words messages for rejected values, and pydantic error types -> our error codes.

Messages are written to follow the field name: "price" + " must be a number ≥ 0".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .locale_rules import LocaleRules
    from .spec import FieldSpec

__all__ = ["code_for_pydantic", "message"]

# pydantic-core error types that mean a constraint (not a parse failure).
_CONSTRAINTS = {
    "missing": "required",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "string_pattern_mismatch": "pattern_mismatch",
    "greater_than_equal": "too_small",
    "greater_than": "too_small",
    "less_than_equal": "too_large",
    "less_than": "too_large",
    "int_from_float": "not_an_integer",
    "literal_error": "not_a_choice",
    "json_invalid": "invalid_json",
    "decimal_max_digits": "too_many_digits",
    "decimal_whole_digits": "too_many_digits",
}

# Any other pydantic error on a field of this type: the value could not be read as the type.
_PARSE_FAILURE = {
    "string": "invalid_string",
    "integer": "not_a_number",
    "decimal": "not_a_number",
    "float": "not_a_number",
    "boolean": "invalid_boolean",
    "date": "invalid_date",
    "datetime": "invalid_datetime",
    "email": "invalid_email",
    "enum": "not_a_choice",
    "json": "invalid_json",
    "url": "invalid_url",
    "minor_units": "not_a_number",
}


def code_for_pydantic(spec: FieldSpec, error_type: str) -> str:
    code = _CONSTRAINTS.get(error_type)
    if code == "pattern_mismatch" and spec.type == "email":
        return "invalid_email"
    return code or _PARSE_FAILURE.get(spec.type, "invalid")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _num(v: Any) -> str:
    if v is None:
        return "?"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _number_kind(spec: FieldSpec) -> str:
    if spec.type == "minor_units":
        return "a whole number of minor units (cents)"
    return "a whole number" if spec.type == "integer" else "a number"


def bounds_message(spec: FieldSpec, code: str, ctx: dict[str, Any] | None = None) -> str:
    """ "must be a number ≥ 0", "must be a whole number between 1 and 12" ... """
    ctx = ctx or {}
    kind = _number_kind(spec)
    if spec.min is not None and spec.max is not None:
        return f"must be {kind} between {_num(spec.min)} and {_num(spec.max)}"
    if code == "too_small":
        lo = spec.min if spec.min is not None else ctx.get("ge", ctx.get("gt"))
        if spec.type == "minor_units" and lo == 0:
            return f"must be {kind}, not negative"
        return f"must be {kind} ≥ {_num(lo)}"
    hi = spec.max if spec.max is not None else ctx.get("le", ctx.get("lt"))
    return f"must be {kind} ≤ {_num(hi)}"


def message(spec: FieldSpec, rules: LocaleRules | None, code: str, ctx: dict[str, Any] | None = None) -> str:
    """The message for ``code`` on field ``spec`` (``rules``: the job's locale, for format hints)."""
    ctx = ctx or {}
    if code == "required":
        return "is required"
    if code == "too_short":
        n = spec.min_length or ctx.get("min_length") or 1
        return f"must be at least {_plural(n, 'character')}"
    if code == "too_long":
        n = spec.max_length or ctx.get("max_length")
        return f"must be at most {_plural(n, 'character')}"
    if code == "pattern_mismatch":
        if spec.pattern_message:
            return spec.pattern_message
        return f"does not have the expected form (pattern {spec.pattern})"
    if code in ("too_small", "too_large"):
        return bounds_message(spec, code, ctx)
    if code == "too_many_digits":
        n = ctx.get("max_digits") or ctx.get("whole_digits")
        return f"has too many digits: a decimal has at most {n} digits written out"
    if code == "not_an_integer":
        return "must be a whole number"
    if code == "not_a_number":
        kind = _number_kind(spec)
        if rules is None:
            return f"is not {kind}"
        return f"is not {kind} in the {rules.locale} format (e.g. {rules.number_example})"
    if code == "ambiguous_number":
        assert rules is not None
        group = rules.group.replace("\u202f", "narrow space").replace("\u00a0", "space")
        return (
            f"is ambiguous in the {rules.locale} format: '{group}' only separates thousands "
            f"(groups of three digits) and '{rules.decimal}' marks decimals (e.g. {rules.number_example})"
        )
    if code == "invalid_boolean":
        hint = rules.boolean_hint if rules else "true/false, yes/no, 1/0"
        return f"is not a yes/no value (expected {hint})"
    if code == "invalid_date":
        hint = rules.date_hint if rules else "YYYY-MM-DD"
        reason = ctx.get("reason")
        return f"is not a valid date ({reason + '; ' if reason else ''}expected {hint})"
    if code == "invalid_datetime":
        hint = rules.date_hint if rules else "YYYY-MM-DD"
        return f"is not a valid date and time (expected {hint}, optionally followed by HH:MM[:SS])"
    if code == "invalid_email":
        reason = ctx.get("reason")
        return f"is not a valid e-mail address{f' ({reason})' if reason else ''}"
    if code == "not_a_choice":
        return f"must be one of: {', '.join(spec.choices)}"
    if code == "invalid_json":
        reason = ctx.get("reason")
        return f"is not valid JSON{f' ({reason})' if reason else ''}"
    if code == "invalid_url":
        return "is not a web address (expected https://… or http://…)"
    if code == "invalid_string":
        reason = ctx.get("reason")
        return f"must be text{f' ({reason})' if reason else ''}"
    return f"is not a valid {spec.type}"
