"""Every field of one job, grouped: identity, source, options, progress, outcome, timeline, links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from importdesk.models import ImportJob, JobStatus, JobType, ProviderType
from importdesk.tui import formatting as fmt

MIN_LABEL_WIDTH = 11
COLUMN_GAP = 2  # cells between a label and its value (the grid's padding on both sides)
WRAP_MARGIN = 8  # a value this much shorter than the space for it stays on one line, whatever its words


class JobDetail(VerticalScroll, can_focus=True):
    """Scrollable detail of the highlighted job. `show(job)` replaces what is shown."""

    def __init__(self, clock: Callable[[], datetime], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.job: ImportJob | None = None
        self._shape: tuple | None = None  # what decides the body's height, as last drawn

    def compose(self):
        yield Static(Text("No job selected. Press n to import a file.", style="italic"), id="detail-body")

    def on_resize(self) -> None:
        if self.job is not None:  # a long path is laid out for the width it has
            self.call_after_refresh(lambda: self.show(self.job))

    def show(self, job: ImportJob | None) -> None:
        self.job = job
        body = self.query_one("#detail-body", Static)
        if job is None:
            self._shape = None
            body.update(Text("No job selected. Press n to import a file.", style="italic"))
            return
        rows: list[tuple[str, int]] = []
        content = self.render_job(job, rows)
        # Laying out the screen again measures every Rich table (~30 ms at 160x50): skip it while the
        # same rows are shown and every value that could wrap has the same length as last time.
        label_width = max([MIN_LABEL_WIDTH] + [len(label) for label, _ in rows])
        fits = body.size.width - label_width - 1 - WRAP_MARGIN if body.size.width else 0
        shape = tuple((label, 0 if length < fits else length) for label, length in rows)
        same_height = shape == self._shape
        self._shape = shape
        body.update(content, layout=not same_height)

    def _value_width(self) -> int:
        """The cells a value has beside its label (0 before the pane has a size)."""
        width = self.query_one("#detail-body", Static).size.width
        return max(width - MIN_LABEL_WIDTH - COLUMN_GAP, 0) if width else 0

    def render_job(self, job: ImportJob, shape: list[tuple[str, int]] | None = None) -> RenderableType:
        """The detail as Rich renderables; `shape` collects each row's label and value length."""
        palette = fmt.Palette.from_variables(self.app.theme_variables)
        sections: list[RenderableType] = []
        shape = [] if shape is None else shape

        def section(title: str, rows: list[tuple[str, Text | str]]) -> None:
            rows = [(k, v) for k, v in rows if v not in ("", None)]
            if not rows:
                return
            grid = Table.grid(padding=(0, 1))
            grid.add_column(style="bold", justify="right", min_width=MIN_LABEL_WIDTH, no_wrap=True)
            grid.add_column(overflow="fold")
            for label, value in rows:
                text = value if isinstance(value, Text) else Text(value)
                grid.add_row(label, text)
                shape.append((label, len(text.plain)))
            sections.append(Text(title, style=f"bold {palette.primary}"))
            sections.append(grid)

        p = job.progress
        pd = job.provider_data
        status = fmt.status_cell(job, palette)
        if job.error_message:
            status.append("\n")
            status.append(job.error_message, style=palette.error if job.status is JobStatus.ERROR
                          else palette.warning)
        section("Job", [
            ("uid", job.uid),
            ("status", status),
            ("type", f"{job.job_type.value} · {job.resource_type}"),
            ("reference", " · ".join(x for x in (job.reference, job.reference_origin) if x)),
            ("external", job.external_ref or ""),
            ("created by", job.created_by or ""),
        ])

        source_rows: list[tuple[str, Text | str]] = []
        if job.provider_type is ProviderType.IMPORT_JOB:
            source_rows.append(("from job", pd.source_job_uid or ""))
        fmt_bits = [b for b in (job.format or pd.format, pd.encoding,
                                f"delimiter {pd.delimiter!r}" if pd.delimiter else None,
                                f"sheet {pd.sheet}" if pd.sheet else None) if b]
        source_rows += [
            ("file", fmt.one_line(job.file_name)),
            ("format", ", ".join(fmt_bits)),
            ("size", fmt.size(pd.size) if pd.size is not None else ""),
            ("sha256", (pd.sha256 or "")[:16] + ("…" if pd.sha256 else "")),
            ("kept at", fmt.path_lines(pd.kept_path or "", self._value_width())),
        ]
        section("Source", source_rows)

        section("Options", [
            ("locale", job.metadata.locale),
            ("on errors", "skip errors, never interrupt" if job.skip_errors
             else f"interrupt above {job.error_threshold:.0%} of rows"),
            ("parent", job.parent_resource_id or ""),
            ("shared", ", ".join(f"{k}={v}" for k, v in job.metadata.shared_entity_data.items())),
        ])

        bar = fmt.progress_bar(p, palette, width=24)
        bar.append(f" {fmt.percent(p)}%" if p.total else "")
        counts = Text.assemble((f"{p.done:,} done", palette.success), " · ",
                               (f"{p.error:,} error", palette.error if p.error else ""), " · ",
                               f"{p.pending:,} pending", f" of {p.total:,}")
        rate, eta = job.rate_and_eta()
        speed = fmt.rate(rate)
        if rate is not None and eta is not None:
            speed += f" · about {fmt.time_left(eta)} left"
        section("Progress", [
            ("", bar),
            ("rows", counts),
            ("speed", speed),
            ("resume at", f"row {job.metadata.data_row_index:,}" if job.status is JobStatus.INTERRUPTED else ""),
        ])

        s = job.summary
        verb = "will" if job.job_type.value == "validate" else "did"
        outcome: list[tuple[str, Text | str]] = [
            ("summary", f"{verb} create {s.create:,}, update {s.update:,}, unchanged {s.unchanged:,}"
             if (s.create or s.update or s.unchanged) else ""),
            ("written", f"{job.processed_count:,} records" if job.job_type.value == "execute" else ""),
            ("errors", Text(f"{job.errors_count:,}", style=palette.error) if job.errors_count else ""),
            ("warnings", Text(f"{job.warnings_count:,}", style=palette.warning) if job.warnings_count else ""),
        ]
        tc = job.type_counts
        written = "valid" if job.job_type is JobType.VALIDATE else "imported"  # a dry run imports nothing
        for name in sorted(set(tc.uploaded) | set(tc.imported)):
            outcome.append((name, f"uploaded {tc.uploaded.get(name, 0):,}, {written} {tc.imported.get(name, 0):,}"))
        section("Outcome", outcome)

        took = fmt.duration(fmt.job_seconds(job, self.clock()))
        if took and (job.run_seconds or job.run_started_at) and job.interrupted_at and job.started_at:
            took += " of running (not the time it sat interrupted)"
        section("Timeline", [(name, fmt.stamp(at)) for name, at in job.timeline()] + [
            ("updated", fmt.stamp(job.updated_at)),
            ("took", took),
        ])

        section("Links", [
            ("confirms", job.validated_job_uid or ""),
            ("retry of", job.retry_of_uid or ""),
        ])
        return Group(*sections)
