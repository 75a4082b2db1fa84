"""Memoised converters: values repeat a lot in import files, and a dict hit costs ~0.1 µs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CACHE_SIZE", "cached"]

CACHE_SIZE = 4096
_MISS = object()


def cached(conv: Callable[[Any], Any], size: int = CACHE_SIZE, give_up: bool = False) -> Callable[[Any], Any]:
    """Memoise ``conv`` for ``str`` input (results must be immutable; errors are not kept).

    The cache is emptied when it reaches ``size`` entries: cheap, bounded, and a file's
    recurring values are back in it after a few rows. ``give_up``: when it fills with fewer
    hits than entries (values that rarely recur), it stops memoising (for a ``conv`` whose
    misses cost more than they save: a JSON cell's parse and serialisation)."""
    cache: dict[str, Any] = {}
    get = cache.get
    hits = 0
    memoising = True

    def conv_cached(v: Any) -> Any:
        nonlocal hits, memoising
        if v.__class__ is str and memoising:
            r = get(v, _MISS)
            if r is not _MISS:
                hits += 1
                return r
            r = conv(v)
            if len(cache) >= size:
                memoising = not give_up or hits >= size
                hits = 0
                cache.clear()
            cache[v] = r
            return r
        return conv(v)

    conv_cached.__wrapped__ = conv  # type: ignore[attr-defined]
    return conv_cached
