"""Write to ``<name>.part`` next to the target and rename at the end: a reader never sees half a file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

FORMATS = ("csv", "xlsx", "jsonl")


def check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    f = (fmt or "").lower().lstrip(".")
    if f not in allowed:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(allowed)}")
    return f


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yields the temporary path to write; renames it to ``path`` when the block ends without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class Progress:
    """Calls ``callback(n)`` every ``every`` rows, and once more at the end with the final count."""

    __slots__ = ("callback", "every", "last", "next_at")

    def __init__(self, callback, every: int):
        if every < 1:
            raise ValueError("every must be at least 1")
        self.callback = callback
        self.every = every
        self.next_at = every if callback else -1
        self.last = 0

    def tick(self, n: int) -> None:
        if n == self.next_at:
            self.callback(n)
            self.last = n
            self.next_at += self.every

    def done(self, n: int) -> None:
        if self.callback and n != self.last:
            self.callback(n)
