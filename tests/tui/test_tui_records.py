"""Pilot tests, keys only, for the records view: browse, filter, sort, open one record, and go from a
job to the records it wrote."""

from __future__ import annotations

import pytest

from importdesk.tui.screens.records import READER, RecordDialog, RecordsScreen

from test_tui_pilot import rendered
from tui_helpers import app_for, run, settled, wait_for_group
from waiting import Messages

SIZE = (160, 50)
pytestmark = pytest.mark.anyio


async def settle(app, pilot) -> None:
    await pilot.pause()
    await wait_for_group(app, READER, "record-reader")
    await pilot.pause()


async def test_browse_filter_sort_and_open_a_record(engine):
    run(engine, "customers.xlsx", resource_type="customers")
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("R")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RecordsScreen)
        assert screen.result.total == 250 and screen.grid.row_count == screen.query_state.limit
        keys = [row["_key"] for row in screen.result.rows]
        assert keys == sorted(keys)  # by key, from the store
        await pilot.press("pagedown")
        await settle(app, pilot)
        assert screen.result.query.offset == screen.query_state.limit
        await pilot.press("s", "s", "s")  # the key, then email, first_name, last_name
        await settle(app, pilot)
        assert screen.result.query.sort == "last_name"
        names = [row["last_name"] for row in screen.result.rows]
        assert names == sorted(names) and screen.result.query.offset == 0
        status = rendered(screen.query_one("#records-status").content)
        assert "no index on last_name: each page reads every record" in status  # why a big type is slow
        await pilot.press("S")
        await settle(app, pilot)
        assert [row["last_name"] for row in screen.result.rows] == sorted(
            [row["last_name"] for row in screen.result.rows], reverse=True)
        await pilot.press("slash", *"city=Berlin", "enter")
        await settle(app, pilot)
        assert 0 < screen.result.total < 250
        assert {row["city"] for row in screen.result.rows} == {"Berlin"}
        await pilot.press("enter")  # opens the highlighted record
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, RecordDialog)
        body = rendered(dialog.query_one("Static").content)
        assert "city Berlin" in body and "written by" in body and dialog.detail.job_uid in body
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert not isinstance(app.screen, RecordsScreen)


async def test_a_filter_naming_no_field_says_so(engine):
    run(engine, "customers.xlsx", resource_type="customers")
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("R", "slash", *"colour=red")
        await settle(app, pilot)
        assert "colour" in app.screen.result.problem
        assert "colour" in str(app.screen.query_one("#records-status").render())


async def test_from_a_job_to_the_records_it_wrote_with_their_items(engine):
    run(engine, "products.csv", resource_type="products")
    uid = run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert app.screen.selected.uid == uid
        await pilot.press("g")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RecordsScreen) and screen.query_state.job_uid == uid
        # 164 records created (3 more writes updated the file's own earlier rows with a repeated key)
        assert screen.result.total == engine.get_job(uid).summary.create == 164
        assert all(engine.records.get("products", row["sku"]) for row in screen.result.rows)
        # SKU-002046 is on rows 47 and 82: the later row wins, with a warning about the key
        await pilot.press("slash", *"SKU-002046", "enter")
        await settle(app, pilot)
        assert [row["_key"] for row in screen.result.rows] == ["SKU-002046"]
        await pilot.press("enter")
        await settle(app, pilot)
        detail = app.screen.detail
        assert detail.row == 82 and detail.job_uid == uid
        assert any(item.level.value == "warning" and item.row_number == 82 for item in detail.items)
        assert "the same key is on row 47" in rendered(app.screen.query_one("Static").content)


async def test_a_dry_run_has_no_records_to_go_to(engine):
    from importdesk.models import JobType
    run(engine, "wines.csv", resource_type="wines", job_type=JobType.VALIDATE)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert not isinstance(app.screen, RecordsScreen)
        assert [n.message for n in app._notifications][-1] == "Records: a validate job writes no records"


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["160x50", "80x24"])
async def test_the_first_page_is_asked_as_the_view_opens_once_and_fills_the_grid(engine, size, monkeypatch):
    """Asked as the view mounts, for the height the screen leaves the grid, not after the grid's first
    layout (a third of the first page's time at 1M records), and not asked again once laid out."""
    run(engine, "customers.xlsx", resource_type="customers")
    grid_heights_when_asked: list[int] = []
    read = RecordsScreen.read

    def noting_read(screen) -> None:
        grid_heights_when_asked.append(screen.grid.size.height)
        read(screen)

    monkeypatch.setattr(RecordsScreen, "read", noting_read)
    app = app_for(engine)
    messages = Messages()
    async with app.run_test(size=size, message_hook=messages) as pilot:
        await settled(pilot)
        await pilot.press("R")
        await settle(app, pilot)
        screen = app.screen
        assert grid_heights_when_asked == [0]  # once, before the grid was laid out
        reads = {id(m): m for m in messages.seen if isinstance(m, RecordsScreen.PageRead)}  # (seen as it bubbles)
        assert len(reads) == 1, [r.result.query for r in reads.values()]
        assert screen.grid.row_count == screen.query_state.limit == screen.grid.size.height - 3  # a full page
