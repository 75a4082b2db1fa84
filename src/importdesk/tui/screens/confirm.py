"""Small modal questions: confirm a validated job (with its summary), or a yes/no question."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label, Static

from importdesk.models import ImportJob
from importdesk.tui.screens.dialog import DialogScreen
from importdesk.tui.widgets.fitted_footer import FittedFooter


class AskScreen(DialogScreen[bool]):
    """A yes/no question. y / Enter on the yes button answers yes; n / Escape answers no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="ask.yes"),
        Binding("escape,n", "answer(False)", "No", key_display="n/Esc", id="ask.no"),
    ]

    def __init__(self, title: str, question: str, *, yes: str = "Yes", no: str = "Cancel",
                 focus_yes: bool = False) -> None:
        super().__init__()
        self.focus_yes = focus_yes
        self.title_text = title
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text), classes="title")
            yield Static(self.body(), classes="body")
            with Horizontal():
                yield Button(Content(f"{self.no}  n"), id="no")
                yield Button(Content(f"{self.yes}  y"), id="yes", variant="primary")
        yield FittedFooter()

    def body(self):
        return Text(self.question)

    def on_mount(self) -> None:
        self.query_one("#yes" if self.focus_yes else "#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)


class ConfirmJobScreen(AskScreen):
    """What executing a validated job will do: create N, update M, unchanged K, errors E."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        super().__init__("Execute this validated import?", "", yes="Execute", focus_yes=True)

    def body(self):
        job = self.job
        s, p = job.summary, job.progress
        text = Text()
        text.append(f"{job.file_name}", style="bold")
        text.append(f"  ·  {job.resource_type}  ·  job {job.short_uid}\n\n")
        text.append("It will ")
        text.append(f"create {s.create:,}", style="bold")
        text.append(", ")
        text.append(f"update {s.update:,}", style="bold")
        text.append(", leave ")
        text.append(f"{s.unchanged:,} unchanged", style="bold")
        text.append(f", and reject {p.error:,} rows with errors.\n\n" if p.error else ", with no row errors.\n\n")
        text.append("A new execute job with the same file and options is queued and runs now."
                    if not job.skip_errors or not p.error
                    else "Rows with errors are skipped.")
        if p.error and not job.skip_errors and p.error > job.error_threshold * p.total:
            text.append(f"\n\nWarning: {p.error / p.total:.0%} of the rows fail, above the "
                        f"{job.error_threshold:.0%} threshold: the job will be interrupted.")
        return text
