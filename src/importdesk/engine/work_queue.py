"""A worker that serves the queue: runs jobs as they come, and waits while none can be claimed.

What `importdesk work` does by default (its `--once` drains instead). One worker of N, started by
a service manager, stays up: when nothing is claimable it waits for the store to say that the jobs
changed (on PostgreSQL a LISTEN/NOTIFY listener answers without a query; on SQLite the file's data
version) and claims again; it also tries a claim every ``IDLE_CLAIM_SECONDS`` however quiet the
store is, because a dead worker's lease runs out without anything being written.

Stopping it (``stop`` set: SIGTERM, Ctrl-C) ends the job in flight after the batch it is writing
and hands that job back to the queue at its checkpoint (``hand_back``), so another worker goes on
with it: stopping one worker of a fleet loses no work and needs no `resume`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from importdesk.engine.job_loop import JobLoop
from importdesk.engine.service import Engine
from importdesk.models import ImportJob

IDLE_CLAIM_SECONDS = 2.0  # while idle, a claim at least this often (a lease that ran out is claimable)
LOOK_SECONDS = 0.25  # while idle, how often the store's version is looked at (no query on PostgreSQL)


def hand_back(engine: Engine, job: ImportJob) -> bool:
    """``on_stopped`` of a serving worker: the job it stopped is pending again, from its checkpoint."""
    engine.resume(job.uid)
    return True


def serve(loop: JobLoop, *, idle_claim: float = IDLE_CLAIM_SECONDS, look: float = LOOK_SECONDS) -> Iterator[ImportJob]:
    """Each job this worker ran, as it ends, until ``loop.stop`` is set."""
    engine, stop = loop.engine, loop.stop
    while not stop.is_set():
        version = engine.data_version()  # before the claim: a job queued after it moves the version
        job = loop.run_next()
        if job is not None:
            yield job
            continue
        deadline = time.monotonic() + idle_claim
        while not stop.wait(look) and time.monotonic() < deadline:
            if engine.data_version() != version:
                break
