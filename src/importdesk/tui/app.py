"""The app: global keys, the import workers, and turning engine events into messages."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from importdesk.engine import Engine, UsageError, app_quit
from importdesk.engine import JobProgressed as EngineProgress
from importdesk.engine.child_worker import ChildQueueRunner
from importdesk.engine.engine_clock import clock_of
from importdesk.engine.job_loop import JobLoop, thread_store
from importdesk.gc_settings import tune_gc
from importdesk.inbox import InboxEvent, InboxWatcher, inbox_status
from importdesk.inbox.status import watchers as live_watchers
from importdesk.models import ImportJob, JobStatus, JobType
from importdesk.tui.keys import GLOBAL_BINDINGS
from importdesk.tui.messages import InboxNoticed, JobFinished, JobProgressed, JobsChanged, JobsPageRead
from importdesk.tui.off_loop import off_loop
from importdesk.tui.screens.confirm import AskScreen
from importdesk.tui.screens.help import HelpScreen
from importdesk.tui.screens.main_screen import JOB_ACTIONS, MainScreen, retries_failed_rows, why_not
from importdesk.tui.screens.new_import import NewImportScreen
from importdesk.tui.screens.palette import NoMatchProvider
from importdesk.tui.screens.records import RecordsScreen
from importdesk.tui.widgets.error_table import ErrorGrid, ErrorTable
from importdesk.tui.widgets.filter_bar import FilterBar
from importdesk.tui.widgets.job_list import JobList

log = logging.getLogger(__name__)

IMPORTS = "imports"  # the worker group that runs jobs
INBOX = "inbox"  # the worker group that stops the inbox watcher (it runs in its own threads)
INBOX_POLL = 1.0  # seconds between looks at the inbox for the header
QUIT_WAIT_SECONDS = 5.0
PROGRESS_INTERVAL = 0.5  # seconds between a running job's snapshots: each one redraws its list row
RESTART_AFTER_FAILURE_SECONDS = 30.0  # a queue worker that crashed is not restarted every poll
PALETTE_ENTRIES = {
    "confirm": ("job: Confirm", "Execute a done validate job (shows its summary first)"),
    "interrupt": ("job: Interrupt", "Stop the job at its next batch; it can be resumed"),
    "resume": ("job: Resume", "Continue an interrupted job after its last committed row"),
    "cancel_job": ("job: Cancel", "Cancel the job; committed rows stay"),
    "retry": ("job: Retry", "Run an errored job again from its last committed row"),
    "delete": ("job: Delete", "Delete the job and its errors (asks first)"),
    "export": ("job: Export failed rows to CSV", "Original columns plus _source_row and _errors; fix, re-import"),
    "export_xlsx": ("job: Export failed rows to XLSX", "The same as a workbook, bad cells highlighted"),
    "records": ("job: Show the records it wrote", "The records this job created or updated (last written by it)"),
    "copy_json": ("job: Copy as JSON", "The job with its errors_log; also written to exports/<uid>.json"),
}
TOAST_LINES = 6  # jobs named in one "jobs finished" toast
RETRY_FAILED = ("job: Retry failed rows", "A new job of just the failed rows, with your corrections")
EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"), ("jsonl", "JSONL"))


class ImportDeskApp(App[int]):
    CSS_PATH = "textual.tcss"
    TITLE = "importdesk"
    BINDINGS = GLOBAL_BINDINGS
    NOTIFICATION_TIMEOUT = 6
    COMMANDS = App.COMMANDS | {NoMatchProvider}  # a search that finds nothing says why

    def __init__(self, engine: Engine, *, watch_inbox: bool = False, clock: Callable[[], datetime] | None = None,
                 run_queue: bool = True, poll_interval: float | None = 0.5, queue_workers: int = 2,
                 inbox_stability: float = 1.0, child_processes: bool = True) -> None:
        super().__init__()
        self.child_processes = child_processes
        self.engine = engine
        self.clock = clock or clock_of(engine)
        self.watch_inbox = watch_inbox
        self.run_queue = run_queue
        self.poll_interval = poll_interval
        self.queue_workers = max(1, queue_workers)
        self.inbox_stability = inbox_stability
        self.watcher: InboxWatcher | None = None
        self._own_watchers: set[str] = set()  # tokens of watchers this app started (stopped or not)
        self.stop_event = threading.Event()
        self._run_asked = False  # a JobsChanged asked to run the queue: it starts with the next page's counts
        self._queue_failed_at = -RESTART_AFTER_FAILURE_SECONDS
        self._inbox_shown = 0  # how many times the inbox status was shown from the event loop
        self._finished_untold: list[ImportJob] = []  # jobs that ended while the queue still ran others
        self._telling = False  # a toast of the finished jobs is on its way
        self.sub_title = _display_path(engine.workspace.root)

    # ---- screens -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        # Textual's own objects live as long as the app: keep them out of every later collection,
        # so a full collection during an import does not stall the event loop (p99 lag 246 → 93 ms).
        tune_gc(screen=True)  # (the command line set the thresholds of a process without a screen)
        # The young generations hold the start's garbage (the thresholds in gc_settings make older
        # collections rare): a full collection here would scan the whole heap for it.
        gc.collect(1)
        gc.freeze()
        # the screen's reader polls the store (data_version) and reads every page in its thread
        self._main = MainScreen(self.engine, self.clock, poll_interval=self.poll_interval)
        self.push_screen(self._main)
        if self.poll_interval:
            self.set_interval(self.poll_interval, self._restart_queue, name="restart the queue")
        if self.watch_inbox:
            self.start_watching()
        self.show_inbox_status()
        if self.poll_interval or self.watch_inbox:
            self.set_interval(INBOX_POLL, self._poll_inbox, name="poll inbox")
        self.offer_resume()  # the queue starts with the first page's counts (JobsPageRead)

    @work(group="dialogs", exclusive=True, exit_on_error=False, description="resume jobs the last close interrupted")
    async def offer_resume(self) -> None:
        """Jobs that closing the app interrupted: asked once whether to resume them now."""
        jobs = await off_loop(self.engine, app_quit.quit_interrupted)
        if not jobs:
            return
        names = ", ".join(j.file_name for j in jobs[:3]) + (f" and {len(jobs) - 3} more" if len(jobs) > 3 else "")
        noun = "import was" if len(jobs) == 1 else f"{len(jobs)} imports were"
        question = (f"{noun.capitalize()} interrupted when the app was last closed: {names}. Resume now, "
                    "after the last committed row? Otherwise they stay interrupted (r resumes one later).")
        if await self.push_screen_wait(AskScreen("Resume interrupted imports?", question, yes="Resume",
                                                 no="Not now", focus_yes=True)):
            self.main.command(lambda: _resume_all(jobs, self.engine),
                              lambda _: self.main.post_message(JobsChanged(run=True)))
        else:
            self.main.command(lambda: app_quit.decline_resume(self.engine, jobs),
                              lambda _: self.main.store_changed())

    @property
    def main(self) -> MainScreen:
        return self._main

    @work(group="dialogs", exclusive=True, exit_on_error=False, description="new import dialog")
    async def action_new_import(self) -> None:
        job = await self.push_screen_wait(NewImportScreen(self.engine))
        if job is not None:
            self.notify(f"{job.file_name}: {job.job_type.value} job {job.short_uid} queued", markup=False)
            self.main.post_message(JobsChanged(select_uid=job.uid, run=True))

    def action_records(self, resource_type: str | None = None, job_uid: str | None = None) -> None:
        if isinstance(self.screen, RecordsScreen) and job_uid is None:
            return
        self.push_screen(RecordsScreen(self.engine, resource_type, job_uid=job_uid))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen([
            ("Everywhere", [*GLOBAL_BINDINGS, Binding("ctrl+p", "command_palette", "Command palette",
                                                      tooltip="Search every action")]),
            ("Selected job", [b for b in MainScreen.BINDINGS if b.action.split("(")[0] in JOB_ACTIONS]),
            ("Moving around", [b for b in MainScreen.BINDINGS if b.action.split("(")[0] not in JOB_ACTIONS
                               and b not in GLOBAL_BINDINGS]
             + [b for b in JobList.BINDINGS if b.tooltip] + list(FilterBar.BINDINGS) + list(ErrorGrid.BINDINGS)
             + list(ErrorTable.BINDINGS)),
        ]))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own entries, named like ours; its Quit and Keys are replaced by the app's (our quit
        # interrupts running imports resumably, our keys screen lists every key).
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys"):
                yield command._replace(title=f"app: {command.title}")
        yield SystemCommand("app: Keys", "Every key of the app (?)", self.action_help)
        yield SystemCommand("app: Quit", "Quit (q); running imports stop at their next batch and are offered "
                            "to resume when the app opens again", self.action_quit)
        yield SystemCommand("job: New import", "Import a file: validate or execute (n)", self.action_new_import)
        yield SystemCommand("records: Browse", "The stored records of each type: filter, sort, open one (R)",
                            self.action_records)
        if isinstance(screen, MainScreen):
            job = screen.selected
            for action, (title, help_text) in PALETTE_ENTRIES.items():
                if action == "retry" and job and retries_failed_rows(job):
                    title, help_text = RETRY_FAILED
                reason = why_not(action, job)
                if reason is None:
                    yield SystemCommand(title, help_text, _runner(screen, action))
                else:  # listed anyway, so a search finds it and says why it cannot run now
                    yield SystemCommand(title, f"Not possible now: {reason}", _explainer(self, title, reason))
            for name in self.engine.registry.names():
                for fmt, label in EXPORT_FORMATS:
                    yield SystemCommand(f"records: Export {name} to {label}",
                                        f"Every {name} record into exports/ as {label} (runs as an export job)",
                                        _exporter(self, name, fmt))
            yield SystemCommand("jobs: Filter", "Filter jobs by text, status or resource (/)",
                                _runner(screen, "filter"))

    @work(group="commands", exit_on_error=False, description="queue a records export")
    async def export_records(self, resource_type: str, fmt: str) -> None:
        """Queue an export job of every record of a type; the queue workers run it like an import."""
        try:
            job = await off_loop(self.engine, lambda e: e.create_export(resource_type, fmt))
        except UsageError as exc:
            self.notify(str(exc), severity="error", title="Not possible", markup=False)
            return
        self.notify(f"{resource_type} to {fmt.upper()}: export job {job.short_uid} queued", markup=False)
        self.main.post_message(JobsChanged(select_uid=job.uid, run=True))

    # ---- running jobs ------------------------------------------------------------------------
    def import_workers(self) -> list[Worker]:
        return [w for w in self.workers if w.group == IMPORTS and not w.is_finished]

    def start_queue(self) -> None:
        """Run pending jobs, oldest first, with up to `queue_workers` workers (each claims its own job).

        No more workers than pending jobs (as of the last page the reader read): each one starts a
        process, which would find nothing to do."""
        free = self.queue_workers - len(self.import_workers())
        if not self.run_queue or self.stop_event.is_set() or free <= 0:
            return
        for _ in range(min(free, self.main.counts.get(JobStatus.PENDING, 0))):
            self._run_queue()
        self.main.reader.imports_running = bool(self.import_workers())

    @work(thread=True, group=IMPORTS, exit_on_error=False, description="run pending import jobs")
    def _run_queue(self) -> None:
        """Drain the queue: in a child process (the default, so imports never hold the event loop's
        GIL), or in this thread (tests that need the engine's fixed clock and ids)."""
        loop = JobLoop(self.engine, self.stop_event, on_progress=self._report, interval=PROGRESS_INTERVAL,
                       on_stopped=app_quit.tag_quit_interrupt)
        with thread_store(self.engine):
            if self.child_processes:
                runner = ChildQueueRunner(self.engine, on_progress=self._report,
                                          on_finished=lambda job: self._finished(loop.settle(job)),
                                          interval=PROGRESS_INTERVAL)
                runner.run(self.stop_event)
                return
            for job in loop.drain():  # each settled as it ended
                self._finished(job)

    def _finished(self, job: ImportJob) -> None:
        """In the worker thread, once per job that left `processing` (and was settled)."""
        self.post_message(JobFinished(job))

    def _report(self, event: EngineProgress) -> None:
        """Called in the worker thread (throttled by the engine): post, never wait for the UI."""
        job = event.job if self.child_processes else event.job.model_copy(deep=True)  # a parsed copy already
        self.post_message(JobProgressed(job, final=event.final))

    @on(JobProgressed)
    def _on_job_progressed(self, event: JobProgressed) -> None:
        self.main.job_progressed(event.job)

    @on(JobFinished)
    def _on_job_finished(self, event: JobFinished) -> None:
        """A failure is told at once; other endings are held while the queue still has jobs to run, then
        told in one toast (the demo's six jobs opened under six stacked toasts)."""
        job = event.job
        self.main.job_progressed(job)
        if job.status is JobStatus.ERROR:
            kind = "Export" if job.job_type is JobType.EXPORT else "Import"
            self.notify(f"{job.file_name} ({job.job_type.value}): {job.error_message}", title=f"{kind} failed",
                        severity="error", markup=False)
            return
        self._finished_untold.append(job)
        self._tell_finished_when_idle()

    def _tell_finished_when_idle(self) -> None:
        """Once no job runs or waits and none of our queue workers is left: a worker posts its last
        JobFinished before it ends, so by then every ending is already a message ahead of the toast."""
        if self.import_workers():
            return  # its end (Worker.StateChanged) asks again
        counts = self.main.counts  # as of the last page: one read after the job's end asks again
        if counts.get(JobStatus.PROCESSING, 0) or (self.run_queue and counts.get(JobStatus.PENDING, 0)):
            return
        if not self._telling:  # after the endings already queued as messages
            self._telling = True
            self.call_later(self._tell_finished)

    def _tell_finished(self) -> None:
        self._telling = False
        untold, self._finished_untold = self._finished_untold, []
        if not untold:
            return
        if len(untold) == 1:
            title, message, severity = finished_toast(untold[0])
        else:
            lines = [finished_toast(j)[1] for j in untold]
            message = "\n".join(lines[:TOAST_LINES] + ([f"… and {len(lines) - TOAST_LINES} more"]
                                                      if len(lines) > TOAST_LINES else []))
            title = f"{len(untold)} jobs finished"
            severities = {finished_toast(j)[2] for j in untold}
            severity = "warning" if "warning" in severities else "information"
        self.notify(message, title=title, severity=severity, markup=False)

    @on(JobsChanged)
    def _on_jobs_changed(self, event: JobsChanged) -> None:
        if event.run:  # the screen asked its reader for the page: its counts say what is pending
            self._run_asked = True

    @on(JobsPageRead)
    def _on_jobs_page(self) -> None:
        """The screen showed a page: the store's counts are new."""
        if self._run_asked or self._may_restart():
            self._run_asked = False
            self.start_queue()
        if self._finished_untold:
            self._tell_finished_when_idle()

    def _may_restart(self) -> bool:
        return time.monotonic() - self._queue_failed_at >= RESTART_AFTER_FAILURE_SECONDS

    def _restart_queue(self) -> None:
        """Pending jobs (other processes' too) with no queue worker left, e.g. after one crashed."""
        if self._may_restart():
            self.start_queue()

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == IMPORTS and worker.is_finished:
            self.main.reader.imports_running = bool(self.import_workers())
            if self._finished_untold:
                self._tell_finished_when_idle()
        if event.state is WorkerState.ERROR:
            if worker.group == IMPORTS:
                self._queue_failed_at = time.monotonic()
            self.notify(f"{worker.description}: {worker.error}", title="Something went wrong",
                        severity="error", markup=False)

    # ---- the inbox ---------------------------------------------------------------------------
    def action_toggle_inbox(self) -> None:
        inbox = self.engine.workspace.relative(self.engine.workspace.inbox)
        if self.watcher is None:
            self.start_watching()
            self.notify(f"Watching {inbox}/: files dropped there become jobs", markup=False)
        else:
            self.stop_watching()
            self.notify(f"Not watching {inbox}/ any more", markup=False)

    def start_watching(self) -> None:
        """The watcher claims files and queues their jobs in its own threads; our queue workers run them."""
        if self.watcher is not None:
            return
        self.watcher = InboxWatcher(self.engine, stability=self.inbox_stability, workers=0,
                                    on_event=self._inbox_event)
        self._own_watchers.add(self.watcher.token)
        self.watcher.start()
        self.show_inbox_status()

    def stop_watching(self) -> None:
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            self._stop_watcher(watcher)
        self.show_inbox_status()

    @work(thread=True, group=INBOX, exit_on_error=False, description="stop watching the inbox")
    def _stop_watcher(self, watcher: InboxWatcher) -> None:
        watcher.stop()  # joins its threads: up to a few seconds, so never on the event loop

    def _inbox_event(self, event: InboxEvent) -> None:
        """Called in the watcher's thread."""
        self.post_message(InboxNoticed(event.kind, event.message, event.job_uid))

    @on(InboxNoticed)
    def _on_inbox_noticed(self, event: InboxNoticed) -> None:
        if event.kind == "queued":
            self.main.post_message(JobsChanged(run=True))
            self.notify(event.message, title="Inbox", markup=False)
        elif event.kind in ("duplicate", "rejected", "notice", "problem"):
            self.notify(event.message, title=f"Inbox: {event.kind}", markup=False,
                        severity="error" if event.kind in ("rejected", "problem") else "warning")
        self.show_inbox_status()

    def inbox_header(self) -> str:
        """``inbox/ watching · 2 waiting`` — this app's watcher, another process's, or none."""
        ws = self.engine.workspace
        status = self.watcher.status() if self.watcher is not None else inbox_status(ws)
        if self.watcher is not None:
            state = "watching"
        elif status.watching and set(live_watchers(ws)) - self._own_watchers:
            state = "watched by another process"
        else:
            state = "not watched"
        return f"{status.inbox}/ {state} · {status.waiting:,} waiting"

    def _header(self) -> str:
        # the inbox first: at 80 columns the header cuts its end, and the path is the part to lose
        return f"{self.inbox_header()} · {_display_path(self.engine.workspace.root)}"

    def show_inbox_status(self) -> None:
        self._inbox_shown += 1  # a look at the inbox begun before this one must not overwrite it
        self.sub_title = self._header()

    def _poll_inbox(self) -> None:
        if not [w for w in self.workers if w.group == "inbox-status" and not w.is_finished]:
            self._read_inbox_status()

    @work(thread=True, group="inbox-status", exit_on_error=False, description="look at the inbox")
    def _read_inbox_status(self) -> None:
        shown = self._inbox_shown
        header = self._header()
        self.call_from_thread(self._show_inbox_header, header, shown)

    def _show_inbox_header(self, header: str, shown: int) -> None:
        if shown == self._inbox_shown:
            self.sub_title = header

    # ---- quitting ----------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Ask running imports to stop at their next batch (resumable), wait briefly, then quit."""
        watcher, self.watcher = self.watcher, None
        stopping = asyncio.create_task(asyncio.to_thread(watcher.stop)) if watcher is not None else None
        await self.stop_imports()
        if stopping is not None:
            await stopping
        self.exit(0)

    async def stop_imports(self, timeout: float = QUIT_WAIT_SECONDS) -> None:
        self.stop_event.set()
        workers = self.import_workers()
        if workers:
            self.notify("Stopping the running import at its next batch…", markup=False)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.workers.wait_for_complete(workers), timeout)

    def on_unmount(self) -> None:
        self.stop_event.set()
        if self.watcher is not None:
            self.watcher.stop(timeout=2.0)
            self.watcher = None


def finished_toast(job: ImportJob) -> tuple[str, str, str]:
    """(title, message, severity) telling how a job this app ran ended."""
    p = job.progress
    kind = "Export" if job.job_type is JobType.EXPORT else "Import"
    name = f"{job.file_name} ({job.job_type.value})"
    if job.status is JobStatus.DONE and job.job_type is JobType.EXPORT:
        where = job.provider_data.kept_path or "exports/"
        return "Export done", f"{p.done:,} {job.resource_type} records written to {where}", "information"
    if job.status is JobStatus.DONE:
        ok = "valid" if job.job_type is JobType.VALIDATE else "imported"
        detail = f"{p.done:,} rows {ok}" + (f", {p.error:,} with errors" if p.error else "")
        title = "Dry run done" if job.job_type is JobType.VALIDATE else "Import done"
        return title, f"{name}: {detail}", "warning" if p.error else "information"
    return (f"{kind} {job.status.value}", f"{name}: {job.error_message or job.status.value}", "warning")


def _resume_all(jobs: list[ImportJob], engine: Engine) -> None:
    for job in jobs:
        try:
            engine.resume(job.uid)
        except UsageError:  # another process resumed or changed it meanwhile
            continue


def _runner(screen: Screen, action: str) -> Callable[[], object]:
    return lambda: screen.run_action(action)


def _explainer(app: App, title: str, reason: str) -> Callable[[], object]:
    return lambda: app.notify(f"{title}: {reason}", title="Not possible", severity="warning", markup=False)


def _exporter(app: ImportDeskApp, resource_type: str, fmt: str) -> Callable[[], object]:
    return lambda: app.export_records(resource_type, fmt)


def _display_path(path: Path) -> str:
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home):] if home != "/" and (text == home or text.startswith(home + "/")) else text


def make_app(engine: Engine, *, watch_inbox: bool = False, clock: Callable[[], datetime] | None = None,
             run_queue: bool = True, poll_interval: float | None = 0.5, queue_workers: int = 2,
             inbox_stability: float = 1.0, child_processes: bool = True) -> ImportDeskApp:
    """The one way to build the app: the command line, the demo and the tests all call this.

    `queue_workers` jobs run at once; `watch_inbox` runs an inbox watcher (files taken once stable for
    `inbox_stability` seconds) whose jobs the queue workers run. Each queue worker runs its jobs in a
    child process unless `child_processes` is False (then in its thread, with the engine's clock)."""
    return ImportDeskApp(engine, watch_inbox=watch_inbox, clock=clock, run_queue=run_queue,
                         poll_interval=poll_interval, queue_workers=queue_workers,
                         inbox_stability=inbox_stability, child_processes=child_processes)
