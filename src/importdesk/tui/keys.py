"""The keys every screen of the app shares, in one place: the screens list them first, so the footer
shows them before its screen's own keys (at 80 columns the footer's tail is cut)."""

from __future__ import annotations

from textual.binding import Binding

GLOBAL_BINDINGS = [
    Binding("n", "app.new_import", "New import", tooltip="Import a file: validate or execute", id="app.new"),
    Binding("w", "app.toggle_inbox", "Inbox", tooltip="Start or stop watching the inbox folder: files dropped "
            "there become jobs", id="app.inbox"),
    Binding("R", "app.records", "Records", tooltip="Browse the stored records of each type", id="app.records"),
    Binding("question_mark", "app.help", "Help", key_display="?", tooltip="Every key", id="app.help"),
    Binding("q", "app.quit", "Quit", tooltip="Quit; a running import is interrupted, and offered to resume "
            "when the app opens again", id="app.quit"),
]
