"""The watched inbox: files dropped into ``inbox/`` become import jobs, exactly once.

watchfiles events only mean "look now"; a full rescan runs at start and every ``rescan_interval``
seconds, so files that were there before, or whose events were dropped, are never missed. A file is
taken once its size, mtime and inode (and its sidecar's) stayed unchanged for ``stability`` seconds.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from importdesk.engine import MIXED, Engine, ImportOptions, UsageError, inbox_jobs
from importdesk.engine.errors import ReaderError
from importdesk.engine.worker_identity import is_gone
from importdesk.inbox import claim as claims
from importdesk.inbox.naming import SUPPORTED, display, extension, type_from_folder, type_from_name
from importdesk.inbox.options import InboxOptions, OptionsError, options_for
from importdesk.inbox.scan import Candidate, Stability, scan
from importdesk.inbox.status import WATCHERS_DIR, InboxStatus
from importdesk.models import ImportJob, JobStatus

log = logging.getLogger(__name__)

EVENT_DEBOUNCE_MS = 50
IDLE_POLL = 0.25  # workers look for pending jobs from other processes this often when idle
HEARTBEAT_EVERY = 1.0
MAX_NOTICES = 50


@dataclass(frozen=True)
class InboxEvent:
    """What the watcher did, for a log line or a toast. ``kind``: queued, duplicate, rejected, notice,
    finished, problem."""

    kind: str
    message: str
    job_uid: str | None = None
    path: str | None = None  # inbox-relative, escaped for display


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
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stability = Stability(stability, clock)
        self._wake = threading.Event()
        self._jobs_ready = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._reported: set[tuple[str, str, int]] = set()
        self._notices: deque[str] = deque(maxlen=MAX_NOTICES)
        self._waiting = 0
        self._watching = False
        self._heartbeat_file: Path | None = None
        self._last_heartbeat = 0.0
        self._lock = threading.Lock()
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
                           waiting=self._waiting, processing=processing, notices=tuple(self._notices))

    # ---- the scan loop -----------------------------------------------------------------------
    def _loop_guarded(self) -> None:
        self._watching = True
        _LIVE_TOKENS.add(self.token)
        try:
            self._startup()
            if self.use_events:
                self._spawn(self._listen, "inbox-events")
            for i in range(self.workers):
                self._spawn(self._work, f"inbox-worker-{i + 1}")
            self._loop()
        finally:
            self._watching = False
            _LIVE_TOKENS.discard(self.token)
            self._remove_heartbeat()
            self.engine.ctx.db.close()

    def _startup(self) -> None:
        self._write_heartbeat()
        try:
            self.engine.recover_stale()
            self.reconcile_processing(startup=True)
            resumed = inbox_jobs.resume_stopped_inbox_jobs(self.engine)
            for job in resumed:
                self._emit("queued", f"job {job.short_uid} resumes {display(job.file_name)} "
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
            self._maybe_heartbeat()
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
            self._report_once(odd.key, odd.kind, odd.ino, f"{display('inbox/' + odd.key)}: {odd.reason}")
        for folder, message in result.errors:
            self._report_once(folder, "unreadable-folder", 0, f"inbox/{display(folder)}: cannot list it ({message})")
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
            self._report_once(cand.key, "unreadable", cand.ino,
                              f"{shown}: cannot read it (permissions); it is taken once it is readable")
            return
        uid = self.engine.ctx.new_uid()
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
            self._report_once(cand.key, "claim-failed", cand.ino, f"{shown}: cannot claim it ({reason})")
            return
        self._stability.forget(cand.key)
        self.make_job(claimed)

    def make_job(self, claimed: claims.Claimed) -> ImportJob | None:
        """Turn a claimed file into a pending job, a duplicate record or a rejection record."""
        shown = display("inbox/" + "/".join(claimed.parts))
        name = display(claimed.original_name)
        try:
            job = self._job_for(claimed, name)
        except Exception as exc:  # the database is gone or busy beyond its timeout: keep the file
            log.exception("inbox: could not record a job for %s", shown)
            with contextlib.suppress(OSError):  # stays claimed; the next reconcile creates the job
                claims.restore(claimed, self.ws.inbox)
            self._emit("problem", f"{shown}: could not record a job ({type(exc).__name__}: {exc}); will retry")
            return None
        claims.mark_recorded(claimed.folder)
        if job.status is JobStatus.PENDING:
            self.stats["queued"] += 1
            self._jobs_ready.set()
            self._emit("queued", f"{shown} → job {job.short_uid} ({job.resource_type}, {job.job_type.value})",
                       job.uid, shown)
        else:
            if job.status is JobStatus.CANCELED:
                self.stats["duplicates"] += 1
                kind = "duplicate"
            else:
                self.stats["rejected"] += 1
                kind = "rejected"
            self._settle(job.uid)
            message = job.error_message if kind == "rejected" else f"{shown}: {job.error_message}"
            self._emit(kind, message or shown, job.uid, shown)
        return job

    def _job_for(self, claimed: claims.Claimed, name: str) -> ImportJob:
        engine = self.engine
        uid = claimed.uid

        def reject(reason: str, options: ImportOptions | None = None, sha: str | None = None) -> ImportJob:
            return inbox_jobs.record_rejected(engine, name, reason, uid=uid, kept=claimed.file, options=options,
                                              sha256=sha)

        try:
            opts = options_for(self.ws.inbox, claimed.parts, claimed.sidecar)
        except OptionsError as exc:
            return reject(f"options: {exc}")
        ext = extension(claimed.original_name)
        if ext not in SUPPORTED:
            what = f"unsupported file type {display(ext)!r}" if ext else "no file extension"
            return reject(f"{what} (expected {', '.join(SUPPORTED)}); moved to failed/{uid}/", opts.import_options())
        try:
            size = claimed.file.stat().st_size
        except OSError as exc:
            return reject(f"cannot read it ({exc.strerror or exc})", opts.import_options())
        if size == 0:
            return reject(f"empty file (0 bytes); moved to failed/{uid}/", opts.import_options())
        resource_type, how = self._resolve_type(claimed, opts)
        if resource_type is None:
            return reject(f"cannot tell the resource type ({how}); put it in a folder named after the type "
                          f"(inbox/<type>/), start its name with the type, or give `type` in a sidecar "
                          f"{name}.toml — types: {', '.join(engine.registry.names())}; moved to failed/{uid}/",
                          opts.import_options())
        options = opts.import_options(resource_type)
        try:
            return inbox_jobs.create_claimed_job(engine, claimed.file, name, options, uid=uid, force=opts.force)
        except UsageError as exc:
            return reject(f"{exc}; moved to failed/{uid}/", options)
        except OSError as exc:
            return reject(f"cannot read it ({exc.strerror or exc}); moved to failed/{uid}/", options)

    def _resolve_type(self, claimed: claims.Claimed, opts: InboxOptions) -> tuple[str | None, str]:
        names = self.engine.registry.names()
        if opts.resource_type:
            return opts.resource_type, "options"
        if len(claimed.parts) > 1:
            found = type_from_folder(claimed.parts[0], names)
            if found:
                return found, "folder"
        found = type_from_name(claimed.original_name, names)
        if found:
            return found, "name"
        o = opts.import_options()
        try:
            found = self.engine.suggest_type(claimed.file, fmt=o.format, sheet=o.sheet, encoding=o.encoding,
                                             delimiter=o.delimiter)
        except ReaderError as exc:
            return None, f"the file cannot be read: {exc}"
        except OSError as exc:
            return None, f"the file cannot be read: {exc.strerror or exc}"
        if found:
            return found, "headers" if found != MIXED else "typed lines"
        return None, "neither folder, name nor headers match one type"

    # ---- processing/: reconcile with the database --------------------------------------------
    def reconcile_processing(self, startup: bool = False) -> None:
        """Every claim folder in processing/ against its job: final → archive/failed now; no job and
        its claimer gone (or it is ours) → create the job; pending/interrupted → left to run/resume."""
        try:
            names = [n for n in os.listdir(self.ws.processing) if claims.UID_RE.match(n)]
        except FileNotFoundError:
            return
        if not names:
            if startup:
                self._repair_moved()
            return
        jobs = inbox_jobs.jobs_for_claims(self.engine, names)
        for uid in names:
            if self._stop.is_set() and not startup:
                return
            folder = self.ws.processing / uid
            job = jobs.get(uid)
            if job is not None:
                if job.status.is_final:
                    self._settle(uid)
                continue
            note = claims.read_note(folder)
            owner = (note or {}).get("owner") or ""
            recorded = bool(note and note.get("recorded"))
            if not recorded and owner != self.token and _owner_alive(owner):
                continue  # another live watcher is claiming it right now
            if inbox_jobs.jobs_for_claims(self.engine, [uid]):
                continue  # recorded since the listing above
            data = claims.data_file(folder)
            if data is None:
                if not recorded:
                    # crash before the rename: the file is still in the inbox
                    import shutil

                    shutil.rmtree(folder, ignore_errors=True)
                continue
            if recorded:
                # the job was recorded, then deleted by the user: keep the file, never re-import it
                target = self.ws.archive / "deleted-jobs"
                target.mkdir(parents=True, exist_ok=True)
                try:
                    os.rename(folder, target / uid)
                except OSError:
                    continue
                self._emit("notice", f"{display(data.name)}: its job {uid[-8:]} was deleted; file kept in "
                                     f"archive/deleted-jobs/{uid}/")
                continue
            parts = tuple(note["source"]) if note and note.get("source") else (data.name,)
            sidecar = data.with_name(data.name + ".toml")
            recovered = claims.Claimed(uid, folder, data, parts, sidecar if sidecar.exists() else None)
            if note is not None:
                claims.write_note(folder, {**note, "owner": self.token})
            log.info("inbox: recovering claimed file %s (job %s was never recorded)", display(data.name), uid)
            self.make_job(recovered)
        if startup:
            self._repair_moved()

    def _repair_moved(self) -> None:
        """A crash between a move and its commit: the job points into processing/, its folder moved on."""
        folders = [self.ws.archive, self.ws.failed, self.ws.archive / "duplicates"]
        for job in inbox_jobs.jobs_kept_in_processing(self.engine):
            with contextlib.suppress(OSError):
                inbox_jobs.repair_kept_path(self.engine, job, folders)

    def _settle(self, uid: str) -> None:
        try:
            inbox_jobs.settle_job(self.engine, uid)
        except OSError as exc:
            self._emit("problem", f"job {uid[-8:]}: could not move its file ({exc.strerror or exc}); "
                                  f"retrying at the next rescan", uid)

    # ---- workers -----------------------------------------------------------------------------
    def _work(self) -> None:
        engine = self.engine
        try:
            while not self._stop.is_set():
                try:
                    job = engine.run_next(cancel=self._stop)
                except Exception:
                    log.exception("inbox: worker failed")
                    self._stop.wait(1.0)
                    continue
                if job is None:
                    self._jobs_ready.wait(IDLE_POLL)
                    self._jobs_ready.clear()
                    continue
                self.after_run(job, stopping=self._stop.is_set())
        finally:
            engine.ctx.db.close()

    def after_run(self, job: ImportJob, *, stopping: bool = False) -> None:
        """After a job's run returned: archive its file if final; tag our own shutdown's interrupt."""
        if job.status is JobStatus.INTERRUPTED and stopping and (job.provider_data.kept_path or "").startswith(
                "processing/"):
            try:
                inbox_jobs.mark_shutdown_interrupt(self.engine, job)
            except Exception:
                log.exception("inbox: could not tag job %s for resuming", job.uid)
        if job.status.is_final:
            self._settle(job.uid)
        self.stats["finished"] += 1
        self._emit("finished", f"job {job.short_uid} {display(job.file_name)}: {job.status.value}"
                               + (f" — {job.error_message}" if job.error_message else ""), job.uid)

    # ---- reporting ---------------------------------------------------------------------------
    def _report_once(self, key: str, kind: str, ino: int, message: str) -> None:
        marker = (key, kind, ino)
        with self._lock:
            if marker in self._reported:
                return
            self._reported.add(marker)
        self._emit("notice", message, path=display("inbox/" + key))

    def _emit(self, kind: str, message: str, job_uid: str | None = None, path: str | None = None) -> None:
        event = InboxEvent(kind, message, job_uid, path)
        level = logging.WARNING if kind in ("notice", "problem", "rejected") else logging.INFO
        log.log(level, "inbox %s: %s", kind, message)
        if kind in ("notice", "problem", "rejected", "duplicate"):
            self._notices.append(message)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:
                log.exception("inbox: on_event callback failed")

    # ---- heartbeat: lets another process (the app) know a watcher runs -----------------------
    def _write_heartbeat(self) -> None:
        folder = self.ws.processing / WATCHERS_DIR
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / (self.token.replace(":", "_") + ".json")
            path.write_text(json.dumps({"owner": self.token, "inbox": self.ws.relative(self.ws.inbox),
                                        "rescan_interval": self.rescan_interval}), encoding="utf-8")
            self._heartbeat_file = path
            self._last_heartbeat = time.monotonic()
        except OSError:
            self._heartbeat_file = None

    def _maybe_heartbeat(self) -> None:
        if self._heartbeat_file is None or time.monotonic() - self._last_heartbeat < HEARTBEAT_EVERY:
            return
        try:
            os.utime(self._heartbeat_file)
        except OSError:
            self._write_heartbeat()
        self._last_heartbeat = time.monotonic()

    def _remove_heartbeat(self) -> None:
        if self._heartbeat_file is not None:
            with contextlib.suppress(OSError):
                self._heartbeat_file.unlink()
            self._heartbeat_file = None


_LIVE_TOKENS: set[str] = set()  # watchers running in this process


def _owner_alive(owner: str) -> bool:
    """Owner tokens are host:pid:instance; a claim by a live watcher may be in flight."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if not host or not pid:
        return False
    if host == socket.gethostname() and pid == str(os.getpid()):
        return owner in _LIVE_TOKENS
    from datetime import UTC, datetime

    return not is_gone(f"{host}:{pid}", datetime.now(UTC), datetime.now(UTC))
