"""The main screen: filter bar, job list, job detail and errors; the job actions live here."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from functools import partial

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Header, Input
from textual.worker import get_current_worker

from importdesk.engine import Engine, UsageError
from importdesk.engine.job_loop import thread_store
from importdesk.models import ImportJob, JobStatus, JobType
from importdesk.tui.export import copy_path, failed_rows_path, write_report
from importdesk.tui.keys import GLOBAL_BINDINGS
from importdesk.tui.messages import ErrorsPageRead, JobsChanged, JobsPageRead, PageReadFailed
from importdesk.tui.off_loop import off_loop
from importdesk.tui.page_reader import PageReader
from importdesk.tui.screens.confirm import AskScreen, ConfirmJobScreen
from importdesk.tui.screens.edit_value import EditValueScreen
from importdesk.tui.widgets.error_table import ErrorTable
from importdesk.tui.widgets.filter_bar import FilterBar
from importdesk.tui.widgets.fitted_footer import FittedFooter
from importdesk.tui.widgets.job_detail import JobDetail
from importdesk.tui.widgets.job_list import JobList


def applies(action: str, job: ImportJob | None) -> bool:
    """Whether a job action makes sense for this job (the footer greys the others)."""
    return why_not(action, job) is None


def why_not(action: str, job: ImportJob | None) -> str | None:
    """Why a job action does not apply to this job, in words for the user; None when it does."""
    if job is None:
        return "no job is selected" if action in JOB_ACTIONS else None
    status = job.status
    state = f"this job is {status.value}" + (" with row errors" if retries_failed_rows(job) else "")
    if action == "confirm" and not (job.job_type is JobType.VALIDATE and status is JobStatus.DONE):
        return f"only a done validate job can be confirmed; this is {job.job_type.value} and {status.value}"
    if action == "interrupt":
        if job.request is not None:
            return f"it was already asked to {job.request}"
        if status not in (JobStatus.PENDING, JobStatus.PROCESSING):
            return f"only a pending or running job can be interrupted; {state}"
    if action == "resume" and status is not JobStatus.INTERRUPTED:
        if status is JobStatus.CANCELED:
            return "a canceled job never resumes (its committed rows stay); import the file again with n"
        if status is JobStatus.ERROR:
            return "it ended in error: retry it with t"
        return f"only an interrupted job can be resumed; {state}"
    if action == "cancel_job":
        if job.request == "cancel":
            return "it was already asked to cancel"
        if status not in (JobStatus.PENDING, JobStatus.PROCESSING, JobStatus.INTERRUPTED):
            return f"only a pending, running or interrupted job can be canceled; {state}"
    if action == "retry" and not (status is JobStatus.ERROR or retries_failed_rows(job)):
        if status is JobStatus.INTERRUPTED:
            return "it was interrupted: resume it with r"
        return f"only a job that ended in error, or a done job with rejected rows, can be retried; {state}"
    if action == "delete" and status is JobStatus.PROCESSING:
        return "a running job cannot be deleted: interrupt it (i) first"
    if action in ("export", "export_xlsx") and job.errors_count == 0:
        return "this job has no failed rows"
    if action == "records":
        if job.job_type is not JobType.EXECUTE:
            return f"a {job.job_type.value} job writes no records"
        if not job.processed_count:
            return "it wrote no records (yet)"
    return None


def written_type(job: ImportJob) -> str:
    """The resource type whose records a job wrote (a file of several types: the first it imported)."""
    imported = [name for name, n in job.type_counts.imported.items() if n]
    return job.resource_type if job.resource_type != "mixed" or not imported else sorted(imported)[0]


def retries_failed_rows(job: ImportJob) -> bool:
    """A finished job with rejected rows: retry makes a new job of just those rows."""
    return job.status is JobStatus.DONE and job.progress.error > 0


READER = "page-reader"  # the worker group of the screen's reader
DETAIL_REFRESH = 0.5  # seconds between redraws of a running job's detail
NARROW_BELOW = 120  # columns: below this the detail pane moves next to the errors
JOB_ACTIONS = ("confirm", "interrupt", "resume", "cancel_job", "retry", "delete", "export", "export_xlsx",
               "records", "copy_json")
CLIPBOARD_MAX = 1_000_000  # characters: a bigger report goes to the file only (OSC 52 through a terminal)


class MainScreen(Screen):
    BINDINGS = [
        *GLOBAL_BINDINGS,
        Binding("tab", "pane(1)", "Next pane", show=False, id="pane.next",
                tooltip="Jobs → detail → errors → their search and filters (through the filter bar when "
                "you are in it); at 80 columns the detail and the errors share the lower half"),
        Binding("shift+tab", "pane(-1)", "Previous pane", show=False, id="pane.previous"),
        Binding("enter", "errors", "Errors", show=False, id="jobs.errors",
                tooltip="On a job: go to its errors"),
        Binding("slash", "filter", "Filter", tooltip="Filter jobs by text, status or resource", id="jobs.filter"),
        Binding("c", "confirm", "Confirm", tooltip="Execute a done validate job, after its summary",
                id="job.confirm"),
        Binding("i", "interrupt", "Interrupt", tooltip="Stop at the next batch; resumable", id="job.interrupt"),
        Binding("r", "resume", "Resume", tooltip="Continue an interrupted job after its last row",
                id="job.resume"),
        Binding("x", "cancel_job", "Cancel", tooltip="Cancel the job; committed rows stay", id="job.cancel"),
        Binding("t", "retry", "Retry", tooltip="An errored job runs again from its last row; a done job's "
                "failed rows (with your corrections) become a new job", id="job.retry"),
        Binding("d", "delete", "Delete", tooltip="Delete the job and its errors (asks first)", id="job.delete"),
        Binding("e", "export", "Failed rows", tooltip="Write the failed rows to exports/ as CSV (fix, re-import)",
                id="job.export"),
        Binding("E", "export_xlsx", "Failed rows XLSX", show=False,
                tooltip="Write the failed rows to exports/ as XLSX, bad cells highlighted", id="job.export_xlsx"),
        Binding("g", "records", "Records", show=False, tooltip="Go to the records this job created or updated",
                id="job.records"),
        Binding("y", "copy_json", "Copy JSON", show=False,
                tooltip="Copy the job and its errors log as JSON; also written to exports/<uid>.json",
                id="job.copy_json"),
    ]

    def __init__(self, engine: Engine, clock: Callable[[], datetime], *, poll_interval: float | None = None) -> None:
        super().__init__(id="main")
        self.engine = engine  # for the job actions (commands); every page comes from the reader
        self.clock = clock
        self._command_lock = threading.Lock()  # job commands run in threads, one at a time
        self._commands: deque[tuple[Callable[[], object], Callable[[object], object]]] = deque()  # in order
        self._detail_drawn_at = 0.0
        self._applicable: frozenset[str] | None = None  # the job actions the footer shows enabled
        self.counts: dict[JobStatus, int] = {}  # jobs by status, as of the last page shown
        self.reader = PageReader(engine, self.post_message, poll_interval=poll_interval)
        self._reader_started = False
        self._jobs_asked = self._jobs_answered = 0  # the number of the reader's newest jobs ask, and shown
        self._errors_asked = self._errors_answered = 0  # ... of its newest errors ask, and shown
        self._select_uid: str | None = None  # the job to highlight once the page asked for is shown
        self._shown = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterBar(id="filter-bar")
        with Grid(id="panes"):
            with Vertical(id="jobs-pane", classes="pane") as pane:
                pane.border_title = "Jobs"
                yield JobList(self.clock, id="jobs")
            detail = JobDetail(self.clock, id="detail")
            detail.border_title = "Detail"
            detail.add_class("pane")
            yield detail
            errors = ErrorTable(id="errors")
            errors.border_title = "Errors"
            errors.add_class("pane")
            yield errors
        yield FittedFooter()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_BELOW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.query_one(FittedFooter).compact = narrow
            self.refresh_bindings()  # a narrow footer leaves out the job keys that do not apply

    @property
    def jobs(self) -> JobList:
        return self.query_one(JobList)

    @property
    def detail(self) -> JobDetail:
        return self.query_one(JobDetail)

    @property
    def errors(self) -> ErrorTable:
        return self.query_one(ErrorTable)

    @property
    def selected(self) -> ImportJob | None:
        return self.jobs.selected

    def on_mount(self) -> None:
        self._reader_started = True
        self._read_pages()
        self.reload()  # the first page comes as a message, like every other
        self.jobs.focus()

    async def on_unmount(self) -> None:
        """The reader ends with the screen: the app's exit (or a test's) never leaves its thread behind."""
        self.reader.stop()
        if self._reader_started:
            await asyncio.to_thread(self.reader.done.wait)  # at most the read it is doing

    # ---- the reader reads, the panes show ------------------------------------------------------
    @work(thread=True, group=READER, exit_on_error=False, description="read the pages the panes show")
    def _read_pages(self) -> None:
        worker = get_current_worker()
        self.reader.run(lambda: worker.is_cancelled)

    @on(ErrorTable.PageWanted)
    def _on_errors_wanted(self, event: ErrorTable.PageWanted) -> None:
        event.stop()
        self._errors_asked = self.reader.ask_errors(event.query, refresh=event.refresh)

    @on(ErrorsPageRead)
    def _on_errors_page(self, event: ErrorsPageRead) -> None:
        event.stop()
        if event.seq < self._errors_asked:
            return  # asked again since: the newer page is on its way
        self._errors_answered = event.seq
        with contextlib.suppress(NoMatches):  # the panes were already removed
            self.errors.show_page(event.page)
        self._shown.set()

    @on(JobsPageRead)
    def _on_jobs_page(self, event: JobsPageRead) -> None:
        """Shown, then on to the app (its queue runs the pending jobs the counts show)."""
        if event.seq < self._jobs_asked:
            event.stop()
            return  # asked again since: the newer page is on its way
        self._jobs_answered = event.seq
        select, self._select_uid = self._select_uid, None
        page = event.page
        self.counts = page.status_counts
        with contextlib.suppress(NoMatches):  # the panes were already removed
            self.query_one(FilterBar).set_resource_types(page.resource_types)
            self.jobs.show_page(page, select)
            self._update_title()
        self._shown.set()

    @on(PageReadFailed)
    def _on_read_failed(self, event: PageReadFailed) -> None:
        event.stop()
        self._jobs_answered = max(self._jobs_answered, min(event.seq, self._jobs_asked))
        self._errors_answered = max(self._errors_answered, min(event.seq, self._errors_asked))
        self._shown.set()
        self.notify(f"Could not read the store: {event.error}. It is read again at the next look at the store.",
                    title="Not up to date", severity="error", markup=False)

    @property
    def all_pages_shown(self) -> bool:
        """Every page asked of the reader so far is shown."""
        return self._errors_answered >= self._errors_asked and self._jobs_answered >= self._jobs_asked

    async def pages_shown(self) -> None:
        """Until every page asked for so far is shown (tests await this, never sleep)."""
        while not self.all_pages_shown:
            self._shown.clear()
            await self._shown.wait()

    # ---- keeping the view true -----------------------------------------------------------------
    def reload(self, select_uid: str | None = None) -> None:
        """Ask the reader for the job list's page again (`select_uid`: highlight it once shown)."""
        self._select_uid = select_uid or self._select_uid
        self._jobs_asked = self.reader.ask_jobs(self.jobs.page_filter())

    def _update_title(self) -> None:
        counts = self.counts
        running = counts.get(JobStatus.PROCESSING, 0)
        pending = counts.get(JobStatus.PENDING, 0)
        shown = self.jobs.row_count
        total = sum(counts.values())
        noun = "job" if total == 1 else "jobs"
        parts = [f"{total:,} {noun}" if shown == total else f"{shown:,} of {total:,} {noun}"]
        if running:
            parts.append(f"{running} running")
        if pending:
            parts.append(f"{pending} queued")
        if self.jobs.sort_by != "newest" or not self.jobs.descending:
            parts.append(f"by {self.jobs.sort_by} {'↓' if self.jobs.descending else '↑'}")
        self.query_one("#jobs-pane").border_subtitle = " · ".join(parts)

    def job_progressed(self, job: ImportJob) -> None:
        """A fresh snapshot of one job (from a worker of this app)."""
        if not self.is_attached:
            return  # workers may still report while the app closes
        try:
            if not self.jobs.update_job(job) or job.status is not JobStatus.PROCESSING:
                self.reload()  # not on the page, or a status change: the counts moved too
        except NoMatches:  # the panes were already removed
            pass

    def store_changed(self) -> None:
        """Someone else committed: read the visible page again."""
        if not self.is_attached:
            return  # a timer may still fire while the app closes
        with contextlib.suppress(NoMatches):  # the panes were already removed
            self.reload()

    @on(JobList.JobHighlighted)
    def _on_job_highlighted(self, event: JobList.JobHighlighted) -> None:
        job, before = event.job, self.detail.job
        same = job is not None and before is not None and job.uid == before.uid
        # A running job's detail (Rich tables) is drawn again at most every DETAIL_REFRESH seconds:
        # the event loop shares the GIL with the imports. Status changes show at once.
        now = time.monotonic()
        still_running = same and job.status is JobStatus.PROCESSING and before.status is JobStatus.PROCESSING
        if not still_running or now - self._detail_drawn_at >= DETAIL_REFRESH:
            self._detail_drawn_at = now
            self.detail.show(job)
        def counts(j):
            return ((j.errors_count, j.warnings_count, j.status))
        if not same or counts(job) != counts(before):
            # a running job's re-read waits for the reader's ERRORS_REFRESH
            self.errors.show(job, keep_place=same, refresh=same and job.status is JobStatus.PROCESSING)
        # The footer is rebuilt on every refresh of the bindings (up to ~90% of the event loop while
        # two imports reported progress): refresh only when what applies to the job has changed.
        applicable = frozenset(a for a in JOB_ACTIONS if applies(a, job))
        if applicable != self._applicable:
            self._applicable = applicable
            self.refresh_bindings()

    @on(JobList.Sorted)
    def _on_sorted(self) -> None:
        self._update_title()

    @on(FilterBar.Changed)
    def _on_filter_changed(self, event: FilterBar.Changed) -> None:
        self.jobs.set_query(event.query)
        self.reload()

    @on(JobList.JobSelected)
    def action_errors(self) -> None:
        self.set_class(True, "-errors-shown")
        self.errors.grid.focus()

    @on(JobsChanged)
    def _on_jobs_changed(self, event: JobsChanged) -> None:
        self.reload(event.select_uid)  # the message bubbles on to the app, which runs the queue

    # ---- focus ---------------------------------------------------------------------------------
    def action_pane(self, step: int) -> None:
        """Tab: jobs → detail → errors → their search, level and column filters → jobs again."""
        focused = self.focused
        bar = self.query_one(FilterBar)
        if step == 1 and focused is not None and bar in focused.ancestors:
            self.focus_next()  # through the filter controls; after the last one comes the job list
            return
        stops = [self.jobs, self.detail, self.errors.grid, *self.errors.query("#error-search, #error-level, "
                                                                          "#error-field")]
        index = -1
        for i, stop in enumerate(stops):
            if focused is not None and stop in focused.ancestors_with_self:
                index = i
        target = stops[(index + step) % len(stops)]
        if self.has_class("-narrow"):  # one of detail and errors is shown under the list: the one we go to
            self._show_lower(target)
        target.focus()

    def _show_lower(self, target) -> None:
        if target is self.detail:
            self.set_class(False, "-errors-shown")
        elif target is not self.jobs:
            self.set_class(True, "-errors-shown")

    def action_filter(self) -> None:
        self.query_one("#filter-text", Input).focus()

    # ---- job actions ---------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in JOB_ACTIONS and not applies(action, self.selected):
            # greyed in a wide footer; left out of a narrow one, which has no room for them
            return False if self.has_class("-narrow") else None
        return True

    def on_key(self, event: events.Key) -> None:
        """A job key that does not apply to the selected job says why, instead of doing nothing."""
        for binding in self.BINDINGS:
            action = binding.action.split("(")[0]
            if action in JOB_ACTIONS and event.key in binding.key.split(","):
                reason = why_not(action, self.selected)
                if reason is not None:
                    event.stop()
                    self.notify(f"{binding.description}: {reason}", title="Not possible", severity="warning",
                                markup=False)
                return

    async def _fresh(self, action: str) -> ImportJob | None:
        """The selected job as stored now (the list's copy may be a page old), read in a thread; None,
        said why, when the action no longer applies to it (another process may have moved it on)."""
        job = self.selected
        if job is None:
            return None
        uid = job.uid
        try:
            job = await off_loop(self.engine, lambda engine: engine.get_job(uid))
        except UsageError as exc:  # deleted meanwhile
            self._refused(str(exc))
            return None
        reason = why_not(action, job)
        if reason is not None:
            self._refused(reason)
            return None
        return job

    def _apply(self, change: Callable[[str], ImportJob], done: str | Callable[[], str], *,
               run: bool = False, uid: str | None = None) -> None:
        """`change(uid)` as a command (`uid`: the job a dialog asked about, else the selected one);
        `done` (or what it returns, in the command's thread) is told with the job's name."""
        if uid is None:
            if self.selected is None:
                return
            uid = self.selected.uid

        def write() -> tuple[ImportJob, str]:
            changed = change(uid)
            return changed, done() if callable(done) else done

        self.command(write, lambda result: self._applied(*result, run))

    def command(self, write: Callable[[], object], then: Callable[[object], object]) -> None:
        """`write()` in a thread of its own, after the commands asked before it; then `then(result)` on
        the event loop. A UsageError is told instead (and the list read again)."""
        self._commands.append((write, then))
        self._run_command()

    @work(thread=True, group="commands", exit_on_error=False, description="a job command")
    def _run_command(self) -> None:
        """A command's writes off the event loop (deleting a job of a million items takes a while), one
        at a time: each thread takes the oldest command waiting, so they run in the order asked, and
        what each one shows follows in the same order."""
        with self._command_lock, thread_store(self.engine):
            write, then = self._commands.popleft()
            try:
                result = write()
            except UsageError as exc:
                self.app.call_from_thread(self._refused, str(exc))
                return
            self.app.call_from_thread(then, result)

    def _refused(self, why: str) -> None:
        self.notify(why, severity="error", title="Not possible", markup=False)
        self.reload()

    def _applied(self, changed: ImportJob, done: str, run: bool) -> None:
        self.notify(f"{changed.file_name} ({changed.short_uid}) {done}", markup=False)
        self.post_message(JobsChanged(select_uid=changed.uid, run=run))

    def action_interrupt(self) -> None:
        self._apply(self.engine.interrupt, "will stop at the next batch"
                    if self.selected and self.selected.status is JobStatus.PROCESSING else "interrupted")

    @work(group="dialogs", exclusive=True, exit_on_error=False, description="resume a job")
    async def action_resume(self) -> None:
        job = await self._fresh("resume")
        if job is None:
            return
        p = job.progress
        if not job.skip_errors and p.error > job.error_threshold * p.total:
            # resumed as it is, it would stop again at its next rejected row
            question = (f"{p.error:,} of {p.total:,} rows of {job.file_name} failed, over the "
                        f"{job.error_threshold:.0%} threshold. Resume and import the remaining valid rows, "
                        "recording every rejected row as an error?")
            if not await self.app.push_screen_wait(AskScreen("Resume, skipping errors?", question,
                                                             yes="Skip errors and resume")):
                return
            self._apply(partial(self.engine.resume, skip_errors=True), "resumed, skipping errors", run=True,
                        uid=job.uid)
            return
        self._apply(self.engine.resume, "resumed", run=True, uid=job.uid)

    @work(group="dialogs", exclusive=True, exit_on_error=False, description="cancel a job")
    async def action_cancel_job(self) -> None:
        job = await self._fresh("cancel_job")
        if job is None:
            return
        running = " It stops at its next batch." if job.status is JobStatus.PROCESSING else ""
        kept = (f"The {job.progress.done:,} rows already imported stay." if job.progress.done
                else "No rows were imported yet.")
        question = (f"Cancel job {job.short_uid} ({job.file_name})? This cannot be undone: a canceled job "
                    f"never resumes. {kept}{running}")
        if await self.app.push_screen_wait(AskScreen("Cancel job?", question, yes="Cancel job", no="Keep it")):
            self._apply(self.engine.cancel, "canceled" if not running else "will be canceled at its next batch",
                        uid=job.uid)

    def action_retry(self) -> None:
        job = self.selected
        if job is None or not applies("retry", job):
            return
        if retries_failed_rows(job):
            def done() -> str:  # in the command's thread
                edits = self.engine.row_edits(job.uid)
                fixed = f", {len(edits):,} corrected" if edits else ""
                return f"{job.progress.error:,} failed rows{fixed}: queued as a new job"
            self._apply(self.engine.retry, done, run=True)
        else:
            self._apply(self.engine.retry, "queued again", run=True)

    @on(ErrorTable.EditRequested)
    def _on_edit_requested(self, event: ErrorTable.EditRequested) -> None:
        self._edit_value(event.job, event.item, event.current)

    @work(group="dialogs", exclusive=True, exit_on_error=False, description="correct a failed row's value")
    async def _edit_value(self, job: ImportJob, item, current: str | None) -> None:
        value = await self.app.push_screen_wait(EditValueScreen(item, current))
        if value is None:
            return
        uid, row, field = job.uid, item.row_number, item.field
        self.command(lambda: self.engine.edit_failed_value(uid, row, field, value),
                     lambda _: self.errors.load_page())  # the page again, with the correction

    @work(group="dialogs", exclusive=True, exit_on_error=False, description="confirm a validated job")
    async def action_confirm(self) -> None:
        job = await self._fresh("confirm")
        if job is None:
            return
        if await self.app.push_screen_wait(ConfirmJobScreen(job)):
            self._apply(self.engine.confirm, "confirmed: an execute job is queued", run=True, uid=job.uid)

    @work(group="dialogs", exclusive=True, exit_on_error=False, description="delete a job")
    async def action_delete(self) -> None:
        job = await self._fresh("delete")
        if job is None:
            return
        question = (f"Delete job {job.short_uid} ({job.file_name}) and its {job.errors_count + job.warnings_count:,}"
                    " errors and warnings? Imported records stay.")
        if await self.app.push_screen_wait(AskScreen("Delete job?", question, yes="Delete")):
            self._apply(self.engine.delete, "deleted", uid=job.uid)

    def action_export(self, fmt: str = "csv") -> None:
        job = self.selected
        if job is None or not applies("export", job):
            return
        self._export(job, fmt)

    def action_export_xlsx(self) -> None:
        self.action_export("xlsx")

    @work(thread=True, group="exports", exit_on_error=False, description="export a job's failed rows")
    def _export(self, job: ImportJob, fmt: str) -> None:
        path = failed_rows_path(self.engine, job, fmt)
        with thread_store(self.engine):
            count = self.engine.export_failed_rows(job.uid, path)
        where = self.engine.workspace.relative(path)
        self.app.notify(f"{count:,} failed row{'s' if count != 1 else ''} written to {where}",
                        title="Exported", markup=False)

    def action_records(self) -> None:
        job = self.selected
        if job is not None and applies("records", job):
            self.app.action_records(written_type(job), job.uid)

    def action_copy_json(self) -> None:
        job = self.selected
        if job is not None:
            self._copy_json(job)

    @work(thread=True, group="exports", exit_on_error=False, description="copy a job's report as JSON")
    def _copy_json(self, job: ImportJob) -> None:
        path = copy_path(self.engine, job)
        with thread_store(self.engine):
            text = write_report(self.engine, job, path)
        where = self.engine.workspace.relative(path)
        if len(text) <= CLIPBOARD_MAX:
            self.app.call_from_thread(self.app.copy_to_clipboard, text)
            message = (f"Copied to the clipboard (if your terminal allows it) and written to {where}")
        else:
            message = f"Too big for the clipboard ({len(text):,} characters): written to {where}"
        self.app.notify(message, title="Job as JSON", markup=False)
