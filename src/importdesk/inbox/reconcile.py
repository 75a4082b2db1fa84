"""processing/ against the store: every claim folder ends where its job says, after a crash too.

Final job → its folder moves to archive/ or failed/; no job and its claimer gone (or it is ours) →
the job is created now; a recorded claim without a job (the user deleted it) → the file is kept in
``archive/deleted-jobs/``; a claim folder without its file (a crash before the rename) → removed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable

from importdesk.engine import Engine, inbox_jobs
from importdesk.engine import inbox_claim as claims
from importdesk.inbox.events import EventLog, InboxEventKind
from importdesk.inbox.heartbeat import owner_alive
from importdesk.inbox.naming import display

log = logging.getLogger("importdesk.inbox.watcher")


class Reconciler:
    """``make_job`` records a recovered claim; ``settle`` moves a final job's folder on; ``stopping``
    ends a periodic pass early (a pass at start always runs to its end)."""

    def __init__(self, engine: Engine, token: str, events: EventLog, *, make_job: Callable[[claims.Claimed], object],
                 settle: Callable[[str], None], stopping: Callable[[], bool]) -> None:
        self.engine = engine
        self.ws = engine.workspace
        self.token = token
        self.events = events
        self.make_job = make_job
        self.settle = settle
        self.stopping = stopping

    def reconcile(self, startup: bool = False) -> None:
        try:
            names = [n for n in os.listdir(self.ws.processing) if claims.UID_RE.match(n)]
        except FileNotFoundError:
            return
        jobs = inbox_jobs.jobs_for_claims(self.engine, names) if names else {}
        for uid in names:
            if self.stopping() and not startup:
                return
            job = jobs.get(uid)
            if job is None:
                self._without_job(uid)
            elif job.status.is_final:
                self.settle(uid)
        if startup:
            self.repair_moved()

    def _without_job(self, uid: str) -> None:
        folder = self.ws.processing / uid
        note = claims.read_note(folder)
        owner = (note or {}).get("owner") or ""
        recorded = bool(note and note.get("recorded"))
        if not recorded and owner != self.token and owner_alive(owner):
            return  # another live watcher is claiming it right now
        if inbox_jobs.jobs_for_claims(self.engine, [uid]):
            return  # recorded since the listing
        data = claims.data_file(folder)
        if data is None:
            if not recorded:  # crash before the rename: the file is still in the inbox
                shutil.rmtree(folder, ignore_errors=True)
            return
        if recorded:  # the job was recorded, then deleted by the user: keep the file, never re-import it
            target = self.ws.archive / "deleted-jobs"
            target.mkdir(parents=True, exist_ok=True)
            try:
                os.rename(folder, target / uid)
            except OSError:
                return
            self.events.emit(InboxEventKind.NOTICE, f"{display(data.name)}: its job {uid[-8:]} was deleted; "
                                                    f"file kept in archive/deleted-jobs/{uid}/")
            return
        parts = tuple(note["source"]) if note and note.get("source") else (data.name,)
        sidecar = data.with_name(data.name + ".toml")
        recovered = claims.Claimed(uid, folder, data, parts, sidecar if sidecar.exists() else None)
        if note is not None:
            claims.write_note(folder, {**note, "owner": self.token})
        log.info("inbox: recovering claimed file %s (job %s was never recorded)", display(data.name), uid)
        self.make_job(recovered)

    def repair_moved(self) -> None:
        """A crash between a move and its commit: the job points into processing/, its folder moved on."""
        folders = [self.ws.archive, self.ws.failed, self.ws.archive / "duplicates"]
        for job in inbox_jobs.jobs_kept_in_processing(self.engine):
            with contextlib.suppress(OSError):
                inbox_jobs.repair_kept_path(self.engine, job, folders)
