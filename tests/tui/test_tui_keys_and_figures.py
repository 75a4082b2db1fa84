"""Pilot tests, keys only, for the issue's "seen, to fix" list: keys that explain themselves, dialogs
that show their keys, and figures that are true (running time, order, percent, dry runs)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from textual.widgets import Button, Footer

from importdesk.engine import ImportOptions
from importdesk.engine.app_quit import mark_quit_interrupt
from importdesk.models import JobStatus, JobType
from importdesk.tui.screens.confirm import AskScreen, ConfirmJobScreen
from importdesk.tui.screens.edit_value import EditValueScreen
from importdesk.tui.widgets.error_table import ErrorTable
from importdesk.tui.widgets.job_detail import JobDetail
from importdesk.tui.widgets.job_list import JobList

from test_tui_pilot import rendered, visible_text
from tui_helpers import app_for, queue, run, settled, wait_for_group, wait_for_screen

SIZE = (160, 50)
pytestmark = pytest.mark.anyio


def toasts(app) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in app._notifications]


def footer_keys(screen) -> dict[str, str]:
    """key → description of what the screen's footer shows."""
    return {key: b.description for key, (_, b, _, _) in screen.active_bindings.items() if b.show}


async def test_a_key_that_does_not_apply_says_why(every_status):
    app = app_for(every_status)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("down", "down")  # pending, processing, canceled
        assert app.screen.selected.status is JobStatus.CANCELED
        await pilot.press("r")
        await settled(pilot)
        title, message = toasts(app)[-1]
        assert title == "Not possible" and "canceled job never resumes" in message
        assert every_status.get_job(app.screen.selected.uid).status is JobStatus.CANCELED


async def test_cancel_asks_first_and_the_dialog_shows_its_keys(every_status):
    app = app_for(every_status)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        uid = app.screen.selected.uid  # the pending job
        await pilot.press("x")
        dialog = await wait_for_screen(pilot, AskScreen)  # after a read of the job, in a thread
        assert "cannot be undone" in str(dialog.query_one(".body").render())
        # the dialog's own footer lists y and n/Esc, not the main screen's keys
        keys = footer_keys(dialog)
        assert keys == {"y": "Yes", "escape": "No", "n": "No"}, keys  # not New import, Cancel, Delete …
        assert dialog.query_one(Footer)
        await pilot.press("n")
        await settled(pilot)
        assert every_status.get_job(uid).status is JobStatus.PENDING
        await pilot.press("x")
        await wait_for_screen(pilot, AskScreen)
        await pilot.press("y")
        await settled(pilot)
        await wait_for_group(app, "dialogs")
        assert every_status.get_job(uid).status is JobStatus.CANCELED


async def test_every_dialog_lists_its_own_keys_and_its_buttons_name_them(engine):
    """Confirm, resume over the threshold, delete and correct a value: each dialog's footer shows the
    keys that answer it (not the main screen's), and each button names its key."""
    run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)  # done*
    run(engine, "products_with_errors.csv", resource_type="products")  # interrupted: over the threshold
    run(engine, "wines.csv", resource_type="wines", job_type=JobType.VALIDATE)  # done validate: newest
    yes_no = {"y": "Yes", "escape": "No", "n": "No"}
    app = app_for(engine)

    async def opened_then_declined(key: str, dialog_type: type, keys: dict[str, str]) -> None:
        await pilot.press(key)
        dialog = await wait_for_screen(pilot, dialog_type)
        assert footer_keys(dialog) == keys, (key, footer_keys(dialog))
        labels = [str(b.label) for b in dialog.query(Button)]
        assert all(label.endswith((" y", " n", "Esc", "Enter")) for label in labels), labels
        await pilot.press("escape")  # no, cancel: nothing changes
        await settled(pilot)
        assert app.screen is app.main

    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await opened_then_declined("c", ConfirmJobScreen, yes_no)
        await pilot.press("down")
        await opened_then_declined("r", AskScreen, yes_no)
        await opened_then_declined("d", AskScreen, yes_no)
        await pilot.press("down", "enter")  # the done job's errors
        await settled(pilot)
        errors = app.main.errors
        while errors.items[errors.grid.cursor_row].field is None:  # a whole-row error has no value to correct
            await pilot.press("down")
        await opened_then_declined("f2", EditValueScreen, {"enter": "Save", "escape": "Cancel"})
    assert [j.status for j in engine.list_jobs()] == [JobStatus.DONE, JobStatus.INTERRUPTED, JobStatus.DONE]
    assert engine.count_jobs() == 3 and not engine.row_edits(engine.list_jobs()[2].uid)


async def test_speed_and_took_leave_out_the_time_a_job_sat_interrupted(engine, clock):
    uid = run(engine, "products_with_errors.csv", resource_type="products")
    first = engine.get_job(uid)
    assert first.status is JobStatus.INTERRUPTED and first.run_seconds > 0
    clock.now += timedelta(hours=2)  # it waits two hours before anyone resumes it
    engine.resume(uid, skip_errors=True)
    engine.run_job(uid)
    job = engine.get_job(uid)
    assert job.status is JobStatus.DONE
    wall = (job.completed_at - job.started_at).total_seconds()
    assert wall > 7200 and job.active_seconds() < 60  # StepClock: one second per clock call
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        detail = rendered(app.screen.query_one(JobDetail).render_job(job))
        took = next(line for line in detail.splitlines() if "took" in line)
        assert "2:0" not in took and "of running" in took
        # the timeline is in the order things happened: interrupted, then completed
        assert detail.index("interrupted 2026") < detail.index("completed 2026")
        rate, _ = job.rate_and_eta()
        assert rate == pytest.approx(job.progress.processed / job.active_seconds())


async def test_list_and_detail_show_the_same_percent(engine):
    uid = queue(engine, "products.csv", resource_type="products")
    with engine.ctx.db.write() as conn:  # a job 91.5% through: 183 of 200 rows
        job = engine.ctx.jobs.get_for_update(conn, uid)
        job.progress.total, job.progress.done, job.progress.pending = 200, 183, 17
        engine.ctx.jobs.save(job, conn)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        jobs = app.screen.query_one(JobList)
        assert "91%" in jobs.row_cells(0)["progress"].plain
        detail = rendered(app.screen.query_one(JobDetail).render_job(jobs.selected))
        assert "91%" in detail and "92%" not in detail


async def test_a_dry_run_says_valid_not_imported(engine):
    run(engine, "subscriptions.jsonl", job_type=JobType.VALIDATE)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        detail = rendered(app.screen.query_one(JobDetail).render_job(app.screen.selected))
        assert "valid " in detail and "imported" not in detail


async def test_jobs_that_finish_together_are_told_in_one_toast(engine):
    queue(engine, "products.csv", resource_type="products")
    queue(engine, "preise_de.csv", resource_type="prices", locale="de")
    queue(engine, "wines.csv", resource_type="wines", job_type=JobType.VALIDATE)
    app = app_for(engine, run_queue=True)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await wait_for_group(app, "imports")
        await settled(pilot)
        shown = toasts(app)
        assert [title for title, _ in shown] == ["3 jobs finished"], shown
        message = shown[0][1]
        assert "products.csv (execute): 1,000 rows imported" in message
        assert "wines.csv (validate): 100 rows valid" in message


async def test_json_values_in_the_errors_pane_read_as_json(engine, tmp_path):
    bad = tmp_path / "data" / "nested.jsonl"
    bad.write_text(json.dumps({"sku": "SKU-1", "name": "Thing", "price": {"USD": {"amount": 1}},
                               "currency": "USD"}) + "\n")
    engine.run_job(engine.create_job(bad, ImportOptions(resource_type="products", skip_errors=True)).uid)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("enter")  # to the job's errors
        await settled(pilot)  # the list's RowSelected, posted by the key, moves the focus
        errors = app.screen.query_one(ErrorTable)
        assert app.focused is errors.grid
        value = errors.grid.get_row_at(0)[3].plain
        assert value == '{"USD": {"amount": 1}}', value
        assert "{'USD'" not in visible_text(errors.grid)


def quit_interrupted_job(engine) -> str:
    """A job as closing the app leaves it: interrupted mid-file, tagged."""
    uid = queue(engine, "products.csv", resource_type="products")
    engine.interrupt(uid)
    assert mark_quit_interrupt(engine, engine.get_job(uid))
    return uid


async def test_opening_the_app_offers_once_to_resume_what_closing_it_interrupted(engine):
    uid = quit_interrupted_job(engine)
    other = run(engine, "products_with_errors.csv", resource_type="products")  # over the threshold
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        dialog = await wait_for_screen(pilot, AskScreen)  # after a read in a thread
        assert "products.csv" in str(dialog.query_one(".body").render())
        await pilot.press("y")
        await wait_for_group(app, "dialogs")
        await settled(pilot)
        assert engine.get_job(uid).status is JobStatus.PENDING
        assert engine.get_job(other).status is JobStatus.INTERRUPTED  # not closed by the app: left alone


async def test_declining_to_resume_is_not_asked_again(engine):
    uid = quit_interrupted_job(engine)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await wait_for_screen(pilot, AskScreen)
        await pilot.press("n")
        await wait_for_group(app, "dialogs")
    assert engine.get_job(uid).status is JobStatus.INTERRUPTED
    again = app_for(engine)
    async with again.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await wait_for_group(again, "dialogs")  # its look at the store found nothing to offer
        assert not isinstance(again.screen, AskScreen)


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["160x50", "80x24"])
async def test_the_new_import_preview_shows_whole_columns_and_says_how_many_are_left_out(engine, size):
    """Beside the mapping when there is room; under it at 80 columns (beside it, one column was left)."""
    app = app_for(engine)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("n", *"data/products_with_errors.csv")
        await wait_for_group(app, "preview")
        await settled(pilot)
        table = app.screen.query_one("#preview").content
        assert " of 12 columns" in str(table.title)
        headers = [str(c.header) for c in table.columns]
        assert headers[:3] == ["sku", "name", "description"] and headers[-1].startswith("+")
        for column in table.columns[:-1]:
            assert column.width >= len(str(column.header))  # never squeezed to "…"
        mapping, preview = app.screen.query_one("#mapping"), app.screen.query_one("#preview")
        if size == SIZE:
            assert mapping.region.y == preview.region.y and len(table.columns) > 6
        else:
            assert preview.region.y > mapping.region.y and len(table.columns) >= 4  # 3 and "+9"
        drawn = visible_text(app.screen.query_one("#preview"))
        assert "SKU-002001 " in drawn and "Travel Toothbrush" in drawn  # whole values, as wide as they are
        footer = footer_keys(app.screen)
        assert footer == {"ctrl+s": "Create job", "escape": "Cancel"}, footer  # the dialog's own keys


async def test_the_keys_screen_lists_the_list_keys_and_its_own_footer(engine):
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("question_mark")
        await settled(pilot)
        text = rendered(app.screen.query_one("Static").content)
        for expected in ("Sort", "Reverse", "First job", "Last job", "Clear search"):
            assert expected in text, expected
        assert footer_keys(app.screen) == {"escape": "Close", "q": "Close", "question_mark": "Close"}
