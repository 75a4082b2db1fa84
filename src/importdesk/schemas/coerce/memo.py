"""Memoised converters: values repeat a lot in import files, and a dict hit costs ~0.1 µs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CACHE_SIZE", "cached"]

CACHE_SIZE = 4096
_MISS = object()


def cached(conv: Callable[[Any], Any], size: int = CACHE_SIZE) -> Callable[[Any], Any]:
    """Memoise ``conv`` for ``str`` input (results must be immutable; errors are not kept).

    The cache is emptied when it reaches ``size`` entries: cheap, bounded, and a file's
    recurring values are back in it after a few rows."""
    cache: dict[str, Any] = {}
    get = cache.get

    def conv_cached(v: Any) -> Any:
        if v.__class__ is str:
            r = get(v, _MISS)
            if r is not _MISS:
                return r
            r = conv(v)
            if len(cache) >= size:
                cache.clear()
            cache[v] = r
            return r
        return conv(v)

    conv_cached.__wrapped__ = conv  # type: ignore[attr-defined]
    return conv_cached
