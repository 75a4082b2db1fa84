"""A queue worker for the PostgreSQL tests and bench (run as a script): runs jobs from the store
named by $IMPORTDESK_STORE until no job is left pending or processing, writing one line per job
it finished ("<uid> <status>") to the log file it is given.

    python pg_queue_worker.py WORKSPACE LOG
"""

from __future__ import annotations

import sys
import time

from importdesk.engine import Engine
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

IDLE_LOOK = 0.05  # seconds between looks while another worker's job may still come back


def main(workspace: str, log_path: str) -> None:
    engine = Engine(Workspace.open(workspace))
    with open(log_path, "a", encoding="utf-8") as log:
        while True:
            job = engine.run_next()
            if job is not None:
                log.write(f"{job.uid} {job.status.value}\n")
                log.flush()
                continue
            counts = engine.status_counts()
            # a dead worker's job is claimable again once its lease has run out: wait for it
            if not counts.get(JobStatus.PENDING) and not counts.get(JobStatus.PROCESSING):
                break
            time.sleep(IDLE_LOOK)
    engine.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
