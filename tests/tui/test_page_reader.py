"""The main screen's page reader, driven without the app: what it reads and when."""

from __future__ import annotations

import sqlite3

import pytest

from importdesk.engine import Engine
from importdesk.engine.app_quit import mark_quit_interrupt
from importdesk.engine.pages import ErrorsQuery, read_errors
from importdesk.models import JobFilter, JobStatus, JobType
from importdesk.tui import page_reader
from importdesk.tui.messages import ErrorsPageRead, JobsPageRead, PageReadFailed
from importdesk.tui.page_reader import BUSY_STORE_READ_SECONDS, ERRORS_REFRESH, PageReader
from importdesk.tui.screens.confirm import AskScreen, ConfirmJobScreen
from importdesk.tui.screens.edit_value import EditValueScreen
from importdesk.tui.screens.main_screen import READER

from test_tui_pilot import visible_text
from tui_helpers import app_for, queue, run, settled, wait_for_screen
from waiting import Messages


class FakeClock:
    """time.monotonic for the reader (the test moves it)."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


def test_asks_merge_and_the_newest_page_is_read(engine):
    uid = run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    posted: list[ErrorsPageRead] = []
    reader = PageReader(engine, posted.append)
    reader.ask_errors(ErrorsQuery(uid))
    newest = reader.ask_errors(ErrorsQuery(uid, offset=30, limit=5))
    reader.run(lambda: bool(posted))
    [message] = posted  # one read for both asks
    page = message.page
    assert message.seq == newest
    assert page.total == engine.count_items(uid) > 30
    assert page.offset == 30
    assert [i.id for i in page.items] == [i.id for i in engine.list_items(uid, offset=30, limit=5)]
    assert page.kinds == engine.item_kinds(uid)


def test_a_running_jobs_refresh_is_put_off_not_dropped(engine, monkeypatch):
    uid = run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    clock = FakeClock()
    monkeypatch.setattr(page_reader, "time", clock)
    posted: list[tuple[float, ErrorsPageRead]] = []
    reader = PageReader(engine, lambda m: posted.append((clock.now, m)))
    reader.ask_errors(ErrorsQuery(uid))  # the user's: read at once

    asked: list[int] = []

    def stop() -> bool:
        if len(posted) == 1 and not asked:
            asked.append(reader.ask_errors(ErrorsQuery(uid), refresh=True))  # the running job's counts moved
        clock.now += 0.25
        return len(posted) == 2

    reader.run(stop)
    (first_at, _), (refresh_at, refreshed) = posted
    assert refresh_at - first_at >= ERRORS_REFRESH
    assert refreshed.seq == asked[0] and refreshed.page.total == engine.count_items(uid)


@pytest.mark.anyio
async def test_the_reader_thread_ends_with_the_app(engine):
    """The reader runs as long as its screen; leaving the app (here the test's) ends its thread and
    closes its connection, so nothing is left running after the app."""
    app = app_for(engine)
    async with app.run_test() as pilot:
        await settled(pilot)
        reader = app.main.reader
        [worker] = [w for w in app.workers if w.group == READER]
        assert not reader.done.is_set() and worker.is_running
    assert reader.done.is_set()


@pytest.mark.anyio
async def test_quitting_with_q_ends_the_reader_thread(engine):
    run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test() as pilot:
        await settled(pilot)
        reader = app.main.reader
        await pilot.press("q")
    assert app.return_code == 0
    assert reader.done.is_set()


def test_a_commit_elsewhere_is_read_at_the_next_poll_and_while_our_imports_run_only_now_and_then(
        engine, workspace, monkeypatch):
    """The store's data_version is polled in the reader's thread; a change posts the job list's page
    for the newest filter (as the answer to the newest ask). While this app's own imports run, their
    progress comes as messages: other processes' changes are read at most every BUSY_STORE_READ_SECONDS."""
    clock = FakeClock()
    monkeypatch.setattr(page_reader, "time", clock)
    posted: list[tuple[float, JobsPageRead]] = []
    reader = PageReader(engine, lambda m: posted.append((clock.now, m)), poll_interval=0.5)
    seq = reader.ask_jobs(JobFilter(limit=50))
    elsewhere = Engine(workspace)  # another connection, as another process would be
    steps: list[str] = []

    def step() -> bool:
        clock.now += 0.25
        if len(posted) == 1 and not steps:
            steps.append("first")
            run(elsewhere, "products.csv", resource_type="products")
        elif len(posted) == 2 and steps == ["first"]:
            steps.append("busy")
            reader.imports_running = True
            run(elsewhere, "stock.csv", resource_type="stock_items")
        return len(posted) == 3

    reader.run(step)
    elsewhere.close()
    (first_at, first), (second_at, second), (third_at, third) = posted
    assert [m.seq for _, m in posted] == [seq] * 3
    assert first.page.jobs == [] and [j.file_name for j in second.page.jobs] == ["products.csv"]
    assert second_at - first_at <= 0.5 + 0.25  # the next poll
    assert [j.file_name for j in third.page.jobs] == ["stock.csv", "products.csv"]
    assert third_at - second_at >= BUSY_STORE_READ_SECONDS


@pytest.mark.anyio
async def test_reading_and_moving_around_runs_no_sql_on_the_event_loop(every_status, workspace):
    """Start-up, the job list, the errors pane, its pages and filters, another process's job: every
    read happens in the reader's thread. (Dialogs and commands: the next test.)"""
    engine = every_status
    run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    on_the_loop: list[str] = []
    engine.ctx.db.conn().set_trace_callback(on_the_loop.append)  # this (the event loop's) thread's connection
    app = app_for(engine, poll_interval=0.05)
    messages = Messages()
    async with app.run_test(size=(160, 50), message_hook=messages) as pilot:
        await settled(pilot)
        assert app.main.jobs.row_count == 9
        holding = [w for w in app.main.walk_children() if any(isinstance(v, Engine) for v in vars(w).values())]
        assert holding == []  # the widgets get pages and snapshots; only the screen (commands) holds it
        await pilot.press("down", "down", "enter")  # a job's errors
        await settled(pilot)
        await pilot.press("pagedown", "tab", *"sku")  # the next page, then a search
        await settled(pilot)
        elsewhere = Engine(workspace)
        run(elsewhere, "stock.csv", resource_type="stock_items")
        elsewhere.close()
        await messages.wait_for(lambda m: isinstance(m, JobsPageRead) and len(m.page.jobs) == 10)
        await settled(pilot)
        assert app.main.jobs.row_count == 10
    assert on_the_loop == []


async def select(pilot, wanted) -> None:
    """Home, then down until the highlighted job is the one `wanted(job)` picks."""
    screen = pilot.app.main
    await pilot.press("home")
    for _ in range(screen.jobs.row_count):
        if wanted(screen.selected):
            return
        await pilot.press("down")
    assert wanted(screen.selected), "no such job in the list"


@pytest.mark.anyio
async def test_dialogs_their_answers_a_correction_and_the_resume_question_run_no_sql_on_the_event_loop(
        every_status):
    """The question on opening (a job closing the app interrupted), then each job dialog (resume over
    the threshold, cancel, confirm, delete) opened and answered by keys, and a failed value corrected:
    the job each dialog shows is read in a thread, and every answer writes in the commands' thread."""
    engine = every_status
    quit_job = queue(engine, "products.csv", resource_type="products")
    engine.interrupt(quit_job)
    assert mark_quit_interrupt(engine, engine.get_job(quit_job))
    on_the_loop: list[str] = []
    loop_connection = engine.ctx.db.conn()  # this (the event loop's) thread's connection
    loop_connection.set_trace_callback(on_the_loop.append)
    engine.get_job(quit_job)
    assert on_the_loop, "the trace sees a read on the event loop's connection"
    on_the_loop.clear()
    app = app_for(engine)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(pilot)
        await wait_for_screen(pilot, AskScreen)  # resume what closing the app interrupted?
        await pilot.press("y")
        await settled(pilot)
        screen = app.main
        assert screen.jobs.jobs[quit_job].status is JobStatus.PENDING

        await select(pilot, lambda j: j.uid == quit_job)
        await pilot.press("x")
        await wait_for_screen(pilot, AskScreen)  # cancel, which cannot be undone?
        await pilot.press("y")
        await settled(pilot)
        assert screen.jobs.jobs[quit_job].status is JobStatus.CANCELED

        await select(pilot, lambda j: j.status is JobStatus.INTERRUPTED)  # over its error threshold
        over = screen.selected.uid
        await pilot.press("r")
        await wait_for_screen(pilot, AskScreen)  # resume, skipping errors?
        await pilot.press("y")
        await settled(pilot)
        assert screen.jobs.jobs[over].status is JobStatus.PENDING and screen.jobs.jobs[over].skip_errors

        await select(pilot, lambda j: j.job_type is JobType.VALIDATE)
        validated = screen.selected.uid
        await pilot.press("c")
        await wait_for_screen(pilot, ConfirmJobScreen)
        await pilot.press("enter")  # Execute
        await settled(pilot)
        assert any(j.validated_job_uid == validated for j in screen.jobs.jobs.values())

        await select(pilot, lambda j: j.status is JobStatus.ERROR)
        errored = screen.selected.uid
        await pilot.press("d")
        await wait_for_screen(pilot, AskScreen)  # delete?
        await pilot.press("y")
        await settled(pilot)
        assert errored not in screen.jobs.jobs

        await select(pilot, lambda j: j.status is JobStatus.DONE and j.progress.error > 0)
        corrected = screen.selected.uid
        await pilot.press("enter")  # its errors
        await settled(pilot)
        errors = screen.errors
        while errors.items[errors.grid.cursor_row].field is None:  # a whole-row error has no value to correct
            await pilot.press("down")
        item = errors.items[errors.grid.cursor_row]
        await pilot.press("f2")
        await wait_for_screen(pilot, EditValueScreen)
        await pilot.press("ctrl+u", *"42", "enter")  # the rejected value cleared, then typed over
        await settled(pilot)
        assert "✎ " in visible_text(screen.errors.grid)
    loop_connection.set_trace_callback(None)
    assert on_the_loop == []
    assert list(engine.row_edits(corrected).values()) == [{item.field: "42"}]


def test_a_read_that_fails_is_told_and_the_reader_goes_on(engine, monkeypatch):
    uid = run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    failures = iter([sqlite3.OperationalError("database is locked")])

    def read_errors_once_locked(engine, query):
        for failure in failures:
            raise failure
        return read_errors(engine, query)

    monkeypatch.setattr(page_reader, "read_errors", read_errors_once_locked)
    posted: list = []
    reader = PageReader(engine, posted.append)
    failed_seq = reader.ask_errors(ErrorsQuery(uid))
    asked_again = []

    def stop() -> bool:
        if len(posted) == 1 and not asked_again:
            asked_again.append(reader.ask_errors(ErrorsQuery(uid)))
        return len(posted) == 2

    reader.run(stop)
    failed, read = posted
    assert isinstance(failed, PageReadFailed) and failed.seq == failed_seq and "database is locked" in failed.error
    assert isinstance(read, ErrorsPageRead) and read.seq == asked_again[0] and read.page.total > 0
