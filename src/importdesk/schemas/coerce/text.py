"""Text-shaped values: plain text, enum choices, e-mail addresses, URLs and JSON text.

Text: stripped; XLSX numbers become text (12345.0 -> "12345"), dates ISO text. String
length/pattern constraints are checked by the pydantic-core schema the value goes on to.
Enum: exact choice, else a case-insensitive match gives the choice as written in the schema.
Email: email-validator's syntax rules (no DNS); the domain is lower-cased (its normalised form).
URL: an absolute http(s) address. JSON: a JSON text, or an already decoded dict/list/number/bool.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .failure import fail

if TYPE_CHECKING:
    from ..field_spec import FieldSpec
    from ..locale_rules import LocaleRules

__all__ = ["email_converter", "enum_converter", "json_converter", "string_converter", "text_of", "url_converter"]

_date = _dt.date
_datetime = _dt.datetime


def text_of(v: Any) -> str | None:
    """XLSX/JSON non-text values that have an obvious text form; None if there is none."""
    cls = v.__class__
    if cls is str:
        return v
    if cls is bool:
        return None
    if cls is int:
        return str(v)
    if cls is float:
        if not math.isfinite(v):
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    if cls is Decimal:
        return format(v, "f") if v.is_finite() else None
    if cls is _datetime or cls is _date:
        return v.isoformat()
    if isinstance(v, str):
        return str(v)
    return None


def string_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    def conv(v: Any) -> Any:
        if v.__class__ is str:
            s = v.strip()
            return s if s else blank()
        if v is None:
            return blank()
        s = text_of(v)
        if s is None:
            reason = "got a yes/no value" if isinstance(v, bool) else f"got {type(v).__name__}"
            raise fail(spec, rules, "invalid_string", reason=reason)
        return s.strip() or blank()

    return conv


def enum_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    exact = frozenset(spec.choices)
    folded = {c.casefold(): c for c in spec.choices}

    def conv(v: Any) -> Any:
        if v is None:
            return blank()
        s = text_of(v)
        if s is not None:
            s = s.strip()
            if not s:
                return blank()
            if s in exact:
                return s
            hit = folded.get(s.casefold())
            if hit is not None:
                return hit
        raise fail(spec, rules, "not_a_choice")

    return conv


def email_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    from email_validator import EmailNotValidError, validate_email  # on first use: ~100 ms (dns)

    def conv(v: Any) -> Any:
        if not isinstance(v, str):
            if v is None:
                return blank()
            raise fail(spec, rules, "invalid_email")
        s = v.strip()
        if not s:
            return blank()
        try:
            return validate_email(s, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            reason = str(exc).rstrip(".")
            reason = reason[:1].lower() + reason[1:]
            raise fail(spec, rules, "invalid_email", reason=reason) from None

    return conv


def json_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    def conv(v: Any) -> Any:
        if isinstance(v, str):
            s = v.strip()
            if not s:
                return blank()
            try:
                return json.loads(s)
            except ValueError as exc:
                msg = getattr(exc, "msg", str(exc))
                pos = getattr(exc, "pos", None)
                reason = f"{msg.lower()} at character {pos + 1}" if pos is not None else msg
                raise fail(spec, rules, "invalid_json", reason=reason) from None
        if v is None:
            return blank()
        if isinstance(v, Decimal) and v.is_finite():
            return v
        if isinstance(v, (dict, list, int, float)) and not (isinstance(v, float) and not math.isfinite(v)):
            return v
        raise fail(spec, rules, "invalid_json", reason=f"got {type(v).__name__}")

    return conv


_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?::\d+)?(?:[/?#]\S*)?$|^https?://localhost(?::\d+)?(?:[/?#]\S*)?$",
                  re.IGNORECASE)


def url_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    """An absolute http(s) address (an image, a page); surrounding spaces removed."""
    text = string_converter(spec, rules, blank)

    def conv(v: Any) -> Any:
        if v is None or (isinstance(v, str) and not v.strip()):
            return blank()  # (a required one raises: as an item of a list, a url is required)
        s = text(v)
        if not _URL.match(s):
            raise fail(spec, rules, "invalid_url")
        return s

    return conv
