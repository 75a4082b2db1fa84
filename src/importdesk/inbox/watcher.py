"""The watched inbox: files dropped into ``inbox/`` become import jobs, exactly once.

This module runs the threads: the scan loop (claims stable files), the file-event listener and the
import workers (a `JobLoop` each). watchfiles events only mean "look now"; a full rescan runs at
start and every ``rescan_interval`` seconds, so files that were there before, or whose events were
dropped, are never missed. A file is taken once its size, mtime and inode (and its sidecar's) stayed
unchanged for ``stability`` seconds. Which module does which step: README.md in this package.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
from collections.abc import Callable

from importdesk.engine import Engine, inbox_jobs
from importdesk.engine import inbox_claim as claims
from importdesk.engine.job_loop import JobLoop, inbox_resumes_it, thread_store
from importdesk.inbox.events import EventLog, InboxEvent, InboxEventKind
from importdesk.inbox.heartbeat import HEARTBEAT_EVERY, Heartbeat, new_token
from importdesk.inbox.naming import display
from importdesk.inbox.reconcile import Reconciler
from importdesk.inbox.recording import job_for_claimed
from importdesk.inbox.scan import Candidate, Stability, scan
from importdesk.inbox.status import InboxStatus
from importdesk.models import ImportJob, JobStatus

log = logging.getLogger(__name__)

EVENT_DEBOUNCE_MS = 50
IDLE_POLL = 0.25  # workers look for pending jobs from other processes this often when idle

__all__ = ["InboxEvent", "InboxEventKind", "InboxWatcher"]


class InboxWatcher:
    """Watch ``engine.workspace.inbox`` and turn stable files into jobs; optionally run them.

    ``workers``: import worker threads this watcher runs (0: only queue jobs, something else runs them —
    the app, or ``importdesk work``). Use ``start()``/``stop()``, or ``run(stop_event)`` to block.
    """

    def __init__(self, engine: Engine, *, stability: float = 1.0, rescan_interval: float = 5.0,
                 workers: int = 1, clock: Callable[[], float] = time.monotonic, use_events: bool = True,
                 on_event: Callable[[InboxEvent], None] | None = None, max_depth: int = 4):
        self.engine = engine
        self.ws = engine.workspace
        self.stability = stability
        self.rescan_interval = rescan_interval
        self.workers = workers
        self.clock = clock
        self.use_events = use_events
        self.on_event = on_event
        self.max_depth = max_depth
        self.token = new_token()
        self._stability = Stability(stability, clock)
        self._wake = threading.Event()
        self._jobs_ready = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._events = EventLog(self._on_event)
        self._heartbeat = Heartbeat(self.ws, self.token, rescan_interval)
        self._reconciler = Reconciler(engine, self.token, self._events, make_job=self.make_job,
                                      settle=self._settle, stopping=self._stop.is_set)
        self._waiting = 0
        self._watching = False
        self.stats = {"queued": 0, "duplicates": 0, "rejected": 0, "finished": 0, "scans": 0}

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Run in background threads (the scan loop, the event listener, the workers)."""
        self._stop.clear()
        self._spawn(self._loop_guarded, "inbox-scan")

    def stop(self, timeout: float = 5.0) -> None:
        """Ask every thread to stop (running jobs stop at their next batch boundary) and wait."""
        self._stop.set()
        self._wake.set()
        self._jobs_ready.set()
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = [t for t in self._threads if t.is_alive()]

    def run(self, stop_event: threading.Event | None = None) -> None:
        """Block until ``stop_event`` is set (or stop() is called), then shut down within ~5 s."""
        if stop_event is not None:
            def relay() -> None:
                while not self._stop.is_set():
                    if stop_event.wait(0.1):
                        self._stop.set()
                        self._wake.set()
                        self._jobs_ready.set()
                        return
            self._spawn(relay, "inbox-stop-relay")
        try:
            self._loop_guarded()
        finally:
            self.stop()

    @property
    def alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def _spawn(self, target, name: str) -> threading.Thread:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()
        return thread

    # ---- status ------------------------------------------------------------------------------
    def status(self) -> InboxStatus:
        """For the app header: the inbox (workspace-relative), watching or not, files waiting."""
        try:
            processing = sum(1 for n in os.listdir(self.ws.processing) if claims.UID_RE.match(n))
        except OSError:
            processing = 0
        return InboxStatus(inbox=self.ws.relative(self.ws.inbox), watching=self._watching,
                           waiting=self._waiting, processing=processing, notices=tuple(self._events.notices))

    # ---- the scan loop -----------------------------------------------------------------------
    def _loop_guarded(self) -> None:
        self._watching = True
        self._heartbeat.start()
        try:
            with thread_store(self.engine):
                self._startup()
                if self.use_events:
                    self._spawn(self._listen, "inbox-events")
                for i in range(self.workers):
                    self._spawn(self._work, f"inbox-worker-{i + 1}")
                self._loop()
        finally:
            self._watching = False
            self._heartbeat.stop()

    def _startup(self) -> None:
        try:
            self.engine.recover_stale()
            self.reconcile_processing(startup=True)
            resumed = inbox_jobs.resume_stopped_inbox_jobs(self.engine)
            for job in resumed:
                self._events.emit(InboxEventKind.QUEUED, f"job {job.short_uid} resumes {display(job.file_name)} "
                                                         f"after row {job.metadata.data_row_index}", job.uid)
            if resumed:
                self._jobs_ready.set()
        except Exception:
            log.exception("inbox: reconciling processing/ at start failed")

    def _loop(self) -> None:
        next_rescan = self.clock()
        next_reconcile = self.clock() + self.rescan_interval
        next_due: float | None = None
        while not self._stop.is_set():
            now = self.clock()
            woke = self._wake.is_set()
            self._wake.clear()
            if woke or now >= next_rescan or (next_due is not None and now >= next_due):
                try:
                    next_due = self.scan_once()
                except Exception:
                    log.exception("inbox: scan failed")
                    self._stop.wait(min(1.0, self.rescan_interval))
                if now >= next_rescan:
                    next_rescan = now + self.rescan_interval
            if self.clock() >= next_reconcile:
                try:
                    self.reconcile_processing()
                except Exception:
                    log.exception("inbox: reconciling processing/ failed")
                next_reconcile = self.clock() + self.rescan_interval
            self._heartbeat.beat()
            deadline = min(x for x in (next_rescan, next_due, next_reconcile) if x is not None)
            timeout = max(0.0, deadline - self.clock())
            self._wake.wait(min(timeout, HEARTBEAT_EVERY))

    def _listen(self) -> None:
        """watchfiles → wake the scan loop. Any failure falls back to the periodic rescans."""
        try:
            import watchfiles

            logging.getLogger("watchfiles").setLevel(logging.WARNING)  # "N changes detected" per batch

            for _changes in watchfiles.watch(self.ws.inbox, watch_filter=None, debounce=EVENT_DEBOUNCE_MS,
                                             step=50, stop_event=self._stop, recursive=True,
                                             raise_interrupt=False, ignore_permission_denied=True):
                self._wake.set()
        except Exception as exc:  # inotify limits, a vanished inbox…: rescans still find every file
            if not self._stop.is_set():
                log.warning("inbox: file events unavailable (%s); rescanning every %.1fs", exc,
                            self.rescan_interval)

    def scan_once(self) -> float | None:
        """One pass: look at the inbox, claim every stable file. Returns when to look again for the
        files that are not stable yet (clock time), or None."""
        self.ws.inbox.mkdir(exist_ok=True)
        result = scan(self.ws.inbox, self.max_depth)
        self.stats["scans"] += 1
        for odd in result.odd:
            self._events.report_once(odd.key, odd.kind, odd.ino, f"{display('inbox/' + odd.key)}: {odd.reason}")
        for folder, message in result.errors:
            self._events.report_once(folder, "unreadable-folder", 0,
                                     f"inbox/{display(folder)}: cannot list it ({message})")
        candidates = list(result.candidates.values())
        self._waiting = sum(1 for c in candidates if c.supported)
        stable, next_due = self._stability.update(candidates)
        stable.sort(key=lambda c: (c.mtime_ns, c.key))
        for cand in stable:
            if self._stop.is_set():
                break
            self._take(cand)
        self._waiting = max(0, self._waiting - sum(1 for c in stable if c.supported and not os.path.lexists(c.path)))
        return next_due

    # ---- taking one file ---------------------------------------------------------------------
    def _take(self, cand: Candidate) -> None:
        shown = display("inbox/" + cand.key)
        if cand.supported and cand.size > 0 and not os.access(cand.path, os.R_OK):
            if not os.path.lexists(cand.path):  # another watcher claimed it since the scan
                self._stability.forget(cand.key)
                return
            self._events.report_once(cand.key, "unreadable", cand.ino,
                                     f"{shown}: cannot read it (permissions); it is taken once it is readable")
            return
        uid = inbox_jobs.new_claim_uid(self.engine)
        try:
            claimed = claims.claim(self.ws.processing, uid, cand.path, cand.parts, owner=self.token,
                                   expected_ino=cand.ino, sidecar=cand.sidecar,
                                   claimed_at=inbox_jobs.claim_time(self.engine))
        except claims.ClaimLost:
            self._stability.forget(cand.key)
            return  # another watcher took it, or its writer removed it
        except OSError as exc:
            reason = ("the inbox is on another filesystem than processing/: files cannot be claimed atomically"
                      if exc.errno == errno.EXDEV else exc.strerror or str(exc))
            self._events.report_once(cand.key, "claim-failed", cand.ino, f"{shown}: cannot claim it ({reason})")
            return
        self._stability.forget(cand.key)
        self.make_job(claimed)

    def make_job(self, claimed: claims.Claimed) -> ImportJob | None:
        """Turn a claimed file into a pending job, a duplicate record or a rejection record."""
        shown = display("inbox/" + "/".join(claimed.parts))
        try:
            job = job_for_claimed(self.engine, claimed)
        except Exception as exc:  # the database is gone or busy beyond its timeout: keep the file
            log.exception("inbox: could not record a job for %s", shown)
            with contextlib.suppress(OSError):  # stays claimed; the next reconcile creates the job
                claims.restore(claimed, self.ws.inbox)
            self._events.emit(InboxEventKind.PROBLEM,
                              f"{shown}: could not record a job ({type(exc).__name__}: {exc}); will retry")
            return None
        claims.mark_recorded(claimed.folder)
        if job.status is JobStatus.PENDING:
            self.stats["queued"] += 1
            self._jobs_ready.set()
            self._events.emit(InboxEventKind.QUEUED, f"{shown} → job {job.short_uid} ({job.resource_type}, "
                                                     f"{job.job_type.value})", job.uid, shown)
            return job
        if job.status is JobStatus.CANCELED:
            self.stats["duplicates"] += 1
            kind, message = InboxEventKind.DUPLICATE, f"{shown}: {job.error_message}"
        else:
            self.stats["rejected"] += 1
            kind, message = InboxEventKind.REJECTED, job.error_message
        self._settle(job.uid)
        self._events.emit(kind, message or shown, job.uid, shown)
        return job

    # ---- processing/: reconcile with the database --------------------------------------------
    def reconcile_processing(self, startup: bool = False) -> None:
        """Every claim folder in processing/ against its job (inbox/reconcile.py)."""
        self._reconciler.reconcile(startup)

    def _settle(self, uid: str) -> None:
        try:
            inbox_jobs.settle_job(self.engine, uid)
        except OSError as exc:
            self._events.emit(InboxEventKind.PROBLEM, f"job {uid[-8:]}: could not move its file "
                                                      f"({exc.strerror or exc}); retrying at the next rescan", uid)

    # ---- workers -----------------------------------------------------------------------------
    def _work(self) -> None:
        """One import worker: runs pending jobs (ours and other processes') through a `JobLoop`; a job
        our stop interrupts is tagged so that the next watch service resumes it."""
        loop = JobLoop(self.engine, self._stop, on_stopped=inbox_resumes_it, on_problem=self._settle_problem)
        with thread_store(self.engine):
            while not self._stop.is_set():
                try:
                    job = loop.run_next()
                except Exception:
                    log.exception("inbox: worker failed")
                    self._stop.wait(1.0)
                    continue
                if job is None:
                    self._jobs_ready.wait(IDLE_POLL)
                    self._jobs_ready.clear()
                    continue
                self._finished(job)

    def _settle_problem(self, job: ImportJob, message: str) -> None:
        self._events.emit(InboxEventKind.PROBLEM, f"job {job.short_uid}: {message}", job.uid)

    def _finished(self, job: ImportJob) -> None:
        self.stats["finished"] += 1
        self._events.emit(InboxEventKind.FINISHED, f"job {job.short_uid} {display(job.file_name)}: "
                          f"{job.status.value}" + (f" — {job.error_message}" if job.error_message else ""), job.uid)

    def _on_event(self, event: InboxEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)
