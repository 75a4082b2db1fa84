"""App-wide messages: what happened to jobs, posted from worker threads and timers, and the pages the
screen's reader read."""

from __future__ import annotations

from textual.message import Message

from importdesk.engine.pages import ErrorsPage, JobsPage
from importdesk.models import ImportJob


class JobProgressed(Message):
    """A running job's snapshot (throttled at the source). Replaces an older one for the same job."""

    def __init__(self, job: ImportJob, final: bool = False) -> None:
        super().__init__()
        self.job = job
        self.final = final

    def can_replace(self, message: Message) -> bool:
        return (isinstance(message, JobProgressed) and not message.final
                and message.job.uid == self.job.uid)


class JobFinished(Message):
    """A job this app ran left `processing` (done, error, interrupted or canceled)."""

    def __init__(self, job: ImportJob) -> None:
        super().__init__()
        self.job = job


class JobsChanged(Message):
    """This app changed jobs itself (created, confirmed, resumed, deleted …): look again."""

    def __init__(self, select_uid: str | None = None, run: bool = False) -> None:
        super().__init__()
        self.select_uid = select_uid
        self.run = run


class InboxNoticed(Message):
    """The inbox watcher did something (queued a file, found a duplicate, rejected or skipped one)."""

    def __init__(self, kind: str, message: str, job_uid: str | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.message = message
        self.job_uid = job_uid


class ErrorsPageRead(Message):
    """The page reader's page of the errors pane; `seq` is the number of the ask it answers."""

    def __init__(self, page: ErrorsPage, seq: int) -> None:
        super().__init__()
        self.page = page
        self.seq = seq


class JobsPageRead(Message):
    """The page reader's page of the job list (with the store's counts); `seq` is the number of the
    ask it answers. The screen shows it; it bubbles on to the app, which runs the pending jobs."""

    def __init__(self, page: JobsPage, seq: int) -> None:
        super().__init__()
        self.page = page
        self.seq = seq


class PageReadFailed(Message):
    """A read of the page reader failed (the store locked or unreadable); it answers every ask up to
    `seq` (the next ask or poll reads again)."""

    def __init__(self, error: str, seq: int) -> None:
        super().__init__()
        self.error = error
        self.seq = seq
