"""The look every small modal dialog shares: a bordered box in the middle, buttons at its bottom right."""

from __future__ import annotations

from textual.screen import ModalScreen, ScreenResultType


class DialogScreen(ModalScreen[ScreenResultType]):
    """Compose a `Vertical` holding a `.title` label, a `.body`, and a `Horizontal` of buttons."""

    DEFAULT_CSS = """
    DialogScreen { align: center middle; }
    DialogScreen > Vertical {
        width: 64; max-width: 95%; height: auto; padding: 1 2;
        background: $panel; border: thick $primary;
    }
    DialogScreen .title { text-style: bold; margin-bottom: 1; }
    DialogScreen .body { margin-bottom: 1; }
    DialogScreen Horizontal { height: auto; align-horizontal: right; }
    DialogScreen Button { margin-left: 2; }
    """
