"""All jobs, newest first, one row each; rows update in place while jobs run.

A Line-API widget (as Toolong's log view): it owns its rows' render cache, keyed by the row's
revision (which moves each time a fresh snapshot of its job is drawn), so a running job's snapshot
renders that one row again and every other row comes from the cache. DataTable's caches are keyed by
one counter that every `update_cell` bumps: each snapshot re-rendered the whole visible page (p99 lag
106 ms during two imports, see bench/tui_lag.py). The look is DataTable's (same padding, header and
cursor styles), so the screen reads the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from importdesk.engine.pages import JobsPage
from importdesk.models import ImportJob, JobStatus
from importdesk.tui import formatting as fmt
from importdesk.tui.widgets.filter_bar import JobQuery

# key, label, width (None: the file column takes the room left), may be left out for room
COLUMNS = (("status", "status", 13, False), ("file", "file", None, False), ("progress", "progress", 12, False),
           ("resource", "resource", 10, True), ("type", "type", 8, True), ("rows", "rows", 9, False),
           ("errors", "errors", 7, False), ("started", "started", 8, True), ("duration", "took", 7, False))
MIN_FILE_WIDTH = 20
SQUEEZED_FILE_WIDTH = 8  # the file name when even the narrowest layout leaves less than MIN_FILE_WIDTH
PERCENT_ONLY = 5  # the progress column without its bar, when the list is very narrow
MAX_RESOURCE_WIDTH = 24
CELL_PADDING = 1  # on both sides of each cell, as DataTable
# A running job's row is redrawn at most this often (a status change at once), so a burst of
# snapshots (several jobs, or messages queued while the screen was busy) costs one redraw each.
ROW_REFRESH = 0.5
# What `s` sorts by, in turn; the first is the store's order (newest first)
SORTS = ("newest", "status", "file", "resource", "rows", "errors", "took")
_STATUS_ORDER = {status: i for i, status in enumerate(
    ("processing", "pending", "interrupted", "error", "done", "canceled"))}
# a header cell clicked (or Enter on it) sorts by this
HEADER_SORTS = {"duration": "took", "started": "newest", "progress": "newest", "type": "resource"}


class _Layered:
    """A cell between two styles, as DataTable layers them: the row's (and the cursor's) under the
    cell's own, the cursor's text colour over it."""

    def __init__(self, renderable, pre_style: Style, post_style: Style) -> None:
        self.renderable, self.pre_style, self.post_style = renderable, pre_style, post_style

    def __rich_console__(self, console, options):
        return Segment.apply_style(console.render(self.renderable, options), style=self.pre_style,
                                   post_style=self.post_style)


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


class JobList(ScrollView, can_focus=True):
    """The newest `limit` jobs matching the filter. Highlighting a row selects the job.

    `s` sorts the list by the next column (or a click on a header), `S` turns the order round; sorting
    orders the jobs shown (the newest `limit`), the store keeps the filter. The list reads nothing
    itself: the screen's reader gives it pages (`show_page`) and snapshots (`update_job`)."""

    COMPONENT_CLASSES = {"job-list--header", "job-list--cursor"}
    DEFAULT_CSS = """
    JobList {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .job-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .job-list--header {
                background-tint: $foreground 5%;
            }
        }
        & > .job-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .job-list--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .job-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    BINDINGS = [
        # moving like a DataTable (no tooltip: the keys screen lists the list's own keys, below)
        Binding("enter", "select", "Errors", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First job", show=False, tooltip="Jobs: the first job of the list"),
        Binding("end", "last", "Last job", show=False, tooltip="Jobs: the last job of the list"),
        Binding("s", "sort", "Sort", tooltip="Jobs: sort by the next column (newest, status, file, "
                "resource, rows, errors, took)", id="jobs.sort"),
        Binding("S", "reverse", "Reverse", show=False, tooltip="Jobs: turn the order round", id="jobs.reverse"),
    ]

    class JobHighlighted(Message):
        def __init__(self, job: ImportJob | None) -> None:
            super().__init__()
            self.job = job

    class JobSelected(Message):
        """Enter (or a click) on the highlighted job."""

        def __init__(self, job: ImportJob) -> None:
            super().__init__()
            self.job = job

    class Sorted(Message):
        def __init__(self, column: str, descending: bool) -> None:
            super().__init__()
            self.column = column
            self.descending = descending

    def __init__(self, clock: Callable[[], datetime], *, limit: int = 500, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.limit = limit
        self.query_state = JobQuery()
        self.jobs: dict[str, ImportJob] = {}  # in the order shown
        self.total = 0
        self.cursor_row = 0
        self._highlighted: str | None = None
        self._stale: set[str] = set()  # running jobs whose newest snapshot is not drawn yet
        self.sort_by = "newest"
        self.descending = True  # newest first; biggest first for numbers
        self._layout: tuple[tuple[str, int], ...] = ()  # the columns shown and their widths
        self._order: list[str] = []  # uids by row
        self._cells: dict[str, dict[str, Text]] = {}  # each row's cells as last drawn
        self._revision: dict[str, int] = {}  # moves each time a row's cells are made again
        self._next_revision = 0
        self._strips: LRUCache[tuple, Strip] = LRUCache(1024)

    def on_mount(self) -> None:
        self._set_layout(self._columns_for(self.size.width or 160))
        self.set_interval(ROW_REFRESH, self._redraw_stale, name="redraw running jobs")

    def set_query(self, query: JobQuery) -> None:
        """The filter the next pages are read with (the screen asks the reader for one)."""
        self.query_state = query

    def page_filter(self):
        return self.query_state.to_filter(limit=self.limit)

    # ---- what a test or a screen reads ---------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._order)

    def row_cells(self, row: int) -> dict[str, Text]:
        """The cells of a row as shown, by column key."""
        return self._cells[self._order[row]]

    @property
    def selected(self) -> ImportJob | None:
        return self.jobs.get(self._highlighted) if self._highlighted else None

    @property
    def palette(self) -> fmt.Palette:
        return fmt.Palette.from_variables(self.app.theme_variables)

    # ---- columns for the room there is ---------------------------------------------------------
    def _columns_for(self, width: int) -> tuple[tuple[str, int], ...]:
        """Every column whose room leaves the file name at least MIN_FILE_WIDTH; the file takes the rest.
        Left out first: started, type, resource (the detail pane shows them)."""
        resource = min(max([8] + [len(j.resource_type) for j in self.jobs.values()]), MAX_RESOURCE_WIDTH)
        widths = {key: resource if key == "resource" else w for key, _, w, _ in COLUMNS if key != "file"}
        padding = 2 * CELL_PADDING
        for drop in ((), ("started",), ("started", "type"), ("started", "type", "resource"),
                     ("started", "type", "resource", "bar")):
            fixed = [(key, PERCENT_ONLY if key == "progress" and "bar" in drop else w)
                     for key, w in widths.items() if key not in drop]
            used = sum(w + padding for _, w in fixed) + padding + 2  # the file's padding, a scrollbar
            if width - used >= MIN_FILE_WIDTH:
                break
        file_width = max(width - used, SQUEEZED_FILE_WIDTH)  # the name gives way, not the columns after it
        order = [key for key, _, _, _ in COLUMNS]
        return tuple(sorted([*fixed, ("file", file_width)], key=lambda c: order.index(c[0])))

    @property
    def _bar_width(self) -> int:
        return max(dict(self._layout).get("progress", 12) - PERCENT_ONLY, 0)

    def _set_layout(self, layout: tuple[tuple[str, int], ...]) -> None:
        """New columns: every row's cells are made again (the bar's width may have changed)."""
        self._layout = layout
        for uid in self._order:
            self._make_cells(self.jobs[uid])
        self._size_changed()

    def _size_changed(self) -> None:
        width = sum(w + 2 * CELL_PADDING for _, w in self._layout)
        self.virtual_size = Size(width, len(self._order) + 1)  # + the header
        self.refresh()

    def _labels(self) -> list[Text]:
        labels = {key: label for key, label, _, _ in COLUMNS}
        out = []
        for key, width in self._layout:
            label = "%" if key == "progress" and width == PERCENT_ONLY else labels[key]
            shown = "took" if key == "duration" else key
            if shown == self.sort_by:
                label = f"{label} {'↓' if self.descending else '↑'}"
            out.append(Text(label))
        return out

    def on_resize(self, event: events.Resize) -> None:
        layout = self._columns_for(event.size.width)
        if layout != self._layout:
            self._set_layout(layout)
        self._scroll_to_cursor()

    # ---- rows --------------------------------------------------------------------------------
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

    def _make_cells(self, job: ImportJob) -> None:
        self._cells[job.uid] = self.cells(job)
        self._next_revision += 1
        self._revision[job.uid] = self._next_revision

    def _row_of(self, uid: str) -> int | None:
        try:
            return self._order.index(uid)
        except ValueError:
            return None

    def show_page(self, page: JobsPage, select_uid: str | None = None) -> None:
        """Show a page the reader read; keep the highlighted job if it is still there."""
        self.total = page.total
        keep = select_uid or self._highlighted
        before = self.jobs
        jobs = self._sorted(page.jobs)
        self.jobs = {j.uid: j for j in jobs}
        layout = self._columns_for(self.size.width or 160)
        for job in jobs:  # rows whose job changed (or runs: its duration moves) are made again
            old = before.get(job.uid)
            if (layout != self._layout or old is None or old is not job or job.status is JobStatus.PROCESSING
                    or job.uid not in self._cells):
                self._make_cells(job)
                self._stale.discard(job.uid)
        self._order = list(self.jobs)
        for uid in set(self._cells) - set(self.jobs):
            del self._cells[uid]
            self._revision.pop(uid, None)
        if layout != self._layout:
            self._set_layout(layout)
        else:
            self._size_changed()
        self._place_cursor(self._row_of(keep) if keep else None)

    def update_job(self, job: ImportJob) -> bool:
        """Show a fresh snapshot of one job in place. False when it is not on this page or no longer
        matches the filter (the screen asks for a new page then)."""
        if job.uid not in self.jobs or not self.query_state.keeps(job):
            return False
        before = self.jobs[job.uid]
        self.jobs[job.uid] = job
        if job.status is JobStatus.PROCESSING and before.status is JobStatus.PROCESSING:
            self._stale.add(job.uid)
        else:
            self._redraw(job)
        if job.uid == self._highlighted:
            self.post_message(self.JobHighlighted(job))
        return True

    def _redraw_stale(self) -> None:
        stale, self._stale = self._stale, set()
        for uid in stale:
            if uid in self.jobs:
                self._redraw(self.jobs[uid])

    def _redraw(self, job: ImportJob) -> None:
        """The one row again: a new revision, so its cached lines are not used any more."""
        self._stale.discard(job.uid)
        self._make_cells(job)
        row = self._row_of(job.uid)
        if row is not None:
            self.refresh_line(row + 1)

    # ---- drawing -----------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        focused = self.has_focus
        if y == 0:
            key = ("header", self._layout, self.sort_by, self.descending, width, base, focused)
            strip = self._strips.get(key)
            if strip is None:
                strip = self._render_row(-1, self._labels(), width, base, cursor=False)
                self._strips[key] = strip
            return strip
        row = int(self.scroll_y) + y - 1
        if not 0 <= row < len(self._order):
            return Strip.blank(width, base)
        uid = self._order[row]
        cursor = row == self.cursor_row
        key = (uid, self._revision[uid], row, cursor, self._layout, width, base, focused)
        strip = self._strips.get(key)
        if strip is None:
            cells = self._cells[uid]
            strip = self._render_row(row, [cells[k] for k, _ in self._layout], width, base, cursor=cursor)
            self._strips[key] = strip
        return strip

    def _render_row(self, row: int, cells: list[Text], width: int, base: Style, *, cursor: bool) -> Strip:
        """One line as DataTable draws it: each cell padded, the rest of the width in the row's style."""
        header = row == -1
        row_style = self.get_component_rich_style("job-list--header") if header else base
        component = self.get_component_rich_style("job-list--cursor") if cursor else Style()
        post = Style.from_color(color=component.color) if cursor else Style.null()  # the cursor's text colour wins
        options = self.app.console_options.update_dimensions(0, 1).update(no_wrap=True)
        console = self.app.console
        segments: list[Segment] = []
        for index, ((_, w), cell) in enumerate(zip(self._layout, cells, strict=True)):
            meta = Style.from_meta({"row": row, "column": index})
            lines = console.render_lines(
                _Layered(Padding(cell, (0, CELL_PADDING)), pre_style=row_style + meta + component,
                       post_style=post),
                options.update_width(w + 2 * CELL_PADDING))
            segments.extend(lines[0])
        used = sum(w + 2 * CELL_PADDING for _, w in self._layout)
        filler = Style.from_meta({"row": row, "column": 0, "out_of_bounds": True})
        segments.append(Segment(" " * max(0, width - used), row_style + component + filler))
        return Strip(segments).crop(0, width).adjust_cell_length(width, base).simplify()

    # ---- the cursor --------------------------------------------------------------------------
    def _place_cursor(self, row: int | None) -> None:
        """Move the cursor (None: keep its row, within the rows there are) and tell who is highlighted."""
        self._move_to(self.cursor_row if row is None else row, announce=True)

    def move_cursor(self, row: int) -> None:
        self._move_to(row)

    def _move_to(self, row: int, *, announce: bool = False) -> None:
        old = self.cursor_row
        self.cursor_row = max(0, min(row, len(self._order) - 1))
        if old != self.cursor_row:
            self.refresh_line(old + 1)
            self.refresh_line(self.cursor_row + 1)
        self._scroll_to_cursor()
        uid = self._order[self.cursor_row] if self._order else None
        if announce or uid != self._highlighted:
            self._highlighted = uid
            self.post_message(self.JobHighlighted(self.jobs.get(uid) if uid else None))

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)  # the header stays

    def _scroll_to_cursor(self) -> None:
        if not self._order:
            return
        top, visible = int(self.scroll_y), self._visible_rows()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, force=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, force=True)

    def action_move(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step * self._visible_rows())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._order) - 1)

    def action_select(self) -> None:
        job = self.selected
        if job is not None:
            self.post_message(self.JobSelected(job))

    def on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        if "row" not in meta:
            return
        row, column = meta["row"], meta.get("column", 0)
        if row == -1:
            self._header_clicked(self._layout[column][0])
        elif row == self.cursor_row:
            self.action_select()
        else:
            self.move_cursor(row)

    # ---- sorting -----------------------------------------------------------------------------
    def action_sort(self, column: str | None = None) -> None:
        if column is None:
            column = SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)]
        self.sort_by, self.descending = column, column in ("newest", "rows", "errors", "took")
        self._resort()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self._resort()

    def _header_clicked(self, key: str) -> None:
        column = HEADER_SORTS.get(key, key)
        if column == self.sort_by:
            self.action_reverse()
        else:
            self.action_sort(column)

    def _resort(self) -> None:
        keep = self._highlighted
        self.jobs = {j.uid: j for j in self._sorted(list(self.jobs.values()))}
        self._order = list(self.jobs)
        self._size_changed()
        self._place_cursor(self._row_of(keep) if keep else None)
        self.post_message(self.Sorted(self.sort_by, self.descending))

    def _sorted(self, jobs: list[ImportJob]) -> list[ImportJob]:
        """Jobs come from the store newest first; other orders keep that order among equals."""
        newest = sorted(jobs, key=lambda j: (j.created_at, j.uid), reverse=True)
        if self.sort_by == "newest":
            return newest if self.descending else newest[::-1]
        return sorted(newest, key=sort_key(self.sort_by, self.clock()), reverse=self.descending)
