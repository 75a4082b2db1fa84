"""The baseline of bench/tui_lag.py: the job list as it was before it owned its row cache, a
DataTable whose private render caches it edited for each running job's row (or, with
`PublicRedrawJobList`, DataTable's public update_cell, which re-renders the visible page).

Kept only to be measured next to the app's JobList in the same run; it takes pages like the app's
list (`show_page`) and posts the same messages, so the main screen runs with it unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable

from importdesk.models import ImportJob, JobStatus
from importdesk.tui import formatting as fmt
from importdesk.tui.widgets.filter_bar import JobQuery
from importdesk.tui.widgets.job_list import JobList

# key, label, width (None: the file column takes the room left), may be left out for room
COLUMNS = (("status", "status", 13, False), ("file", "file", None, False), ("progress", "progress", 12, False),
           ("resource", "resource", 10, True), ("type", "type", 8, True), ("rows", "rows", 9, False),
           ("errors", "errors", 7, False), ("started", "started", 8, True), ("duration", "took", 7, False))
LIVE_COLUMNS = ("status", "progress", "rows", "errors", "started", "duration")
MIN_FILE_WIDTH = 20
SQUEEZED_FILE_WIDTH = 8  # the file name when even the narrowest layout leaves less than MIN_FILE_WIDTH
PERCENT_ONLY = 5  # the progress column without its bar, when the list is very narrow
MAX_RESOURCE_WIDTH = 24
CELL_PADDING = 2  # DataTable pads each cell by one on both sides
# A running job's row is redrawn at most this often (a status change at once), so a burst of
# snapshots (several jobs, or messages queued while the screen was busy) costs one redraw each.
ROW_REFRESH = 0.5
# What `s` sorts by, in turn; the first is the store's order (newest first)
SORTS = ("newest", "status", "file", "resource", "rows", "errors", "took")
_STATUS_ORDER = {status: i for i, status in enumerate(
    ("processing", "pending", "interrupted", "error", "done", "canceled"))}


def sort_key(column: str, now: datetime) -> Callable[[ImportJob], object]:
    """How `column` orders jobs (ties keep the newest first)."""
    if column == "status":
        return lambda j: _STATUS_ORDER[j.status.value]
    if column == "file":
        return lambda j: j.file_name.casefold()
    if column == "resource":
        return lambda j: j.resource_type
    if column == "rows":
        return lambda j: j.progress.total
    if column == "errors":
        return lambda j: j.progress.error
    if column == "took":
        return lambda j: fmt.job_seconds(j, now) or 0.0
    raise ValueError(column)


class DataTableJobList(DataTable):
    """The newest `limit` jobs matching the filter. Highlighting a row selects the job.

    `s` sorts the list by the next column (or Enter on a header), `S` turns the order round; sorting
    orders the jobs shown (the newest `limit`), the store keeps the filter."""

    BINDINGS = [
        Binding("home", "first", "First job", show=False, tooltip="Jobs: the first job of the list"),
        Binding("end", "last", "Last job", show=False, tooltip="Jobs: the last job of the list"),
        Binding("s", "sort", "Sort", tooltip="Jobs: sort by the next column (newest, status, file, "
                "resource, rows, errors, took)", id="jobs.sort"),
        Binding("S", "reverse", "Reverse", show=False, tooltip="Jobs: turn the order round", id="jobs.reverse"),
    ]

    JobHighlighted = JobList.JobHighlighted
    JobSelected = JobList.JobSelected
    Sorted = JobList.Sorted

    def __init__(self, clock: Callable[[], datetime], *, limit: int = 500, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.clock = clock
        self.limit = limit
        self.query_state = JobQuery()
        self.jobs: dict[str, ImportJob] = {}
        self.total = 0
        self._highlighted: str | None = None
        self._stale: set[str] = set()  # running jobs whose newest snapshot is not drawn yet
        self._revisions: dict[str, int] = {}  # the store's revision of each job as last read
        self.sort_by = "newest"
        self.descending = True  # newest first; biggest first for numbers
        self._layout: tuple[tuple[str, int], ...] = ()  # the columns shown and their widths

    def on_mount(self) -> None:
        self._set_columns(self._columns_for(self.size.width or 160))
        self.set_interval(ROW_REFRESH, self._redraw_stale, name="redraw running jobs")

    # ---- columns for the room there is ---------------------------------------------------------
    def _columns_for(self, width: int) -> tuple[tuple[str, int], ...]:
        """Every column whose room leaves the file name at least MIN_FILE_WIDTH; the file takes the rest.
        Left out first: started, type, resource (the detail pane shows them)."""
        resource = min(max([8] + [len(j.resource_type) for j in self.jobs.values()]), MAX_RESOURCE_WIDTH)
        widths = {key: resource if key == "resource" else w for key, _, w, _ in COLUMNS if key != "file"}
        for drop in ((), ("started",), ("started", "type"), ("started", "type", "resource"),
                     ("started", "type", "resource", "bar")):
            fixed = [(key, PERCENT_ONLY if key == "progress" and "bar" in drop else w)
                     for key, w in widths.items() if key not in drop]
            used = sum(w + CELL_PADDING for _, w in fixed) + CELL_PADDING + 2  # the file's padding, a scrollbar
            if width - used >= MIN_FILE_WIDTH:
                break
        file_width = max(width - used, SQUEEZED_FILE_WIDTH)  # the name gives way, not the columns after it
        order = [key for key, _, _, _ in COLUMNS]
        return tuple(sorted([*fixed, ("file", file_width)], key=lambda c: order.index(c[0])))

    @property
    def _bar_width(self) -> int:
        return max(dict(self._layout).get("progress", 12) - PERCENT_ONLY, 0)

    def _set_columns(self, layout: tuple[tuple[str, int], ...]) -> None:
        self._layout = layout
        self.clear(columns=True)
        labels = {key: label for key, label, _, _ in COLUMNS}
        for key, width in layout:
            label = "%" if key == "progress" and width == PERCENT_ONLY else labels[key]
            self.add_column(self._label(key, label), key=key, width=width)

    def _label(self, key: str, label: str) -> str:
        shown = "took" if key == "duration" else key
        if shown == self.sort_by:
            return f"{label} {'↓' if self.descending else '↑'}"
        return label

    def on_resize(self, event: events.Resize) -> None:
        layout = self._columns_for(event.size.width)
        if layout != self._layout:
            self._relayout(layout)

    def _relayout(self, layout: tuple[tuple[str, int], ...]) -> None:
        keep = self._highlighted
        self._set_columns(layout)
        for job in self.jobs.values():
            cells = self.cells(job)
            self.add_row(*(cells[key] for key, _ in self._layout), key=job.uid)
        if keep in self.jobs:
            self.move_cursor(row=self.get_row_index(keep), scroll=True)

    # ---- moving and sorting --------------------------------------------------------------------
    def action_first(self) -> None:
        if self.row_count:
            self.move_cursor(row=0, scroll=True)

    def action_last(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1, scroll=True)

    def action_sort(self, column: str | None = None) -> None:
        if column is None:
            column = SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)]
        self.sort_by, self.descending = column, column in ("newest", "rows", "errors", "took")
        self._resort()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self._resort()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = {"duration": "took", "started": "newest", "progress": "newest", "type": "resource"}.get(
            str(event.column_key.value), str(event.column_key.value))
        if column == self.sort_by:
            self.action_reverse()
        else:
            self.action_sort(column)

    def _resort(self) -> None:
        self.jobs = {j.uid: j for j in self._sorted(list(self.jobs.values()))}
        self._relayout(self._layout)
        self.post_message(self.Sorted(self.sort_by, self.descending))

    def _sorted(self, jobs: list[ImportJob]) -> list[ImportJob]:
        """Jobs come from the store newest first; other orders keep that order among equals."""
        newest = sorted(jobs, key=lambda j: (j.created_at, j.uid), reverse=True)
        if self.sort_by == "newest":
            return newest if self.descending else newest[::-1]
        return sorted(newest, key=sort_key(self.sort_by, self.clock()), reverse=self.descending)

    @property
    def palette(self) -> fmt.Palette:
        return fmt.Palette.from_variables(self.app.theme_variables)

    @property
    def selected(self) -> ImportJob | None:
        return self.jobs.get(self._highlighted) if self._highlighted else None

    def cells(self, job: ImportJob) -> dict[str, Text]:
        palette = self.palette
        now = self.clock()
        p = job.progress
        return {
            "status": fmt.status_cell(job, palette),
            "type": Text(job.job_type.value),
            "resource": Text(job.resource_type, no_wrap=True, overflow="ellipsis"),
            "file": fmt.file_cell(job),
            "progress": fmt.progress_cell(job, palette, width=self._bar_width),
            "rows": Text(fmt.number(p.total) if p.total else "", justify="right"),
            "errors": Text(fmt.number(p.error) if p.error else "", justify="right",
                           style=palette.error if p.error else ""),
            "started": Text(fmt.when(job.started_at, now)),
            "duration": Text(fmt.duration(fmt.job_seconds(job, now)), justify="right"),
        }

    def set_query(self, query: JobQuery) -> None:
        self.query_state = query

    def page_filter(self):
        return self.query_state.to_filter(limit=self.limit)

    def row_cells(self, row: int) -> dict[str, Text]:
        return dict(zip([key for key, _ in self._layout], self.get_row_at(row), strict=True))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.selected is not None:
            self.post_message(self.JobSelected(self.selected))

    def show_page(self, page, select_uid: str | None = None) -> None:
        fresh = {j.uid for j in page.jobs if self.jobs.get(j.uid) is not j}
        jobs = self._sorted(page.jobs)
        self.total = page.total
        keep = select_uid or self._highlighted
        uids = [j.uid for j in jobs]
        same_rows = uids == list(self.jobs)
        self.jobs = {j.uid: j for j in jobs}
        layout = self._columns_for(self.size.width or 160)
        if same_rows and layout == self._layout:
            for job in jobs:  # only rows whose job changed (or runs: its duration moves)
                if job.status is JobStatus.PROCESSING or job.uid in fresh:
                    self._update_cells(job)
        else:
            if layout != self._layout:
                self._set_columns(layout)
            else:
                self.clear()
            for job in jobs:
                cells = self.cells(job)
                self.add_row(*(cells[key] for key, _ in self._layout), key=job.uid)
        if keep in self.jobs:
            self.move_cursor(row=self.get_row_index(keep), scroll=True)
        self._announce()

    def update_job(self, job: ImportJob) -> bool:
        """Show a fresh snapshot of one job in place. False when it is not on this page."""
        if job.uid not in self.jobs:
            return False
        if not self.query_state.keeps(job):
            return False
        before = self.jobs[job.uid]
        self.jobs[job.uid] = job
        if job.status is JobStatus.PROCESSING and before.status is JobStatus.PROCESSING:
            self._stale.add(job.uid)
        else:
            self._update_cells(job)
        if job.uid == self._highlighted:
            self.post_message(self.JobHighlighted(job))
        return True

    def _redraw_stale(self) -> None:
        stale, self._stale = self._stale, set()
        for uid in stale:
            if uid in self.jobs:
                self._update_cells(self.jobs[uid])

    def _update_cells(self, job: ImportJob) -> None:
        self.jobs[job.uid] = job
        self._stale.discard(job.uid)
        cells = self.cells(job)
        shown = {key for key, _ in self._layout}
        self._redraw_row(job.uid, {key: cells[key] for key in LIVE_COLUMNS if key in shown})

    def _redraw_row(self, uid: str, values: dict[str, Text]) -> None:
        """`update_cell` for one row's cells, without throwing away how every other row was drawn.

        DataTable.update_cell bumps a counter that is part of every render-cache key, so each progress
        snapshot re-rendered the whole visible page (~40 ms for 48 rows while two imports ran, and again
        at every layout). Here only this row's cache entries go; the columns have fixed widths, so no
        other row can change. Relies on DataTable internals of the exactly pinned Textual version
        (tests/tui check that the rows show fresh snapshots)."""
        row = self._data[uid]
        for key, value in values.items():
            row[key] = value
        index = self.get_row_index(uid)
        for cache in (self._cell_render_cache, self._row_render_cache):
            for cache_key in [k for k in cache.keys() if k[0] == uid]:  # noqa: SIM118 - an LRUCache is not a dict
                cache.discard(cache_key)
        self._row_renderable_cache.discard((self._update_count, index))
        self._line_cache.clear()  # lines are cut from the row renders: cheap to make again
        self.refresh_row(index)

    def _announce(self) -> None:
        uid = None
        if self.row_count:
            row_key, _ = self.coordinate_to_cell_key((self.cursor_row, 0))
            uid = row_key.value
        self._highlighted = uid
        self.post_message(self.JobHighlighted(self.jobs.get(uid) if uid else None))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        uid = event.row_key.value
        if uid != self._highlighted:
            self._highlighted = uid
            self.post_message(self.JobHighlighted(self.jobs.get(uid)))


class PublicRedrawJobList(DataTableJobList):
    def _redraw_row(self, uid: str, values: dict[str, Text]) -> None:
        """DataTable's public update_cell: the table draws every visible row again (its render caches
        are keyed by an update counter that each call bumps)."""
        for key, value in values.items():
            self.update_cell(uid, key, value, update_width=False)
