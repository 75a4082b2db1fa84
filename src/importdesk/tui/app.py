"""The app: global keys, the import workers, and turning engine events into messages."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from importdesk.engine import Engine, JobProgressed as EngineProgress
from importdesk.models import JobFilter, JobStatus
from importdesk.tui.messages import JobFinished, JobProgressed, JobsChanged
from importdesk.tui.screens.help import HelpScreen
from importdesk.tui.screens.main_screen import JOB_ACTIONS, MainScreen
from importdesk.tui.screens.new_import import NewImportScreen
from importdesk.tui.widgets.error_table import ErrorGrid
from importdesk.tui.widgets.filter_bar import FilterBar

IMPORTS = "imports"  # the worker group that runs jobs
QUIT_WAIT_SECONDS = 5.0
PALETTE_ENTRIES = {
    "confirm": ("job: Confirm", "Execute a done validate job (shows its summary first)"),
    "interrupt": ("job: Interrupt", "Stop the job at its next batch; it can be resumed"),
    "resume": ("job: Resume", "Continue an interrupted job after its last committed row"),
    "cancel_job": ("job: Cancel", "Cancel the job; committed rows stay"),
    "retry": ("job: Retry", "Run an errored job again from its last committed row"),
    "delete": ("job: Delete", "Delete the job and its errors (asks first)"),
    "export": ("job: Export errors", "Write the job's errors and warnings to exports/ as CSV"),
}


class ImportDeskApp(App[int]):
    CSS_PATH = "textual.tcss"
    TITLE = "importdesk"
    BINDINGS = [
        Binding("n", "new_import", "New import", tooltip="Import a file: validate or execute", id="app.new"),
        Binding("question_mark", "help", "Help", tooltip="Every key", id="app.help"),
        Binding("q", "quit", "Quit", tooltip="Quit; a running import is interrupted (resumable)", id="app.quit"),
    ]

    def __init__(self, engine: Engine, *, watch_inbox: bool = False, clock: Callable[[], datetime] | None = None,
                 run_queue: bool = True, poll_interval: float | None = 0.5) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock or engine.ctx.clock
        self.watch_inbox = watch_inbox
        self.run_queue = run_queue
        self.poll_interval = poll_interval
        self.stop_event = threading.Event()
        self._data_version = 0
        self.sub_title = _display_path(engine.workspace.root)

    # ---- screens -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._data_version = self.engine.data_version()
        self._main = MainScreen(self.engine, self.clock)
        self.push_screen(self._main)
        if self.poll_interval:
            self.set_interval(self.poll_interval, self._poll_store, name="poll store")
        if self.run_queue:
            self.start_queue()

    @property
    def main(self) -> MainScreen:
        return self._main

    @work(group="dialogs", exclusive=True, exit_on_error=False, description="new import dialog")
    async def action_new_import(self) -> None:
        job = await self.push_screen_wait(NewImportScreen(self.engine))
        if job is not None:
            self.notify(f"{job.file_name}: {job.job_type.value} job {job.short_uid} queued", markup=False)
            self.main.post_message(JobsChanged(select_uid=job.uid, run=True))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen([
            ("Everywhere", list(self.BINDINGS) + [Binding("ctrl+p", "command_palette", "Command palette",
                                                          tooltip="Search every action")]),
            ("Selected job", [b for b in MainScreen.BINDINGS if b.action.split("(")[0] in JOB_ACTIONS]),
            ("Moving around", [b for b in MainScreen.BINDINGS if b.action.split("(")[0] not in JOB_ACTIONS]
             + list(FilterBar.BINDINGS) + list(ErrorGrid.BINDINGS)),
        ]))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("job: New import", "Import a file: validate or execute", self.action_new_import)
        if isinstance(screen, MainScreen):
            for action, (title, help_text) in PALETTE_ENTRIES.items():
                if screen.check_action(action, ()):
                    yield SystemCommand(title, help_text, _runner(screen, action))
            yield SystemCommand("jobs: Filter", "Filter jobs by text, status or resource",
                                _runner(screen, "filter"))
        yield SystemCommand("app: Keys", "Every key of the app", self.action_help)

    # ---- running jobs ------------------------------------------------------------------------
    def import_workers(self) -> list[Worker]:
        return [w for w in self.workers if w.group == IMPORTS and not w.is_finished]

    def start_queue(self) -> None:
        """Run pending jobs, oldest first, unless a queue worker is already at it."""
        if self.run_queue and not self.stop_event.is_set() and not self.import_workers():
            self._run_queue()

    @work(thread=True, group=IMPORTS, exit_on_error=False, description="run pending import jobs")
    def _run_queue(self) -> None:
        try:
            while not self.stop_event.is_set():
                job = self.engine.run_next(cancel=self.stop_event, on_progress=self._report)
                if job is None:
                    return
                self.post_message(JobFinished(job))
        finally:
            self.engine.ctx.db.close()

    def _report(self, event: EngineProgress) -> None:
        """Called in the worker thread (throttled by the engine): post, never wait for the UI."""
        self.post_message(JobProgressed(event.job.model_copy(deep=True), final=event.final))

    @on(JobProgressed)
    def _on_job_progressed(self, event: JobProgressed) -> None:
        self.main.job_progressed(event.job)

    @on(JobFinished)
    def _on_job_finished(self, event: JobFinished) -> None:
        job = event.job
        p = job.progress
        name = f"{job.file_name} ({job.job_type.value})"
        if job.status is JobStatus.DONE:
            detail = f"{p.done:,} rows ok" + (f", {p.error:,} with errors" if p.error else "")
            self.notify(f"{name}: {detail}", title="Import done", markup=False,
                        severity="warning" if p.error else "information")
        elif job.status is JobStatus.ERROR:
            self.notify(f"{name}: {job.error_message}", title="Import failed", severity="error", markup=False)
        else:
            self.notify(f"{name}: {job.error_message or job.status.value}", title=f"Import {job.status.value}",
                        severity="warning", markup=False)
        self.main.job_progressed(job)

    @on(JobsChanged)
    def _on_jobs_changed(self, event: JobsChanged) -> None:
        if event.run:
            self.start_queue()

    def _poll_store(self) -> None:
        """Another connection committed (our workers, or another process): look again."""
        version = self.engine.data_version()
        if version != self._data_version:
            self._data_version = version
            self.main.store_changed()
        if self.run_queue and not self.import_workers() and not self.stop_event.is_set():
            if self.engine.count_jobs(JobFilter(status=[JobStatus.PENDING], limit=1)):
                self.start_queue()

    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR:
            self.notify(f"{worker.description}: {worker.error}", title="Something went wrong",
                        severity="error", markup=False)

    # ---- quitting ----------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Ask running imports to stop at their next batch (resumable), wait briefly, then quit."""
        await self.stop_imports()
        self.exit(0)

    async def stop_imports(self, timeout: float = QUIT_WAIT_SECONDS) -> None:
        self.stop_event.set()
        workers = self.import_workers()
        if workers:
            self.notify("Stopping the running import at its next batch…", markup=False)
            try:
                await asyncio.wait_for(self.workers.wait_for_complete(workers), timeout)
            except TimeoutError:
                pass

    def on_unmount(self) -> None:
        self.stop_event.set()


def _runner(screen: Screen, action: str) -> Callable[[], object]:
    return lambda: screen.run_action(action)


def _display_path(path: Path) -> str:
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home):] if home != "/" and (text == home or text.startswith(home + "/")) else text


def make_app(engine: Engine, *, watch_inbox: bool = False, clock: Callable[[], datetime] | None = None,
             run_queue: bool = True, poll_interval: float | None = 0.5) -> ImportDeskApp:
    """The one way to build the app: the command line, the demo and the tests all call this."""
    return ImportDeskApp(engine, watch_inbox=watch_inbox, clock=clock, run_queue=run_queue,
                         poll_interval=poll_interval)
