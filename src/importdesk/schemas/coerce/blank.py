"""Blank input: what counts as blank, and what a converter gives (or raises) for it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from pydantic_core import PydanticCustomError

__all__ = ["is_blank", "on_blank"]


def is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def on_blank(required: bool, default: Any) -> Callable[[], Any]:
    """What a converter returns (or raises) for blank input."""
    if required:
        def blank() -> Any:
            raise PydanticCustomError("required", "is required")
    elif isinstance(default, (dict, list)):
        def blank() -> Any:
            return copy.deepcopy(default)
    else:
        def blank() -> Any:
            return default
    return blank
