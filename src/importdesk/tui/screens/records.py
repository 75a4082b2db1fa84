"""The records view: the stored records of each type, a page at a time, filtered and sorted by any
field; Enter opens one record. A reader worker loads each page and posts it; the grid only shows it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Select, Static

from importdesk.engine import Engine
from importdesk.engine.job_loop import thread_store
from importdesk.engine.record_browser import RecordDetail, RecordPage, RecordQuery, page, record
from importdesk.tui import formatting as fmt
from importdesk.tui.keys import GLOBAL_BINDINGS
from importdesk.tui.screens.dialog import DialogScreen
from importdesk.tui.widgets.fitted_footer import FittedFooter

CELL_WIDTH = 18  # a field's column in the grid; the record dialog shows values whole
KEY_WIDTH = 22
READER = "records-reader"  # the worker group that reads pages (one at a time: a newer ask wins)
CHROME_ROWS = 4  # the screen's rows around the grid: header, type and filter bar, status line, footer


def shown_value(value: Any) -> str:
    """A record's value in a grid cell: maps and lists as compact JSON, booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return fmt.value_text(value)


class RecordGrid(DataTable):
    """The page on screen. PgUp/PgDn/Home/End turn pages (the screen reads them)."""

    BINDINGS = [
        Binding("pagedown", "turn(1)", "Next page", show=False, tooltip="Records: the next page"),
        Binding("pageup", "turn(-1)", "Previous page", show=False, tooltip="Records: the previous page"),
        Binding("home", "turn('first')", "First page", show=False, tooltip="Records: the first page"),
        Binding("end", "turn('last')", "Last page", show=False, tooltip="Records: the last page"),
    ]

    class PageTurned(Message):
        def __init__(self, where: int | str) -> None:
            super().__init__()
            self.where = where

    def action_turn(self, where: int | str) -> None:
        self.post_message(self.PageTurned(where))

    def show_page(self, result: RecordPage) -> None:
        """Replace the rows (and the columns when the type changed) with this page."""
        wanted = ["_key", *result.columns]
        sort = result.query.sort or "_key"
        labels = [("key" if name == "_key" else name)
                  + ((" ↓" if result.query.descending else " ↑") if name == sort else "") for name in wanted]
        if [str(c.label) for c in self.columns.values()] != labels:
            self.clear(columns=True)
            for name, label in zip(wanted, labels, strict=True):
                self.add_column(label, key=name, width=KEY_WIDTH if name == "_key" else CELL_WIDTH)
        else:
            self.clear()
        for row in result.rows:
            self.add_row(*(Text(fmt.one_line(shown_value(row.get(c)) if c != "_key" else
                                             row["_key"].replace("\x1f", " · "), 120),
                                no_wrap=True, overflow="ellipsis") for c in wanted), key=row["_key"])


class RecordsScreen(Screen):
    """Esc goes back to the jobs. `s`/`S` sort by the next field / turn the order; `/` filters."""

    BINDINGS = [
        *GLOBAL_BINDINGS,
        Binding("escape", "back", "Jobs", key_display="Esc", tooltip="Back to the job list", id="records.back"),
        Binding("slash", "filter", "Filter", tooltip="Records: filter (text in the key, field=value, "
                "field~text)", id="records.filter"),
        Binding("s", "sort", "Sort", tooltip="Records: sort by the next field", id="records.sort"),
        Binding("S", "reverse", "Reverse", show=False, tooltip="Records: turn the order round",
                id="records.reverse"),
    ]

    class PageRead(Message):
        """The reader worker's page (or why there is none)."""

        def __init__(self, result: RecordPage) -> None:
            super().__init__()
            self.result = result

    class RecordRead(Message):
        def __init__(self, detail: RecordDetail | None) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, engine: Engine, resource_type: str | None = None, *, job_uid: str | None = None) -> None:
        super().__init__(id="records")
        self.engine = engine
        # no type given: the reader picks the first type that has records
        self.query_state = RecordQuery(resource_type or "", job_uid=job_uid)
        self.result: RecordPage | None = None
        self._asked = False  # the first page was asked for

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="records-bar"):
            yield Select([(n, n) for n in self.engine.registry.names()], prompt="resource type",
                         value=self.query_state.resource_type or Select.NULL, id="records-type", compact=True)
            yield Input(placeholder="/ filter: key text, or field=value, field~text, price>=10 …",
                        id="records-filter", compact=True)
        grid = RecordGrid(id="records-grid", cursor_type="row")
        grid.border_title = "Records"
        grid.add_class("pane")
        yield grid
        yield Static("", id="records-status")
        yield FittedFooter()

    @property
    def grid(self) -> RecordGrid:
        return self.query_one(RecordGrid)

    def on_mount(self) -> None:
        self.grid.focus()
        # read at once, for the grid's height the screen's leaves (the first layout took ~0.35 s of a
        # 0.97 s first page at 1M records); the first resize reads again only if it was not that
        self._fit_page()


    # ---- reading (in a worker; results come back as messages) -----------------------------------
    def ask(self, **changes: Any) -> None:
        self.query_state = replace(self.query_state, **changes)
        self.read()

    def read(self) -> None:
        self.query_state = replace(self.query_state, limit=self._page_rows())
        self._read(self.query_state)

    def _page_rows(self) -> int:
        grid = self.grid
        # before its first layout: what the screen leaves it, less its border
        height = grid.size.height or self.app.size.height - CHROME_ROWS - grid.styles.gutter.height
        return max(height - 3, 5)  # its border, header and scrollbar

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_page)

    def _fit_page(self) -> None:
        """A page that fits the grid (a page read before the grid had its size was read again, beside
        the first: two reads of a million-record type at once)."""
        if not self._asked or self._page_rows() != self.query_state.limit:
            self._asked = True
            self.ask(offset=self.query_state.offset // self._page_rows() * self._page_rows())

    @work(thread=True, group=READER, exclusive=True, exit_on_error=False, description="read a page of records")
    def _read(self, query: RecordQuery) -> None:
        with thread_store(self.engine):
            self.post_message(self.PageRead(page(self.engine, query)))

    @on(PageRead)
    def _on_page_read(self, event: PageRead) -> None:
        result = event.result
        if not self.query_state.resource_type and result.query == replace(
                self.query_state, resource_type=result.query.resource_type):
            self.query_state = result.query  # the type the reader chose
            with self.prevent(Select.Changed):
                self.query_one("#records-type", Select).value = result.query.resource_type
        if result.query != self.query_state:
            return  # an older ask; the newer one is on its way
        self.result = result
        self.grid.show_page(result)
        q = result.query
        if result.problem:
            status = Text(result.problem, style="italic")
        elif not result.total:
            status = Text("No records" + (" match the filter" if q.where else " of this type yet")
                          + (" written by this job" if q.job_uid else "") + ".", style="italic")
        else:
            last = min(q.offset + q.limit, result.total)
            status = Text(f"{q.offset + 1:,}–{last:,} of {result.total:,} {q.resource_type}"
                          + (f" · written last by job {q.job_uid[-8:]}" if q.job_uid else "")
                          + f" · sorted by {q.sort or 'key'} {'↓' if q.descending else '↑'}"
                          + (f" (no index on {result.unindexed_sort}: each page reads every record)"
                             if result.unindexed_sort else "")
                          + " · Enter opens a record")
        self.query_one("#records-status", Static).update(status)
        self.grid.border_subtitle = f"{result.total:,} records"

    # ---- keys ----------------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.focused is self.query_one("#records-filter", Input) and self.query_state.where:
            self.query_one("#records-filter", Input).value = ""
            return
        self.app.pop_screen()

    def action_filter(self) -> None:
        self.query_one("#records-filter", Input).focus()

    def action_sort(self) -> None:
        columns = [None, *(self.result.columns if self.result else [])]
        current = columns.index(self.query_state.sort) if self.query_state.sort in columns else 0
        self.ask(sort=columns[(current + 1) % len(columns)], descending=False, offset=0)

    def action_reverse(self) -> None:
        self.ask(descending=not self.query_state.descending, offset=0)

    @on(Select.Changed, "#records-type")
    def _on_type(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and str(event.value) != self.query_state.resource_type:
            self.ask(resource_type=str(event.value), where="", sort=None, descending=False, offset=0, job_uid=None)

    @on(Input.Changed, "#records-filter")
    def _on_filter(self, event: Input.Changed) -> None:
        self.ask(where=event.value, offset=0)

    @on(Input.Submitted, "#records-filter")
    def _on_filter_submitted(self) -> None:
        self.grid.focus()

    @on(RecordGrid.PageTurned)
    def _on_turn(self, event: RecordGrid.PageTurned) -> None:
        total = self.result.total if self.result else 0
        q = self.query_state
        last = max(0, (total - 1) // q.limit * q.limit)
        offset = {"first": 0, "last": last}.get(str(event.where))
        if offset is None:
            offset = min(max(q.offset + int(event.where) * q.limit, 0), last)
        if offset != q.offset:
            self.ask(offset=offset)

    @on(DataTable.RowSelected, "#records-grid")
    def _on_open(self, event: DataTable.RowSelected) -> None:
        self._read_record(self.query_state.resource_type, str(event.row_key.value))

    @work(thread=True, group="record-reader", exclusive=True, exit_on_error=False, description="read a record")
    def _read_record(self, resource_type: str, key: str) -> None:
        with thread_store(self.engine):
            self.post_message(self.RecordRead(record(self.engine, resource_type, key)))

    @on(RecordRead)
    def _on_record_read(self, event: RecordRead) -> None:
        if event.detail is not None:
            self.app.push_screen(RecordDialog(event.detail))


class RecordDialog(DialogScreen[None]):
    """One record: every field (nested values indented), who wrote it last and when, its job items."""

    DEFAULT_CSS = """
    RecordDialog > VerticalScroll {
        width: 100; max-width: 95%; height: auto; max-height: 85%;
        background: $panel; border: thick $primary; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q", "close", "Close", key_display="Esc", id="record.close")]

    def __init__(self, detail: RecordDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        d = self.detail
        with VerticalScroll() as scroll:
            scroll.border_title = f"{d.resource_type} · {d.key.replace(chr(31), ' · ')}"
            scroll.border_subtitle = "Esc to close"
            yield Static(self._body())
        yield FittedFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def _body(self) -> Table:
        d = self.detail
        table = Table.grid(padding=(0, 1))
        table.add_column(style="bold", justify="right", no_wrap=True)
        table.add_column(overflow="fold")
        for name, value in d.values.items():
            table.add_row(name, Text(_pretty(value)))
        table.add_row("", "")
        table.add_row(Text("written by", style="bold"),
                      Text(f"job {d.job_uid or '–'} (row {d.row if d.row is not None else '–'})"))
        table.add_row("created", _stamp(d.created_at))
        table.add_row("updated", _stamp(d.updated_at))
        table.add_row("", "")
        if not d.items:
            table.add_row("job items", Text("none about this key", style="italic"))
        for item in d.items:
            where = f"row {item.row_number}" if item.row_number is not None else "file"
            table.add_row(item.level.value, Text(f"job {item.job_uid[-8:]} · {where} · {item.field or '(row)'}: "
                                                 f"{item.message}"))
        return table

    def action_close(self) -> None:
        self.dismiss(None)


def _pretty(value: Any) -> str:
    """Nested values readable: maps and lists as indented JSON, booleans as true/false."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, indent=2, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _stamp(value: str | None) -> str:
    return fmt.stamp(datetime.fromisoformat(value)) if value else "–"
