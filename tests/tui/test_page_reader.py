"""The main screen's page reader, driven without the app: what it reads and when."""

from __future__ import annotations

import pytest

from importdesk.engine.pages import ErrorsQuery
from importdesk.tui import page_reader
from importdesk.tui.messages import ErrorsPageRead
from importdesk.tui.page_reader import ERRORS_REFRESH, PageReader
from importdesk.tui.screens.main_screen import READER

from tui_helpers import app_for, run, settled


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
