"""The new-import dialog: pick a file, see what was detected and how columns map, set options."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from importdesk.engine import MIXED, Engine, ImportOptions, UsageError
from importdesk.engine.errors import ReaderError, SchemaError
from importdesk.engine.job_loop import thread_store
from importdesk.engine.preview import FilePreview, preview_file
from importdesk.engine.threshold import parse_threshold
from importdesk.models import ImportJob, JobType
from importdesk.tui import formatting as fmt

PREVIEW_ROWS = 5
DEFAULT_THRESHOLD = 0.10  # an empty threshold box: the command line's default
PREVIEW_WIDTH = 80  # cells for the preview before the dialog is laid out
PREVIEW_MIN_COLUMN = 6
PREVIEW_MAX_COLUMN = 18
PREVIEW_MORE_WIDTH = 6  # the "+N" column that says how many columns are not shown
STACK_BELOW = 100  # cells: a narrower dialog shows the preview under the mapping, not beside it
MAPPING_FIELD_WIDTH = 26  # cells of the mapping table beside its column names (field, marks, padding)


class PathSuggester(Suggester):
    """Completes file and folder names as you type (→ accepts); relative to the current folder."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = Path(os.path.expanduser(value))
        folder, prefix = (expanded, "") if value.endswith("/") else (expanded.parent, expanded.name)
        try:
            names = sorted(e.name + ("/" if e.is_dir() else "") for e in os.scandir(folder)
                           if e.name.startswith(prefix) and not e.name.startswith("."))
        except OSError:
            return None
        if not names:
            return None
        return value + names[0][len(prefix):]


class NewImportScreen(ModalScreen[ImportJob | None]):
    """Returns the created (pending) job, or None when the user backs out."""

    BINDINGS = [
        Binding("ctrl+s", "create", "Create job", id="new.create"),
        Binding("escape", "cancel", "Cancel", key_display="Esc", id="new.cancel"),
    ]

    class FileDetected(Message):
        def __init__(self, detected: FilePreview) -> None:
            super().__init__()
            self.detected = detected

    class CreateFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class Created(Message):
        def __init__(self, job: ImportJob) -> None:
            super().__init__()
            self.job = job

    def __init__(self, engine: Engine, *, start: str = "") -> None:
        super().__init__()
        self.engine = engine
        self.start = start
        self.detected: FilePreview | None = None

    def compose(self) -> ComposeResult:
        names = self.engine.registry.names()
        with Vertical(id="new-import") as dialog:
            dialog.border_title = "New import"
            dialog.border_subtitle = "Ctrl+S create · Esc cancel"
            yield Input(self.start, placeholder="path to a CSV, XLSX, JSON or JSONL file (→ completes)",
                        id="path", suggester=PathSuggester())
            with VerticalScroll(id="new-body"):
                yield Static(Text("Type the path of a file; what is found in it shows here."), id="detected")
                with Grid(id="new-options"):
                    yield Label("resource type")
                    yield Select([(n, n) for n in names], prompt="choose…", id="resource-type", compact=True)
                    yield Label("job type")
                    yield Select([("validate (dry run)", "validate"), ("execute", "execute")],
                                 value="validate", allow_blank=False, id="job-type", compact=True)
                    yield Label("locale")
                    yield Input("en", id="locale", compact=True)
                    yield Label("error threshold")
                    yield Input("10%", id="threshold", compact=True)
                    yield Label("on errors")
                    yield Checkbox("skip errors (never interrupt)", id="skip-errors", compact=True)
                    yield Label("parent resource")
                    yield Input(placeholder="e.g. the price list id", id="parent", compact=True)
                    yield Label("shared data")
                    yield Input(placeholder='JSON merged into every row, e.g. {"currency": "EUR"}',
                                id="shared", compact=True)
                    yield Label("reference")
                    yield Input(placeholder="your identifier for this import", id="reference", compact=True)
                with Horizontal(id="new-tables"):
                    yield Static("", id="mapping")
                    yield Static("", id="preview")
            yield Static("", id="new-message")
            with Horizontal(id="new-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Create job", id="create", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()
        if self.start:
            self._detect(self.start)

    # ---- detection -----------------------------------------------------------------------------
    @on(Input.Changed, "#path")
    def _on_path_changed(self, event: Input.Changed) -> None:
        self._say("")
        self._detect(event.value)

    @on(Input.Submitted, "#path")
    def _on_path_submitted(self) -> None:
        self.query_one("#resource-type", Select).focus()

    def _resolve(self, value: str) -> Path:
        return Path(os.path.expanduser(value.strip()))

    def _detect(self, value: str) -> None:
        path = self._resolve(value)
        if not value.strip() or not path.is_file():
            self.detected = None
            self.query_one("#detected", Static).update(
                Text("Type the path of a file; what is found in it shows here." if not value.strip()
                     else "No such file yet (→ completes the name).", style="italic"))
            self.query_one("#mapping", Static).update("")
            self.query_one("#preview", Static).update("")
            return
        self.query_one("#detected", Static).update(Text("Reading…", style="italic"))
        self._read(path)

    @work(thread=True, group="preview", exclusive=True, exit_on_error=False,
          description="read the start of a file for the new-import dialog")
    def _read(self, path: Path) -> None:
        with thread_store(self.engine):
            found = preview_file(self.engine, path, PREVIEW_ROWS)
        self.post_message(self.FileDetected(found))

    @on(FileDetected)
    def _on_detected(self, event: FileDetected) -> None:
        found = event.detected
        if found.path != self._resolve(self.query_one("#path", Input).value):
            return  # the user typed on since
        self.detected = found
        detected = self.query_one("#detected", Static)
        if found.error:
            self.query_one("#mapping", Static).update("")
            self.query_one("#preview", Static).update("")
            detected.update(Text(found.error, style=self._palette.error))
            return
        info = found.info
        bits = [info.format]
        if info.encoding:
            bits.append(info.encoding)
        if info.delimiter:
            bits.append(f"delimiter {info.delimiter!r}")
        if info.sheet:
            bits.append(f"sheet {info.sheet!r}" + (f" of {len(info.sheets)}" if len(info.sheets) > 1 else ""))
        text = Text.assemble(("Detected ", "bold"), ", ".join(bits), f" · {found.count:,} rows",
                             f" · {fmt.size(info.size)}")
        text.append("\nSuggested type: ", style="bold")
        text.append(found.suggested or "none (choose one)")
        detected.update(text)
        select = self.query_one("#resource-type", Select)
        names = self.engine.registry.names()
        options = [(n, n) for n in names] + ([(f"{MIXED} (type named on each line)", MIXED)]
                                            if found.suggested == MIXED else [])
        with self.prevent(Select.Changed):
            select.set_options(options)
            if found.suggested:
                select.value = found.suggested
        self._show_mapping()
        self._show_preview()

    @property
    def _palette(self) -> fmt.Palette:
        return fmt.Palette.from_variables(self.app.theme_variables)

    @on(Select.Changed, "#resource-type")
    def _on_type_changed(self) -> None:
        self._say("")
        self._show_mapping()

    def _show_mapping(self) -> None:
        view = self.query_one("#mapping", Static)
        found = self.detected
        rt_name = self.query_one("#resource-type", Select).value
        if found is None or found.info is None:
            view.update("")
            return
        if rt_name is Select.NULL:
            view.update(Text("Choose a resource type to see how the columns map.", style="italic"))
            return
        if rt_name == MIXED:
            view.update(Text("Each line names its own type; columns map per type.", style="italic"))
            return
        palette = self._palette
        rt = self.engine.registry.get(str(rt_name))
        mapping = rt.map_headers(found.info.headers)
        table = Table(title="Columns → fields", title_justify="left", show_edge=False, pad_edge=False,
                      expand=False, title_style="bold", box=box.SIMPLE_HEAD)
        table.add_column("column")
        table.add_column("field")
        for header, target in zip(found.info.headers, mapping.columns, strict=False):
            if target is None:
                note = "duplicate: ignored" if header in mapping.duplicates else "unknown: ignored"
                table.add_row(Text(header, style=palette.warning), Text(note, style=palette.warning))
            else:
                required = rt.stored_fields[target].required
                table.add_row(Text(header), Text(target + (" *" if required else "")))
        for missing in mapping.missing_required:
            table.add_row(Text("(none)", style=palette.error),
                          Text(f"{missing} * missing: every row will fail", style=palette.error))
        view.update(table)

    def _show_preview(self) -> None:
        view = self.query_one("#preview", Static)
        found = self.detected
        if found is None or not found.rows:
            view.update("")
            return
        headers = list(found.info.headers)
        if isinstance(found.rows[0], dict):
            headers = headers or sorted({k for row in found.rows for k in row})
        # As many columns as fit at a readable width; Rich would squeeze every one of them down to "…".
        # the room the mapping table (its longest column and field names, about 24 cells) leaves
        holder = self.query_one("#new-tables")
        tables = holder.size.width
        # too narrow for both side by side (80 columns left the preview one column): the preview goes under
        stacked = 0 < tables < STACK_BELOW
        holder.set_class(stacked, "-stacked")
        mapping = 2 if stacked else max([len(h) for h in headers] + [0]) + MAPPING_FIELD_WIDTH  # 2: its padding
        room = min(tables - mapping, tables // 2 * 2) if tables else PREVIEW_WIDTH
        shown: list[tuple[int, str, int]] = []
        used = 0
        def cell(row: Any, index: int, header: str) -> str:
            value = row.get(header) if isinstance(row, dict) else (row[index] if index < len(row) else None)
            return fmt.one_line(fmt.value_text(value), 60)

        for index, header in enumerate(headers):
            longest = max([len(header)] + [len(cell(row, index, header)) for row in found.rows])
            width = min(max(longest, PREVIEW_MIN_COLUMN), PREVIEW_MAX_COLUMN)
            if shown and used + width + 2 > room - PREVIEW_MORE_WIDTH:
                break
            shown.append((index, header, width))
            used += width + 2
        hidden = len(headers) - len(shown)
        title = f"First {len(found.rows)} rows" + (f" · {len(shown)} of {len(headers)} columns" if hidden else "")
        table = Table(title=title, title_justify="left", title_style="bold",
                      show_edge=False, pad_edge=False, box=box.SIMPLE_HEAD)
        for _, header, width in shown:
            table.add_column(Text(fmt.one_line(header, 30)), no_wrap=True, width=width, overflow="ellipsis")
        if hidden:
            table.add_column(Text(f"+{hidden}", style="italic"), no_wrap=True, width=PREVIEW_MORE_WIDTH - 2)
        for row in found.rows:
            cells = [Text(cell(row, i, header)) for i, header, _ in shown]
            table.add_row(*cells, *([Text("…", style="italic")] if hidden else []))
        view.update(table)

    # ---- creating the job ----------------------------------------------------------------------
    def _say(self, message: str) -> None:
        self.query_one("#new-message", Static).update(Text(message, style=self._palette.error))

    def _options(self) -> ImportOptions:
        """The options as typed; raises ValueError with a message for the user."""
        rt = self.query_one("#resource-type", Select).value
        if rt is Select.NULL:
            raise ValueError("Choose a resource type.")
        try:
            text = self.query_one("#threshold", Input).value.strip()
            threshold = parse_threshold(text) if text else DEFAULT_THRESHOLD
        except ValueError as exc:
            raise ValueError(f"Error threshold: {exc}.") from None
        shared_text = self.query_one("#shared", Input).value.strip()
        shared: dict[str, Any] = {}
        if shared_text:
            try:
                shared = json.loads(shared_text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"Shared data is not valid JSON: {exc.msg} at column {exc.colno}.") from None
            if not isinstance(shared, dict):
                raise ValueError('Shared data must be a JSON object, like {"currency": "EUR"}.')
        return ImportOptions(
            resource_type=str(rt),
            job_type=JobType(str(self.query_one("#job-type", Select).value)),
            locale=self.query_one("#locale", Input).value.strip() or "en",
            skip_errors=self.query_one("#skip-errors", Checkbox).value,
            error_threshold=threshold,
            parent_resource_id=self.query_one("#parent", Input).value.strip() or None,
            shared_entity_data=shared,
            reference=self.query_one("#reference", Input).value.strip() or None,
        )

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        value = self.query_one("#path", Input).value
        path = self._resolve(value)
        if not value.strip() or not path.is_file():
            self._say("Type the path of an existing file.")
            self.query_one("#path", Input).focus()
            return
        if self.detected is not None and self.detected.error:
            self._say("This file cannot be read: see above.")
            return
        try:
            options = self._options()
        except ValueError as exc:
            self._say(str(exc))
            return
        self._say("")
        self.query_one("#create", Button).disabled = True
        self._create(path, options)

    @work(thread=True, group="create", exclusive=True, exit_on_error=False,
          description="copy the file into the workspace and queue its job")
    def _create(self, path: Path, options: ImportOptions) -> None:
        with thread_store(self.engine):
            try:
                job = self.engine.create_job(path, options)
            except (UsageError, ReaderError, SchemaError, OSError) as exc:
                self.post_message(self.CreateFailed(str(exc)))
            else:
                self.post_message(self.Created(job))

    @on(CreateFailed)
    def _on_create_failed(self, event: CreateFailed) -> None:
        self.query_one("#create", Button).disabled = False
        self._say(event.error)

    @on(Created)
    def _on_created(self, event: Created) -> None:
        self.dismiss(event.job)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
