"""Pilot tests, keys only: the errors pane's search and filters, the job list's sorting and ends, and
what a person sees at 80×24."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select

from importdesk.models import JobStatus
from importdesk.tui.widgets.error_table import WHOLE_ROW, ErrorTable
from importdesk.tui.widgets.job_detail import JobDetail
from importdesk.tui.widgets.job_list import JobList

from test_tui_pilot import visible_text
from tui_helpers import app_for, run, settled

WIDE = (160, 50)
SMALL = (80, 24)
pytestmark = pytest.mark.anyio


def footer_descriptions(screen) -> list[str]:
    return [b.description for _, b, enabled, _ in screen.active_bindings.values() if b.show]


async def test_tab_reaches_the_errors_search_and_filters(engine):
    run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        errors = app.screen.query_one(ErrorTable)
        await pilot.press("tab", "tab")
        await settled(pilot)
        assert app.focused is errors.grid
        await pilot.press("tab")
        await settled(pilot)
        assert app.focused.id == "error-search"
        await pilot.press("tab")
        await settled(pilot)
        assert app.focused.id == "error-level"
        await pilot.press("tab")
        await settled(pilot)
        assert app.focused.id == "error-field"
        await pilot.press("tab")
        await settled(pilot)
        assert app.focused is app.screen.query_one(JobList)  # round again
        await pilot.press("shift+tab")
        await settled(pilot)
        assert app.focused.id == "error-field"


async def test_whole_row_errors_and_a_search_by_keys(engine):
    run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        errors = app.screen.query_one(ErrorTable)
        everything = errors.total
        await pilot.press("tab", "tab", "tab", "tab", "tab")  # the column filter
        await settled(pilot)
        assert app.focused.id == "error-field"
        await pilot.press("enter")  # opens its list; the first choice is (row)
        await settled(pilot)
        await pilot.press("down", "enter")
        await settled(pilot)
        assert errors.query_one("#error-field", Select).value == WHOLE_ROW
        assert 0 < errors.total < everything
        assert all(item.field is None for item in errors.items)
        await pilot.press("shift+tab", "shift+tab")  # back to the search
        await settled(pilot)
        assert app.focused.id == "error-search"
        await pilot.press(*"header")
        await settled(pilot)
        assert errors.total and all("header" in item.message for item in errors.items)
        await pilot.press(*"zzz-nothing")
        await settled(pilot)
        assert errors.total == 0
        assert "Nothing matches" in str(errors.query_one("#error-message").render())
        await pilot.press("escape")  # clears the search
        await settled(pilot)
        assert errors.query_one("#error-search", Input).value == ""
        assert errors.total and all(item.field is None for item in errors.items)


async def test_the_highlighted_errors_message_is_shown_whole(engine):
    run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)
        await pilot.press("enter")  # to the errors
        await settled(pilot)  # the list's RowSelected, posted by the key, moves the focus
        errors = app.screen.query_one(ErrorTable)
        assert app.focused is errors.grid and errors.display
        view = errors.query_one("#error-message")
        for row, item in enumerate(errors.items):  # each one drawn whole, however long its message
            assert errors.grid.cursor_row == row
            drawn = " ".join(visible_text(view).split())
            where = f"row {item.row_number}" if item.row_number is not None else "file"
            assert drawn.startswith(where) and " ".join(item.message.split()) in drawn, drawn
            await pilot.press("down")
            await settled(pilot)


async def test_sort_by_keys_and_home_end_move_in_the_job_list(every_status):
    app = app_for(every_status)
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        jobs = app.screen.query_one(JobList)
        newest = list(jobs.jobs)
        await pilot.press("end")
        assert jobs.cursor_row == jobs.row_count - 1
        await pilot.press("home")
        assert jobs.cursor_row == 0
        await pilot.press("s")  # by status
        assert jobs.sort_by == "status"
        assert next(j.status for j in jobs.jobs.values()) is JobStatus.PROCESSING
        await pilot.press("s", "s", "s")  # file, resource, rows (biggest first)
        assert jobs.sort_by == "rows"
        totals = [j.progress.total for j in jobs.jobs.values()]
        assert totals == sorted(totals, reverse=True)
        assert jobs.row_cells(0)["rows"].plain == f"{totals[0]:,}"
        assert "by rows ↓" in app.screen.query_one("#jobs-pane").border_subtitle
        await pilot.press("S")
        assert [j.progress.total for j in jobs.jobs.values()] == sorted(totals)
        await pilot.press("s", "s", "s")  # errors, took, newest again
        assert jobs.sort_by == "newest" and list(jobs.jobs) == newest


async def test_at_80x24_every_global_key_shows_and_the_lower_pane_switches(every_status):
    app = app_for(every_status)
    async with app.run_test(size=SMALL) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        screen = app.screen
        keys = footer_descriptions(screen)
        assert keys[:6] == ["Sort", "New import", "Inbox", "Records", "Help", "Quit"], keys
        assert "Resume" not in keys  # the pending job cannot be resumed: no room for a greyed key
        assert app.sub_title.startswith("inbox/ not watched · 0 waiting")
        title = " ".join(visible_text(screen.query_one("HeaderTitle")).split())
        assert "inbox/ not watched · 0 waiting" in title, title  # drawn, not cut off at 80 columns
        detail, errors = screen.query_one(JobDetail), screen.query_one(ErrorTable)
        assert detail.display and not errors.display
        await pilot.press("tab", "tab")  # detail, then errors: it takes the detail's place
        assert not detail.display and errors.display and app.focused is errors.grid
        await pilot.press("shift+tab")
        assert detail.display and not errors.display


async def test_big_numbers_and_long_names_fit_their_columns(engine, tmp_path, workspace):
    schema = Path(workspace.schemas / "wine_catalogue.toml").read_text()
    long_name = "subscription_plan_catalogue_items"
    (workspace.schemas / "long.toml").write_text(schema.replace('name = "wines"', f'name = "{long_name}"', 1))
    run(engine, "products.csv", resource_type="products")
    with engine.ctx.db.write() as conn:  # a job of 300,000 rows
        job = engine.ctx.jobs.get_for_update(conn, engine.list_jobs()[0].uid)
        job.progress.total, job.progress.done, job.progress.pending = 300_000, 300_000, 0
        job.resource_type = long_name
        engine.ctx.jobs.save(job, conn)
    app = app_for(engine)
    async with app.run_test(size=(200, 50)) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        text = visible_text(app.screen.query_one(JobList))
        assert "300,000" in text
        assert "subscription_plan_catal…" in text  # cut, and says so
        assert "products.csv" in text


@pytest.mark.parametrize("size", [(120, 35), (100, 30)])
async def test_the_last_column_is_whole_beside_the_detail_pane(engine, size):
    """Where the list is too narrow for a 20-cell file name, the name gives way, not the columns after it."""
    run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        jobs = app.screen.query_one(JobList)
        took = str(getattr(cell := jobs.row_cells(0)["duration"], "plain", cell)).strip()
        assert took and took in visible_text(jobs)
        assert "took" in visible_text(jobs)


async def test_a_retry_is_marked_in_the_list(engine):
    uid = run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("t")  # a done job with failed rows: a new job of those rows
        await settled(pilot)
        jobs = app.screen.query_one(JobList)
        cell = jobs.row_cells(0)["file"].plain
        assert cell.startswith("↻ products_with_errors.csv") and uid[-8:] in cell
