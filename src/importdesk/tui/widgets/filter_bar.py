"""The job filter: status, resource type and free text, always visible, cleared with one key."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Input, Select

from importdesk.models import JobFilter, JobStatus

_DONE_WITH_ERRORS = "done*"


@dataclass(frozen=True)
class JobQuery:
    """What the filter bar asks for; `done*` means done with row errors."""

    status: str | None = None
    resource_type: str | None = None
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.status or self.resource_type or self.text)

    def to_filter(self, offset: int = 0, limit: int = 100) -> JobFilter:
        statuses = [JobStatus.DONE] if self.status == _DONE_WITH_ERRORS else (
            [JobStatus(self.status)] if self.status else [])
        return JobFilter(status=statuses, resource_type=self.resource_type, text=self.text or None,
                         with_row_errors=self.status == _DONE_WITH_ERRORS, offset=offset, limit=limit)

    def keeps(self, job) -> bool:
        """Whether a job (seen in a progress message) still matches, without asking the store."""
        if self.status == _DONE_WITH_ERRORS:
            return job.status is JobStatus.DONE and job.progress.error > 0
        return not self.status or job.status.value == self.status


class FilterBar(Horizontal):
    """One line above the job list. `/` focuses the text, Escape clears everything."""

    BINDINGS = [Binding("escape", "clear", "Clear filter", tooltip="In the filter bar: show all jobs again")]

    class Changed(Message):
        def __init__(self, query: JobQuery) -> None:
            super().__init__()
            self.query = query

    _resource_types: list[str] | None = None  # as last put into the resource select

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ filter: file, uid, reference, message", id="filter-text", compact=True)
        statuses = [(s.value, s.value) for s in JobStatus] + [("done with errors", _DONE_WITH_ERRORS)]
        yield Select(statuses, prompt="any status", id="filter-status", compact=True)
        yield Select([], prompt="any resource", id="filter-resource", compact=True)
        yield Button("✕ clear", id="filter-clear", compact=True)

    @property
    def query(self) -> JobQuery:
        status = self.query_one("#filter-status", Select).value
        resource = self.query_one("#filter-resource", Select).value
        return JobQuery(status=None if status is Select.NULL else str(status),
                        resource_type=None if resource is Select.NULL else str(resource),
                        text=self.query_one("#filter-text", Input).value.strip())

    def set_resource_types(self, names: list[str]) -> None:
        if names == self._resource_types:
            return  # rebuilding the options lays the screen out again: not on every reload
        self._resource_types = list(names)
        select = self.query_one("#filter-resource", Select)
        current = select.value
        select.set_options([(n, n) for n in names])
        if current is not Select.NULL and current in names:
            select.value = current

    def _changed(self) -> None:
        query = self.query
        self.set_class(query.active, "-active")
        self.post_message(self.Changed(query))

    @on(Input.Changed, "#filter-text")
    @on(Select.Changed)
    def _on_control_changed(self, event: Message) -> None:
        event.stop()
        self._changed()

    @on(Input.Submitted, "#filter-text")
    def _on_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()

    @on(Button.Pressed, "#filter-clear")
    def action_clear(self) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#filter-text", Input).value = ""
            self.query_one("#filter-status", Select).clear()
            self.query_one("#filter-resource", Select).clear()
        self._changed()
