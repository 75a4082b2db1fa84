"""A job's errors and warnings, one page at a time from SQLite (never all items in a widget)."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Select, Static

from importdesk.engine import Engine
from importdesk.models import ImportJob, ItemLevel, JobItem, JobStatus
from importdesk.tui import formatting as fmt

EDIT_MARK = "✎"


def correctable(job: ImportJob | None) -> bool:
    """A finished job with failed rows: its rejected values can be corrected for a retry."""
    return job is not None and job.status is JobStatus.DONE and job.progress.error > 0


def editable(job: ImportJob | None, item: JobItem) -> bool:
    return (correctable(job) and item.level is ItemLevel.ERROR and item.row_number is not None
            and bool(item.field))


class ErrorGrid(DataTable):
    """The visible page. PgUp/PgDn/Home/End move by pages; arrows past an edge turn the page."""

    BINDINGS = [
        Binding("pagedown", "turn(1)", "Next page", show=False, tooltip="Errors pane: the next page"),
        Binding("pageup", "turn(-1)", "Previous page", show=False, tooltip="Errors pane: the previous page"),
        Binding("home", "turn('first')", "First page", show=False, tooltip="Errors pane: the first page"),
        Binding("end", "turn('last')", "Last page", show=False, tooltip="Errors pane: the last page"),
        Binding("f2", "edit", "Edit value", key_display="F2",
                tooltip="Errors pane: correct the rejected value (Enter too)", id="errors.edit"),
    ]

    class EditAsked(Message):
        """Enter or F2 on a row of the page."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    class PageTurned(Message):
        def __init__(self, where: int | str, cursor: str = "first") -> None:
            super().__init__()
            self.where = where
            self.cursor = cursor

    class Resized(Message):
        def __init__(self, rows: int) -> None:
            super().__init__()
            self.rows = rows

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(max(event.size.height - 1, 3)))  # one line is the header

    def action_edit(self) -> None:
        if self.row_count:
            self.post_message(self.EditAsked(self.cursor_row))

    def action_turn(self, where: int | str) -> None:
        self.post_message(self.PageTurned(where))

    def action_cursor_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.post_message(self.PageTurned(1, cursor="first"))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.row_count and self.cursor_row == 0:
            self.post_message(self.PageTurned(-1, cursor="last"))
        else:
            super().action_cursor_up()


class ErrorTable(Vertical):
    """Summary of error kinds, level and column filters, the page, and where we are."""

    class EditRequested(Message):
        """The user wants to correct this failed row's value (the screen opens the dialog)."""

        def __init__(self, job: ImportJob, item: JobItem, current: str | None) -> None:
            super().__init__()
            self.job = job
            self.item = item
            self.current = current

    def __init__(self, engine: Engine, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.engine = engine
        self.job: ImportJob | None = None
        self.level: ItemLevel | None = None
        self.field: str | None = None  # None: any column
        self.page_offset = 0
        self.total = 0
        self.page_size = 20
        self.items: list[JobItem] = []  # the visible page
        self.edits: dict[int, dict[str, str | None]] = {}  # corrections of the job's failed rows

    def compose(self) -> ComposeResult:
        yield Static("", id="error-kinds")
        with Horizontal(id="error-filters"):
            yield Select([("errors", "error"), ("warnings", "warning")], prompt="errors & warnings",
                         id="error-level", compact=True)
            yield Select([], prompt="any column", id="error-field", compact=True)
            yield Static("", id="error-position")
        grid = ErrorGrid(id="errors-grid", cursor_type="row")
        grid.add_column("row", key="row", width=7)
        grid.add_column("level", key="level", width=7)
        grid.add_column("column", key="column", width=12)
        grid.add_column("value", key="value", width=18)
        grid.add_column("message", key="message")
        yield grid

    @property
    def grid(self) -> ErrorGrid:
        return self.query_one(ErrorGrid)

    # ---- what is shown -------------------------------------------------------------------------
    def show(self, job: ImportJob | None, *, keep_place: bool = False) -> None:
        """Show this job's items; `keep_place` when it is the same job with fresh counts."""
        same = job is not None and self.job is not None and job.uid == self.job.uid
        self.job = job
        if not (same and keep_place):
            self.page_offset = 0
            if not same:
                with self.prevent(Select.Changed):
                    self.query_one("#error-level", Select).clear()
                    self.query_one("#error-field", Select).clear()
                self.level = self.field = None
        self._load_fields()
        self._load_kinds()
        self.load_page()

    def _filter_args(self) -> dict:
        return dict(level=self.level, field=self.field)

    def _load_fields(self) -> None:
        select = self.query_one("#error-field", Select)
        fields = self.engine.item_fields(self.job.uid) if self.job else []
        options = [(f, f) for f in fields]
        with self.prevent(Select.Changed):
            current = select.value
            select.set_options(options)
            if current is not Select.NULL and current in fields:
                select.value = current

    def _load_kinds(self) -> None:
        kinds_view = self.query_one("#error-kinds", Static)
        if self.job is None:
            kinds_view.update("")
            return
        kinds = self.engine.item_kinds(self.job.uid)
        if not kinds:
            kinds_view.update(Text("No errors or warnings.", style="italic"))
            return
        palette = fmt.Palette.from_variables(self.app.theme_variables)
        text = Text()
        for i, kind in enumerate(kinds[:6]):
            if i:
                text.append("  ·  ")
            style = palette.error if kind.level is ItemLevel.ERROR else palette.warning
            text.append(f"{kind.count:,}× ", style=f"bold {style}")
            text.append(f"{kind.field or 'row'}: {kind.code}")
        if len(kinds) > 6:
            text.append(f"  ·  +{len(kinds) - 6} more kinds", style="italic")
        kinds_view.update(text)

    def load_page(self, cursor: str | None = None) -> None:
        grid = self.grid
        row = grid.cursor_row
        grid.clear()
        self.items = []
        if self.job is None:
            self.total = 0
            self._show_position()
            return
        args = self._filter_args()
        self.total = self.engine.count_items(self.job.uid, **args)
        if self.page_offset >= self.total:
            self.page_offset = max(0, (self.total - 1) // self.page_size * self.page_size)
        items = self.engine.list_items(self.job.uid, **args, offset=self.page_offset, limit=self.page_size)
        self.items = items
        self.edits = self.engine.row_edits(self.job.uid) if correctable(self.job) else {}
        palette = fmt.Palette.from_variables(self.app.theme_variables)
        for item in items:
            grid.add_row(*self._cells(item, palette, self.edits), key=str(item.id))
        if grid.row_count:
            target = {"first": 0, "last": grid.row_count - 1}.get(cursor or "", min(row, grid.row_count - 1))
            grid.move_cursor(row=target, animate=False)
        self._show_position()

    @staticmethod
    def correction(edits: dict[int, dict[str, str | None]], item: JobItem) -> tuple[bool, str | None]:
        """(corrected?, the correction) of this item's row and field."""
        row = edits.get(item.row_number) if item.row_number is not None else None
        if row is None or not item.field or item.field not in row:
            return False, None
        return True, row[item.field]

    @classmethod
    def _cells(cls, item: JobItem, palette: fmt.Palette,
               edits: dict[int, dict[str, str | None]] | None = None) -> tuple[Text, ...]:
        level_style = palette.error if item.level is ItemLevel.ERROR else palette.warning
        edited, new = cls.correction(edits or {}, item)
        if edited:
            value = Text.assemble((f"{EDIT_MARK} ", f"bold {palette.success}"),
                                  (fmt.one_line(new) if new else "(empty)", palette.success))
        else:
            value = Text(fmt.one_line(item.value) if item.value is not None else "–")
        return (
            Text(str(item.row_number) if item.row_number is not None else "file", justify="right"),
            Text(item.level.value, style=level_style),
            Text(fmt.one_line(item.field or "(row)")),
            value,
            Text(fmt.one_line(item.message, 300)),
        )

    def _show_position(self) -> None:
        position = self.query_one("#error-position", Static)
        if not self.total:
            position.update("no items" if self.job else "")
            return
        page = self.page_offset // self.page_size + 1
        pages = (self.total - 1) // self.page_size + 1
        last = min(self.page_offset + self.page_size, self.total)
        text = f"{self.page_offset + 1:,}–{last:,} of {self.total:,} · page {page:,}/{pages:,}"
        if self.edits:
            text += f" · {EDIT_MARK} {len(self.edits):,} row{'s' if len(self.edits) != 1 else ''} corrected"
        position.update(text)

    # ---- correcting a failed row ---------------------------------------------------------------
    @on(ErrorGrid.EditAsked)
    def _on_edit_asked(self, event: ErrorGrid.EditAsked) -> None:
        event.stop()
        self.ask_edit(event.row)

    @on(DataTable.RowSelected, "#errors-grid")
    def _on_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.ask_edit(event.cursor_row)

    def ask_edit(self, row: int) -> None:
        if self.job is None or not 0 <= row < len(self.items):
            return
        item = self.items[row]
        if not editable(self.job, item):
            why = ("only a finished job's failed rows can be corrected (then retried)"
                   if not correctable(self.job) else "only an error of a row's field can be corrected")
            self.notify(why, title="Not editable", severity="warning", markup=False)
            return
        edited, new = self.correction(self.edits, item)
        self.post_message(self.EditRequested(self.job, item, new if edited else item.value))

    # ---- paging and filters ------------------------------------------------------------------
    @on(ErrorGrid.PageTurned)
    def _on_page_turned(self, event: ErrorGrid.PageTurned) -> None:
        event.stop()
        last_offset = max(0, (self.total - 1) // self.page_size * self.page_size)
        where = event.where
        if where == "first":
            offset = 0
        elif where == "last":
            offset = last_offset
        else:
            offset = min(max(self.page_offset + int(where) * self.page_size, 0), last_offset)
        if offset == self.page_offset:
            if where in ("first", "last"):
                self.grid.move_cursor(row=0 if where == "first" else self.grid.row_count - 1)
            return
        self.page_offset = offset
        self.load_page(cursor=event.cursor)

    @on(Select.Changed, "#error-level")
    def _on_level(self, event: Select.Changed) -> None:
        event.stop()
        self.level = None if event.value is Select.NULL else ItemLevel(str(event.value))
        self.page_offset = 0
        self.load_page(cursor="first")

    @on(Select.Changed, "#error-field")
    def _on_field(self, event: Select.Changed) -> None:
        event.stop()
        self.field = None if event.value is Select.NULL else str(event.value)
        self.page_offset = 0
        self.load_page(cursor="first")

    @on(ErrorGrid.Resized)
    def _on_grid_resized(self, event: "ErrorGrid.Resized") -> None:
        event.stop()
        visible = event.rows
        if visible != self.page_size:
            self.page_offset = self.page_offset // visible * visible
            self.page_size = visible
            if self.job is not None:
                self.load_page()
