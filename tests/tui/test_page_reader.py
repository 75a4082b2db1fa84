"""The main screen's page reader, driven without the app: what it reads and when."""

from __future__ import annotations

import sqlite3

import pytest

from importdesk.engine import Engine
from importdesk.engine.pages import ErrorsQuery, read_errors
from importdesk.models import JobFilter
from importdesk.tui import page_reader
from importdesk.tui.messages import ErrorsPageRead, JobsPageRead, PageReadFailed
from importdesk.tui.page_reader import BUSY_STORE_READ_SECONDS, ERRORS_REFRESH, PageReader
from importdesk.tui.screens.main_screen import READER

from tui_helpers import app_for, run, settled
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
    read happens in the reader's thread. (Commands write in a thread of their own, after one read of the
    job here before a dialog asks.)"""
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
