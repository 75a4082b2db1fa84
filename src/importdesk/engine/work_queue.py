"""A worker that serves the queue: runs jobs as they come, and waits while none can be claimed.

What `importdesk work` does by default (its `--once` drains instead). One worker of N, started by
a service manager, stays up: when nothing is claimable it waits for the store to say that the jobs
changed (on PostgreSQL a LISTEN/NOTIFY listener answers without a query; on SQLite the file's data
version) and claims again; it also tries a claim every ``IDLE_CLAIM_SECONDS`` however quiet the
store is, because a dead worker's lease runs out without anything being written.

Stopping it (``stop`` set: SIGTERM, Ctrl-C) ends the job in flight after the batch it is writing
and hands that job back to the queue at its checkpoint (``hand_back``), so another worker goes on
with it: stopping one worker of a fleet loses no work and needs no `resume`.

A store that goes away (PostgreSQL restarting, a connection cut) does not end the worker: the job
it was running ends `interrupted` at its last committed batch (or, when even that cannot be
written, stays with its lease, which runs out), the worker says so and tries the store again every
``RETRY_SECONDS``; once it answers, the interrupted job goes back to the queue and work goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from importdesk.engine.job_failures import ended_by_lost_connection
from importdesk.engine.job_loop import JobLoop
from importdesk.engine.service import Engine
from importdesk.models import ImportJob
from importdesk.store.backends import StoreUnavailable

log = logging.getLogger(__name__)

IDLE_CLAIM_SECONDS = 2.0  # while idle, a claim at least this often (a lease that ran out is claimable)
LOOK_SECONDS = 0.25  # while idle, how often the store's version is looked at (no query on PostgreSQL)
RETRY_SECONDS = 5.0  # while the store cannot be used, how often it is tried again


def hand_back(engine: Engine, job: ImportJob) -> bool:
    """``on_stopped`` of a serving worker: the job it stopped is pending again, from its checkpoint."""
    engine.resume(job.uid)
    return True


def serve(loop: JobLoop, *, say: Callable[[str], None] = log.warning, idle_claim: float = IDLE_CLAIM_SECONDS,
          look: float = LOOK_SECONDS, retry: float = RETRY_SECONDS) -> Iterator[ImportJob]:
    """Each job this worker ran, as it ends, until ``loop.stop`` is set. ``say`` hears about the store
    going away and coming back."""
    engine, stop = loop.engine, loop.stop
    to_hand_back: list[str] = []  # jobs a lost connection interrupted, back to the queue once it answers
    unavailable = False
    while not stop.is_set():
        try:
            version = engine.data_version()  # before the claim: a job queued after it moves the version
            if unavailable:
                say("the store answers again")
                unavailable = False
            while to_hand_back:
                engine.resume(to_hand_back[0])
                say(f"job {to_hand_back.pop(0)} is queued again from its last committed row")
            job = loop.run_next()
        except StoreUnavailable as exc:
            if not unavailable:
                say(f"{exc}; trying again every {retry:g} s")
            unavailable = True
            stop.wait(retry)
            continue
        if job is not None:
            if ended_by_lost_connection(job):
                to_hand_back.append(job.uid)
            yield job
            continue
        deadline = time.monotonic() + idle_claim
        while not stop.wait(look) and time.monotonic() < deadline:
            try:
                if engine.data_version() != version:
                    break
            except StoreUnavailable:
                break  # the claim says so
