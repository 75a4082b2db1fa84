"""Store work away from the event loop: a read awaited from a thread of the default executor, its
thread's store connection closed after it (the engine opens one connection per thread, on first use)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from importdesk.engine import Engine
from importdesk.engine.job_loop import thread_store

T = TypeVar("T")


def in_thread(engine: Engine, work: Callable[[Engine], T]) -> T:
    """`work(engine)` in the calling (worker) thread, this thread's store connection closed after."""
    with thread_store(engine):
        return work(engine)


async def off_loop(engine: Engine, read: Callable[[Engine], T]) -> T:
    """`read(engine)` in a thread, awaited: the event loop goes on drawing meanwhile."""
    return await asyncio.to_thread(in_thread, engine, read)
