"""A small modal: correct the rejected value of one failed row's field (used by the next retry)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from importdesk.models import JobItem
from importdesk.tui import formatting as fmt
from importdesk.tui.screens.dialog import DialogScreen
from importdesk.tui.widgets.fitted_footer import FittedFooter


class EditValueScreen(DialogScreen[str | None]):
    """Enter (or Save) returns the new value; Escape (or Cancel) returns None."""

    DEFAULT_CSS = """
    EditValueScreen > Vertical { width: 72; }
    EditValueScreen Input { margin-bottom: 1; }
    """
    BINDINGS = [
        # before the Input's own Enter, so the footer lists it (the Input would hide it)
        Binding("enter", "save", "Save", priority=True, id="edit.save"),
        Binding("escape", "cancel", "Cancel", key_display="Esc", id="edit.cancel"),
    ]

    def __init__(self, item: JobItem, current: str | None) -> None:
        super().__init__()
        self.item = item
        self.current = current

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical():
            yield Label(Text(f"Correct row {item.row_number} · {fmt.one_line(item.field or '')}"), classes="title")
            body = Text()
            body.append("rejected: ")
            body.append(fmt.one_line(item.value) if item.value else "(empty)", style="bold")
            body.append(f"\n{fmt.one_line(item.message, 300)}\n\n")
            body.append("The next retry of this job's failed rows uses the correction; the job itself "
                        "stays as it is.", style="italic")
            yield Static(body, classes="body")
            yield Input(self.current or "", id="edit-value", select_on_focus=False)
            with Horizontal():
                yield Button("Cancel  Esc", id="cancel")
                yield Button("Save  Enter", id="save", variant="primary")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.dismiss(self.query_one(Input).value)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
