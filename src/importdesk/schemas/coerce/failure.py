"""The error a converter raises: one of ``errors.CODES`` with its final plain-words message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import PydanticCustomError

from .. import messages

if TYPE_CHECKING:
    from ..field_spec import FieldSpec
    from ..locale_rules import LocaleRules

__all__ = ["fail"]


def fail(spec: FieldSpec, rules: LocaleRules | None, code: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(code, messages.message(spec, rules, code, ctx))
