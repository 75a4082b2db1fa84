"""The engine's clock, for a face that shows times against the same "now" as the jobs it runs (a
test's fixed clock included)."""

from __future__ import annotations

from importdesk.engine.clock import Clock
from importdesk.engine.service import Engine


def clock_of(engine: Engine) -> Clock:
    return engine.ctx.clock
