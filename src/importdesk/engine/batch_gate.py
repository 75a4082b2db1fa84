"""A test hook: hold a running import right after its Nth committed batch, where a test decides what next.

Tests that stop, quit or kill an import mid-file use it instead of racing the import with a big file:

    IMPORTDESK_TEST_BATCH_GATE=N:SOCKET

where the test listens on the Unix socket SOCKET. A job runner that has committed its Nth batch (and
settled the batch writer, so the store holds exactly N batches) connects, sends one line
``<job uid> <checkpoint>``, and holds until the test writes to or closes the connection, or the job
is asked to stop (its cancel event). Nobody listening: the runner goes on. The variable is inherited,
so it reaches `importdesk run` and the app's child worker alike.

Unset (every production run) the cost is one environment lookup per job.
"""

from __future__ import annotations

import os
import select
import socket
import threading

ENV = "IMPORTDESK_TEST_BATCH_GATE"
STOP_CHECK = 0.02  # seconds between looks at the cancel event while held


class BatchGate:
    def __init__(self, after_batch: int, path: str) -> None:
        self.after_batch = after_batch
        self.path = path
        self.batches = 0

    @classmethod
    def from_environment(cls) -> BatchGate | None:
        value = os.environ.get(ENV)
        if not value:
            return None
        batch, _, path = value.partition(":")
        return cls(int(batch), path)

    def count_batch(self) -> bool:
        """One more batch committed: True when it is the one to hold after."""
        self.batches += 1
        return self.batches == self.after_batch

    def hold(self, uid: str, checkpoint: int, cancel: threading.Event) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            try:
                conn.connect(self.path)
                conn.sendall(f"{uid} {checkpoint}\n".encode())
            except OSError:  # nobody listens (any more): not held
                return
            while not cancel.is_set():
                readable, _, _ = select.select([conn], [], [], STOP_CHECK)
                if readable:
                    return
