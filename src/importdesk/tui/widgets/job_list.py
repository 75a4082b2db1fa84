"""All jobs, newest first, one row each; rows update in place while jobs run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from importdesk.engine import Engine
from importdesk.models import ImportJob, JobStatus
from importdesk.tui import formatting as fmt
from importdesk.tui.widgets.filter_bar import JobQuery

COLUMNS = (("status", "status", 13), ("file", "file", 20), ("progress", "progress", 12),
           ("resource", "resource", 10), ("type", "type", 8), ("rows", "rows", 6),
           ("errors", "errors", 6), ("started", "started", 8), ("duration", "took", 6))
LIVE_COLUMNS = ("status", "progress", "rows", "errors", "started", "duration")
# A running job's row is redrawn at most this often (a status change at once), so a burst of
# snapshots (several jobs, or messages queued while the screen was busy) costs one redraw each.
ROW_REFRESH = 0.5


class JobList(DataTable):
    """The newest `limit` jobs matching the filter. Highlighting a row selects the job."""

    class JobHighlighted(Message):
        def __init__(self, job: ImportJob | None) -> None:
            super().__init__()
            self.job = job

    def __init__(self, engine: Engine, clock: Callable[[], datetime], *, limit: int = 500,
                 id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.engine = engine
        self.clock = clock
        self.limit = limit
        self.query_state = JobQuery()
        self.jobs: dict[str, ImportJob] = {}
        self.total = 0
        self._highlighted: str | None = None
        self._stale: set[str] = set()  # running jobs whose newest snapshot is not drawn yet
        self._revisions: dict[str, int] = {}  # the store's revision of each job as last read

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)
        self.set_interval(ROW_REFRESH, self._redraw_stale, name="redraw running jobs")

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
            "resource": Text(job.resource_type),
            "file": Text(fmt.one_line(job.file_name, 80), no_wrap=True, overflow="ellipsis"),
            "progress": fmt.progress_cell(job, palette, width=7),
            "rows": Text(fmt.number(p.total) if p.total else "", justify="right"),
            "errors": Text(fmt.number(p.error) if p.error else "", justify="right",
                           style=palette.error if p.error else ""),
            "started": Text(fmt.when(job.started_at, now)),
            "duration": Text(fmt.duration(fmt.job_seconds(job, now)), justify="right"),
        }

    def set_query(self, query: JobQuery) -> None:
        self.query_state = query
        self.reload()

    def reload(self, select_uid: str | None = None) -> None:
        """Read the visible page again; keep the highlighted job if it is still there."""
        flt = self.query_state.to_filter(limit=self.limit)
        # Read (and parse) only the jobs whose revision moved: while another process imports, the
        # store changes every batch, and parsing 500 jobs took ~140 ms of the event loop.
        revisions = self.engine.job_revisions(flt)
        fresh = self.engine.get_jobs([uid for uid, rev in revisions
                                      if self._revisions.get(uid) != rev or uid not in self.jobs])
        jobs = [job for job in (fresh.get(uid) or self.jobs.get(uid) for uid, _ in revisions) if job]
        self._revisions = dict(revisions)
        self.total = self.engine.count_jobs(flt) if len(jobs) >= self.limit else len(jobs)
        keep = select_uid or self._highlighted
        uids = [j.uid for j in jobs]
        if uids == list(self.jobs):
            for job in jobs:  # only rows whose job changed (or runs: its duration moves)
                if job.status is JobStatus.PROCESSING or job.uid in fresh:
                    self._update_cells(job)
        else:
            self.clear()
            for job in jobs:
                cells = self.cells(job)
                self.add_row(*(cells[key] for key, _, _ in COLUMNS), key=job.uid)
        self.jobs = {j.uid: j for j in jobs}
        if keep in self.jobs:
            self.move_cursor(row=self.get_row_index(keep), scroll=True)
        self._announce()

    def update_job(self, job: ImportJob) -> bool:
        """Show a fresh snapshot of one job in place. False when it is not on this page."""
        if job.uid not in self.jobs:
            return False
        if not self.query_state.keeps(job):
            self.reload()
            return True
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
        self._redraw_row(job.uid, {key: cells[key] for key in LIVE_COLUMNS})

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
            for cache_key in [k for k in cache.keys() if k[0] == uid]:
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
