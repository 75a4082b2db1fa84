"""A job's errors and warnings, one page at a time (never all items in a widget).

The pane reads nothing itself: it says which page it wants (`PageWanted`) and shows the page the
screen's reader sends back (`show_page`)."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Select, Static

from importdesk.engine.pages import ErrorsPage, ErrorsQuery
from importdesk.models import ImportJob, ItemLevel, JobItem, JobStatus
from importdesk.tui import formatting as fmt

EDIT_MARK = "✎"
NARROW_GRID = 100  # columns: below this the column and value columns are narrower
WHOLE_ROW = "(row)"  # the column choice for errors about a whole row (a ragged line, a bad JSON line)


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
        def __init__(self, rows: int, width: int) -> None:
            super().__init__()
            self.rows = rows
            self.width = width

    def watch_virtual_size(self) -> None:
        # A page arrives after the pane took its size: Textual's ScrollView decides on its scrollbars
        # only when its own size changes, so a page that fits would keep the last page's scrollbar.
        self._refresh_scrollbars()

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(max(event.size.height - 1, 3), event.size.width))  # a line: the header

    can_edit = False  # the job shown has failed rows to correct (its table says so)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_edit if action == "edit" else True  # F2 in the footer only where it applies

    def on_key(self, event: events.Key) -> None:
        if event.key == "f2" and not self.can_edit:  # left out of the footer; still says why
            event.stop()
            self.action_edit()

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
    """Summary of error kinds; a search, level and column filters (Tab reaches them); the page; the
    highlighted item's whole message; where we are (in the border)."""

    class EditRequested(Message):
        """The user wants to correct this failed row's value (the screen opens the dialog)."""

        def __init__(self, job: ImportJob, item: JobItem, current: str | None) -> None:
            super().__init__()
            self.job = job
            self.item = item
            self.current = current

    class PageWanted(Message):
        """The page to read and show (the screen asks its reader); `refresh`: the same running job's
        counts moved, so the read may wait a little."""

        def __init__(self, query: ErrorsQuery, refresh: bool = False) -> None:
            super().__init__()
            self.query = query
            self.refresh = refresh

    BINDINGS = [Binding("escape", "clear_search", "Clear search", show=False,
                        tooltip="Errors pane: clear the search (again: back to the list)")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.job: ImportJob | None = None
        self.level: ItemLevel | None = None
        self.field: str | None = None  # None: any column; WHOLE_ROW: errors about a whole row
        self.text = ""  # in the message or the value
        self._grid_width = 0  # the grid's width its columns were made for
        self.page_offset = 0
        self.total = 0
        self.page_size = 20
        self.items: list[JobItem] = []  # the visible page
        self.edits: dict[int, dict[str, str | None]] = {}  # corrections of the job's failed rows
        self._cursor: str | None = None  # where the cursor goes on the page asked for

    def compose(self) -> ComposeResult:
        yield Static("", id="error-kinds")
        with Horizontal(id="error-filters"):
            yield Input(placeholder="search messages, values", id="error-search", compact=True)
            yield Select([("errors", "error"), ("warnings", "warning")], prompt="errors & warnings",
                         id="error-level", compact=True)
            yield Select([], prompt="any column", id="error-field", compact=True)
        grid = ErrorGrid(id="errors-grid", cursor_type="row")
        self._set_columns(grid, 120)
        yield grid
        yield Static("", id="error-message")

    @staticmethod
    def _set_columns(grid: ErrorGrid, width: int) -> None:
        """Fixed columns, narrower when the pane is; the message takes the rest (whole, below the grid)."""
        narrow = width < NARROW_GRID
        fixed = (("row", 7), ("level", 7), ("column", 10 if narrow else 14), ("value", 14 if narrow else 20))
        used = sum(w + 2 for _, w in fixed) + 2 + 2  # cell padding, the message's padding, a scrollbar
        grid.clear(columns=True)
        for key, w in fixed:
            grid.add_column(key, key=key, width=w)
        grid.add_column("message", key="message", width=max(width - used, 12))

    @property
    def grid(self) -> ErrorGrid:
        return self.query_one(ErrorGrid)

    # ---- what is shown -------------------------------------------------------------------------
    def show(self, job: ImportJob | None, *, keep_place: bool = False, refresh: bool = False) -> None:
        """Show this job's items; `keep_place` when it is the same job with fresh counts (`refresh`:
        while it runs)."""
        same = job is not None and self.job is not None and job.uid == self.job.uid
        self.job = job
        if self.grid.can_edit != correctable(job):
            self.grid.can_edit = correctable(job)
            self.grid.refresh_bindings()
        if not (same and keep_place):
            self.page_offset = 0
            if not same:
                with self.prevent(Select.Changed, Input.Changed):
                    self.query_one("#error-level", Select).clear()
                    self.query_one("#error-field", Select).clear()
                    self.query_one("#error-search", Input).value = ""
                self.level = self.field = None
                self.text = ""
        self.load_page(with_kinds=True, refresh=refresh)

    def load_page(self, cursor: str | None = None, *, with_kinds: bool = False, refresh: bool = False) -> None:
        """Ask for the page at `page_offset` (`cursor`: "first" or "last" row, else where it is)."""
        self._cursor = cursor
        if self.job is None:
            self._show_fields([])
            self._fill(None)
            return
        whole_row = self.field == WHOLE_ROW
        query = ErrorsQuery(self.job.uid, level=self.level, field=None if whole_row else self.field,
                            whole_row=whole_row, text=self.text or None, offset=self.page_offset,
                            limit=self.page_size, with_kinds=with_kinds, with_edits=correctable(self.job))
        self.post_message(self.PageWanted(query, refresh))

    def show_page(self, page: ErrorsPage) -> None:
        """The page read for the newest ask (the screen drops older ones)."""
        if self.job is None or page.query.uid != self.job.uid:
            return
        self._show_fields(page.fields)
        if page.kinds is not None:
            self._show_kinds(page.kinds)
        self._fill(page)

    def _show_fields(self, fields: list[str]) -> None:
        select = self.query_one("#error-field", Select)
        options = [(WHOLE_ROW, WHOLE_ROW)] + [(f, f) for f in fields]
        with self.prevent(Select.Changed):
            current = select.value
            select.set_options(options)
            if current is not Select.NULL and current in (WHOLE_ROW, *fields):
                select.value = current

    def _show_kinds(self, kinds) -> None:
        kinds_view = self.query_one("#error-kinds", Static)
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
            text.append(f"{kind.field or WHOLE_ROW}: {kind.code}")
        if len(kinds) > 6:
            text.append(f"  ·  +{len(kinds) - 6} more kinds", style="italic")
        kinds_view.update(text)

    def _fill(self, page: ErrorsPage | None) -> None:
        grid = self.grid
        row = grid.cursor_row
        grid.clear()
        if page is None:
            self.query_one("#error-kinds", Static).update("")
            self.items, self.total, self.edits = [], 0, {}
        else:
            self.items, self.total, self.page_offset, self.edits = page.items, page.total, page.offset, page.edits
            palette = fmt.Palette.from_variables(self.app.theme_variables)
            for item in page.items:
                grid.add_row(*self._cells(item, palette, self.edits), key=str(item.id))
        if grid.row_count:
            target = {"first": 0, "last": grid.row_count - 1}.get(self._cursor or "", min(row, grid.row_count - 1))
            grid.move_cursor(row=target, animate=False)
        self._show_position()
        self._show_message()

    def _show_message(self) -> None:
        """The highlighted item's whole message, wrapped: the grid's message column is often cut."""
        view = self.query_one("#error-message", Static)
        row = self.grid.cursor_row
        if not self.items or not 0 <= row < len(self.items):
            why = ""
            if self.job is not None and not self.total and (self.text or self.level or self.field):
                why = "Nothing matches the search and filters (Esc in the search clears it)."
            view.update(Text(why, style="italic"))
            return
        item = self.items[row]
        where = f"row {item.row_number}" if item.row_number is not None else "file"
        text = Text.assemble((f"{where} · {item.field or WHOLE_ROW}: ", "bold"), item.message)
        if item.value is not None:
            text.append(f" (value: {fmt.one_line(item.value, 120)})")
        view.update(text)

    @on(DataTable.RowHighlighted, "#errors-grid")
    def _on_item_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_message()

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
            value = Text(fmt.one_line(item.value) if item.value is not None else "–", no_wrap=True,
                         overflow="ellipsis")
        return (
            Text(str(item.row_number) if item.row_number is not None else "file", justify="right"),
            Text(item.level.value, style=level_style),
            Text(fmt.one_line(item.field or WHOLE_ROW), no_wrap=True, overflow="ellipsis"),
            value,
            Text(fmt.one_line(item.message, 300), no_wrap=True, overflow="ellipsis"),
        )

    def _show_position(self) -> None:
        if not self.total:
            self.border_subtitle = "no items" if self.job else ""
            return
        page = self.page_offset // self.page_size + 1
        pages = (self.total - 1) // self.page_size + 1
        last = min(self.page_offset + self.page_size, self.total)
        text = f"{self.page_offset + 1:,}–{last:,} of {self.total:,} · page {page:,}/{pages:,}"
        if self.edits:
            text += f" · {EDIT_MARK} {len(self.edits):,} row{'s' if len(self.edits) != 1 else ''} corrected"
        self.border_subtitle = text

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

    @on(Input.Changed, "#error-search")
    def _on_search(self, event: Input.Changed) -> None:
        event.stop()
        self.text = event.value.strip()
        self.page_offset = 0
        self.load_page(cursor="first")

    @on(Input.Submitted, "#error-search")
    def _on_search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.grid.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#error-search", Input)
        if search.value:
            search.value = ""
        else:
            self.grid.focus()

    @on(Select.Changed, "#error-field")
    def _on_field(self, event: Select.Changed) -> None:
        event.stop()
        self.field = None if event.value is Select.NULL else str(event.value)
        self.page_offset = 0
        self.load_page(cursor="first")

    @on(ErrorGrid.Resized)
    def _on_grid_resized(self, event: ErrorGrid.Resized) -> None:
        event.stop()
        visible = event.rows
        width_changed = event.width != self._grid_width
        if width_changed:
            self._grid_width = event.width
            self._set_columns(self.grid, event.width)
        if visible != self.page_size or width_changed:
            self.page_offset = self.page_offset // visible * visible
            self.page_size = visible
            self.load_page()
