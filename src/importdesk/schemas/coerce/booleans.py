"""Yes/no values: true/false yes/no y/n 1/0 on/off t/f, plus the locale language's words (de
ja/nein/wahr/falsch, fr oui/non/vrai/faux, ...), case-insensitive; ``bool``; numbers 0/1."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .failure import fail

if TYPE_CHECKING:
    from ..field_spec import FieldSpec
    from ..locale_rules import LocaleRules

__all__ = ["boolean_converter"]


def boolean_converter(spec: FieldSpec, rules: LocaleRules, blank: Callable[[], Any]) -> Callable[[Any], Any]:
    true_words = rules.true_words
    false_words = rules.false_words

    def conv(v: Any) -> Any:
        cls = v.__class__
        if cls is bool:
            return v
        if cls is str or isinstance(v, str):
            s = v.strip().casefold()
            if not s:
                return blank()
            if s in true_words:
                return True
            if s in false_words:
                return False
        elif v is None:
            return blank()
        elif cls in (int, float, Decimal) and v in (0, 1):
            return bool(v)
        raise fail(spec, rules, "invalid_boolean")

    return conv
