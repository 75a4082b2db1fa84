"""Every key of the app, taken from the bindings themselves (so the list cannot go stale)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from importdesk.tui.widgets.fitted_footer import FittedFooter

KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "Esc", "pagedown": "PgDn", "pageup": "PgUp",
             "shift+tab": "Shift+Tab", "tab": "Tab", "enter": "Enter", "home": "Home", "end": "End",
             "ctrl+p": "Ctrl+P", "up": "↑", "down": "↓", "f2": "F2"}


def key_label(keys: str) -> str:
    return " ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    """Keys grouped by where they work. Any of Esc, q, ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 95%; height: auto; max-height: 90%;
        background: $panel; border: thick $primary; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", key_display="Esc", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "Esc to close"
            yield Static(self._table())
        yield FittedFooter()

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(style="italic")
        for title, bindings in self.sections:
            table.add_row(Text(title, style="bold underline"), "", "")
            for b in bindings:
                table.add_row(key_label(b.key), b.description or b.action, b.tooltip or "")
            table.add_row("", "", "")
        return table

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
