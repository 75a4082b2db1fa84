"""Pilot tests: behaviour, asserting on state. Await, never sleep."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input

from importdesk.engine.app_quit import QUIT_PREFIX
from importdesk.engine.pipeline import BATCH_ROWS
from importdesk.models import JobStatus, JobType
from importdesk.tui.messages import JobFinished
from importdesk.tui.screens.confirm import AskScreen, ConfirmJobScreen
from importdesk.tui.screens.edit_value import EditValueScreen
from importdesk.tui.screens.new_import import NewImportScreen
from importdesk.tui.widgets.error_table import ErrorTable
from importdesk.tui.widgets.job_list import JobList

from tui_helpers import app_for, queue, run, settled, wait_for_group, wait_for_screen
from waiting import Messages, held_after_batch

SIZE = (160, 50)
pytestmark = pytest.mark.anyio


def visible_text(widget) -> str:
    """What the widget draws, as plain text."""
    lines = []
    for y in range(widget.size.height):
        lines.append("".join(segment.text for segment in widget.render_line(y)))
    return "\n".join(lines)


def rendered(renderable) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize("child_processes", [False, True], ids=["thread", "child-process"])
async def test_new_import_from_the_dialog_runs_to_done(engine, child_processes):
    app = app_for(engine, run_queue=True, child_processes=child_processes)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("n")
        dialog = app.screen
        assert isinstance(dialog, NewImportScreen)
        dialog.query_one("#path").value = "data/products.csv"
        await wait_for_group(app, "preview")
        await settled(pilot)
        assert dialog.query_one("#resource-type").value == "products"  # suggested from the headers
        dialog.query_one("#job-type").value = "execute"
        await pilot.press("ctrl+s")
        await wait_for_group(app, "create", "dialogs")  # the dialog's worker tells the screen (JobsChanged)
        await settled(pilot)  # the page with the new job's count: the queue starts from it
        assert not isinstance(app.screen, NewImportScreen)
        await wait_for_group(app, "imports")
        await settled(pilot)
        jobs = app.screen.query_one(JobList)
        assert jobs.row_count == 1
        job = jobs.selected
        assert job.status is JobStatus.DONE and job.progress.done == 1000
        assert engine.record_count("products") == 1000
        ran_here = job.worker.endswith(f":{os.getpid()}")
        assert ran_here is not child_processes, job.worker
        assert "Import done" in [n.title for n in app._notifications]  # the toast


async def test_new_import_bad_choices_get_an_inline_message(engine):
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("n")
        dialog = app.screen
        await pilot.press("ctrl+s")
        assert "existing file" in str(dialog.query_one("#new-message").render())
        dialog.query_one("#path").value = "data/products.csv"
        await wait_for_group(app, "preview")
        await settled(pilot)
        dialog.query_one("#shared").value = "{not json"
        await pilot.press("ctrl+s")
        assert "not valid JSON" in str(dialog.query_one("#new-message").render())
        dialog.query_one("#shared").value = ""
        dialog.query_one("#locale").value = "xx_NOPE"
        await pilot.press("ctrl+s")
        await wait_for_group(app, "create")
        await settled(pilot)
        assert isinstance(app.screen, NewImportScreen)
        assert "locale" in str(dialog.query_one("#new-message").render())
        await pilot.press("escape")
        assert engine.count_jobs() == 0


async def test_new_import_threshold_reads_like_the_command_line(engine):
    """'1%' is one percent (the dialog read it as 100%); a bare 5 is refused as ambiguous."""
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("n")
        dialog = app.screen
        dialog.query_one("#path").value = "data/products.csv"
        await wait_for_group(app, "preview")
        await settled(pilot)
        dialog.query_one("#threshold").value = "5"
        await pilot.press("ctrl+s")
        assert "ambiguous: write 5% for 5 percent" in str(dialog.query_one("#new-message").render())
        assert engine.count_jobs() == 0
        dialog.query_one("#threshold").value = "1%"
        await pilot.press("ctrl+s")
        await wait_for_group(app, "create")
        await settled(pilot)
        assert [job.error_threshold for job in engine.list_jobs()] == [0.01]


async def test_filter_by_text_status_and_clear(every_status):
    app = app_for(every_status)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        jobs = app.screen.query_one(JobList)
        assert jobs.row_count == 8
        await pilot.press("slash", *"wines")
        await settled(pilot)
        assert [j.file_name for j in jobs.jobs.values()] == ["wines.csv"]
        await pilot.press("escape")
        await settled(pilot)
        assert jobs.row_count == 8
        app.screen.query_one("#filter-status").value = "done*"
        await settled(pilot)
        assert [j.progress.error for j in jobs.jobs.values()] == [33]
        assert jobs.total == 1  # counted by the store with the same filter
        app.screen.query_one("#filter-status").value = "interrupted"
        await settled(pilot)
        assert [j.status for j in jobs.jobs.values()] == [JobStatus.INTERRUPTED]
        app.screen.query_one("#filter-resource").value = "wines"
        await settled(pilot)
        assert jobs.row_count == 0
        await pilot.click("#filter-clear")
        await settled(pilot)
        assert jobs.row_count == 8


async def test_page_through_errors(engine, tmp_path):
    bad = tmp_path / "data" / "many_errors.csv"
    header = Path("data/products.csv").read_text().splitlines()[0]
    bad.write_text(header + "\n" + "".join(
        f"SKU-{i:06},Thing {i},,misc,not-a-price,EUR,1,true,,2024-01-01,{{}}\n" for i in range(1, 251)))
    run(engine, "many_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        errors = app.screen.query_one(ErrorTable)
        await pilot.press("tab", "tab")
        await settled(pilot)
        assert app.focused is errors.grid
        size = errors.page_size
        assert errors.total == 250 and errors.grid.row_count == size < 250
        await pilot.press("pagedown")
        await settled(pilot)
        assert errors.page_offset == size
        assert errors.grid.get_row_at(0)[0].plain == str(2 + size)  # rows start at line 2
        await pilot.press("end")
        await settled(pilot)
        assert errors.page_offset == (249 // size) * size
        assert errors.grid.row_count == 250 - errors.page_offset
        await pilot.press("home")
        await settled(pilot)
        assert errors.page_offset == 0
        await pilot.press("pageup")
        await settled(pilot)
        assert errors.page_offset == 0
        # arrows past the last row turn the page
        for _ in range(size):
            await pilot.press("down")
            await settled(pilot)
        assert errors.page_offset == size and errors.grid.cursor_row == 0
        await pilot.press("up")
        await settled(pilot)
        assert errors.page_offset == 0 and errors.grid.cursor_row == size - 1
        # filter by column: only price errors (all of them here); by level: warnings (none)
        errors.query_one("#error-field").value = "price"
        await settled(pilot)
        assert errors.total == 250
        errors.query_one("#error-level").value = "warning"
        await settled(pilot)
        assert errors.total == 0 and errors.grid.row_count == 0


async def test_confirm_a_validated_job_shows_its_summary_then_runs(engine):
    uid = run(engine, "products_with_errors.csv", resource_type="products", job_type=JobType.VALIDATE,
              skip_errors=True)
    app = app_for(engine, run_queue=True)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await wait_for_group(app, "imports")
        await pilot.press("c")
        dialog = await wait_for_screen(pilot, ConfirmJobScreen)  # after a read of the job, in a thread
        body = str(dialog.query_one(".body").render())
        assert "create 164" in body and "update 3" in body and "0 unchanged" in body and "33 rows" in body
        await pilot.press("enter")  # Execute is focused
        await wait_for_group(app, "dialogs")  # the confirm's worker tells the screen (JobsChanged)
        await settled(pilot)  # the page with the new job's count: the queue starts from it
        await wait_for_group(app, "imports")
        await settled(pilot)
        jobs = app.screen.query_one(JobList)
        new = jobs.selected
        assert new.uid != uid and new.validated_job_uid == uid
        assert new.job_type is JobType.EXECUTE and new.status is JobStatus.DONE
        assert engine.record_count("products") == 164


async def test_actions_that_do_not_apply_are_disabled(every_status):
    app = app_for(every_status)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        screen = app.screen
        assert screen.selected.status is JobStatus.PENDING
        assert screen.check_action("resume", ()) is None
        assert screen.check_action("confirm", ()) is None
        assert screen.check_action("interrupt", ()) is True
        await pilot.press("r")  # disabled: nothing happens
        assert every_status.get_job(screen.selected.uid).status is JobStatus.PENDING


async def test_interrupt_and_resume(engine):
    uid = queue(engine, "products.csv", resource_type="products")
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("i")
        await settled(pilot)
        assert engine.get_job(uid).status is JobStatus.INTERRUPTED
        assert app.screen.query_one(JobList).selected.status is JobStatus.INTERRUPTED
        assert app.screen.check_action("resume", ()) is True
        await pilot.press("r")
        await settled(pilot)
        assert engine.get_job(uid).status is JobStatus.PENDING


async def test_resume_over_the_threshold_asks_to_skip_errors(engine):
    uid = run(engine, "products_with_errors.csv", resource_type="products")
    assert engine.get_job(uid).status is JobStatus.INTERRUPTED  # 10% threshold crossed
    app = app_for(engine, run_queue=True)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("r")
        await wait_for_screen(pilot, AskScreen)  # resumed as it is, it would stop at the next bad row
        await pilot.press("y")
        await wait_for_group(app, "dialogs")  # the resume's worker tells the screen (JobsChanged)
        await settled(pilot)  # the page with the resumed job's count: the queue starts from it
        await wait_for_group(app, "imports")
        job = engine.get_job(uid)
        assert job.skip_errors and job.status is JobStatus.DONE
        assert (job.progress.done, job.progress.error, job.progress.pending) == (167, 33, 0)


async def test_interrupt_a_processing_job_asks_its_runner(engine):
    uid = queue(engine, "products.csv", resource_type="products")
    engine.ctx.jobs.claim_next(engine.worker, engine.ctx.clock(), uid=uid)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        assert app.screen.check_action("delete", ()) is None  # never delete a running job
        await pilot.press("i")
        await settled(pilot)
        assert engine.get_job(uid).request == "interrupt"
        assert app.screen.check_action("interrupt", ()) is None  # already asked


async def test_delete_asks_first(every_status):
    app = app_for(every_status)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        uid = app.screen.selected.uid
        await pilot.press("d")
        await wait_for_screen(pilot, AskScreen)
        await pilot.press("n")
        await settled(pilot)
        assert every_status.get_job(uid)
        await pilot.press("d")
        await wait_for_screen(pilot, AskScreen)
        await pilot.press("y")
        await settled(pilot)
        assert every_status.count_jobs() == 7
        assert uid not in app.screen.query_one(JobList).jobs


async def test_a_job_run_by_another_process_shows_up_live(engine, workspace):
    app = app_for(engine, poll_interval=0.05)
    messages = Messages()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        jobs = app.screen.query_one(JobList)
        assert jobs.row_count == 0
        result = subprocess.run(
            [sys.executable, "-c", "from importdesk.cli import main; raise SystemExit(main())",
             "--workspace", str(workspace.root), "run", "data/products.csv", "--type", "products"],
            capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        # the store's poll finds the other process's job: the list shows it and highlights it
        await messages.wait_for(lambda m: isinstance(m, JobList.JobHighlighted) and m.job is not None)
        await settled(pilot)
        assert jobs.row_count == 1
        assert jobs.selected.status is JobStatus.DONE


async def test_a_running_jobs_row_moves_and_the_other_rows_stay(every_status):
    """Rows are redrawn one by one (not through DataTable.update_cell): what is drawn must follow."""
    engine = every_status
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        jobs = app.screen.query_one(JobList)
        running = next(j for j in jobs.jobs.values() if j.status is JobStatus.PROCESSING)
        before = visible_text(jobs).splitlines()
        line = next(i for i, text in enumerate(before) if "preise_de.csv" in text)
        assert "0%" in before[line] or "%" not in before[line]

        snapshot = running.model_copy(deep=True)
        snapshot.progress.total, snapshot.progress.done, snapshot.progress.pending = 300, 150, 150
        app.screen.job_progressed(snapshot)
        jobs._redraw_stale()  # what the row timer does every ROW_REFRESH seconds
        await settled(pilot)
        after = visible_text(jobs).splitlines()
        assert "50%" in after[line] and "300" in after[line], after[line]
        assert [t for i, t in enumerate(after) if i != line] == [t for i, t in enumerate(before) if i != line]

        engine.interrupt(running.uid)  # another writer: the store's revision moves, the row follows
        app.screen.store_changed()
        await settled(pilot)
        assert jobs.jobs[running.uid].request == "interrupt"
        assert "50%" not in visible_text(jobs).splitlines()[line]  # the stored job, not the snapshot


async def test_markup_in_data_is_shown_literally(engine, tmp_path):
    header = Path("data/products.csv").read_text().splitlines()[0]
    (tmp_path / "data" / "[b]markup[-b].csv").write_text(
        header + "\nSKU-1,[red]alert[/],,misc,[bold]9[/bold],EUR,1,true,,2024-01-01,{}\n")
    run(engine, "[b]markup[-b].csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        jobs = app.screen.query_one(JobList)
        assert "[b]markup[-b].csv" in visible_text(jobs)
        grid = app.screen.query_one(ErrorTable).grid
        assert "[bold]9[/bold]" in visible_text(grid)


async def test_export_failed_rows_csv_and_xlsx(engine, workspace, tmp_path):
    header = Path("data/products.csv").read_text().splitlines()[0]
    (tmp_path / "data" / "formulas.csv").write_text(
        header + "\nSKU-1,Thing,,misc,=SUM(A1:A3),EUR,1,true,,2024-01-01,{}\n")
    uid = run(engine, "formulas.csv", resource_type="products", skip_errors=True)
    short = engine.get_job(uid).short_uid
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("e")
        await wait_for_group(app, "exports")
        await pilot.press("E")
        await wait_for_group(app, "exports")
    csv_file = workspace.exports / f"failed-rows-formulas-{short}.csv"
    assert sorted(p.name for p in workspace.exports.iterdir()) == [csv_file.name, csv_file.stem + ".xlsx"]
    text = csv_file.read_text()
    assert "'=SUM(A1:A3)" in text and ",=SUM" not in text  # neutralised by the engine's exporter
    assert "_source_row" in text and "_errors" in text


async def test_copy_as_json_writes_the_report(engine, workspace):
    uid = run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    copied = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        await pilot.press("y")
        await wait_for_group(app, "exports")
        await settled(pilot)
    report = json.loads((workspace.exports / f"{uid}.json").read_text())
    assert report["errors_log"] and "warnings_log" in report
    assert json.loads(copied[0]) == report


async def test_correct_two_failed_values_then_retry_the_failed_rows(engine):
    uid = run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine, run_queue=True)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        screen = app.screen
        assert screen.check_action("retry", ()) is True  # done, with failed rows
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "job: Retry failed rows" in titles and "job: Retry" not in titles
        errors = screen.query_one(ErrorTable)
        await pilot.press("tab", "tab")
        await settled(pilot)
        assert app.focused is errors.grid
        edits = [(70, "price", "5.00"), (57, "name", "Fixed name")]
        for (row, field, new), key in zip(edits, ["enter", "f2"], strict=True):
            index = next(i for i, item in enumerate(errors.items)
                         if item.row_number == row and item.field == field)
            errors.grid.move_cursor(row=index)
            await pilot.press(key)
            dialog = await wait_for_screen(pilot, EditValueScreen)
            field_input = dialog.query_one(Input)
            assert field_input.value == {70: "-5.00", 57: ""}[row]  # prefilled with the rejected value
            field_input.value = new
            await pilot.press("enter")
            await settled(pilot)
            assert not isinstance(app.screen, EditValueScreen)
            assert "✎ " + new in visible_text(errors.grid)
        assert engine.row_edits(uid) == {70: {"price": "5.00"}, 57: {"name": "Fixed name"}}
        await pilot.press("t")
        await settled(pilot)
        await wait_for_group(app, "imports")
        await settled(pilot)
        new = screen.query_one(JobList).selected
        assert new.uid != uid and new.retry_of_uid == uid
        assert new.status is JobStatus.DONE and new.progress.done == 2 and new.progress.error == 31
        assert screen.detail.job.uid == new.uid
        assert f"retry of {uid}" in " ".join(rendered(screen.detail.render_job(new)).split())
    source = engine.get_job(uid)
    assert source.progress.done == 167 and source.progress.error == 33  # the source stays as it was


async def test_export_records_runs_as_an_export_job(engine, workspace):
    run(engine, "products.csv", resource_type="products")
    app = app_for(engine, run_queue=True)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        command = next(c for c in app.get_system_commands(app.screen)
                       if c.title == "records: Export products to JSONL")
        command.callback()
        await settled(pilot)
        await wait_for_group(app, "imports")
        await settled(pilot)
        job = app.screen.query_one(JobList).selected
        assert job.job_type is JobType.EXPORT and job.status is JobStatus.DONE and job.progress.done == 1000
        assert "export" in visible_text(app.screen.query_one(JobList))
    target = workspace.absolute(job.provider_data.kept_path)
    assert target.parent == workspace.exports and target.suffix == ".jsonl"
    assert len(target.read_text().splitlines()) == 1000


async def test_the_inbox_is_watched_and_toggled(engine, workspace):
    app = app_for(engine, run_queue=True, watch_inbox=True, inbox_stability=0.1, poll_interval=0.05)
    messages = Messages()
    async with app.run_test(size=SIZE, message_hook=messages) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        assert "inbox/ watching" in app.sub_title
        folder = workspace.inbox / "products"
        folder.mkdir(parents=True)
        shutil.copy2("data/products.csv", folder / "products.csv")
        jobs = app.screen.query_one(JobList)
        # posted by the app's worker once the job ended and its file was settled
        finished = (await messages.wait_for(lambda m: isinstance(m, JobFinished))).job
        await settled(pilot)
        done = [j for j in jobs.jobs.values() if j.status is JobStatus.DONE]
        assert [j.uid for j in done] == [finished.uid]
        assert done[0].resource_type == "products" and done[0].progress.done == 1000
        kept = engine.get_job(done[0].uid).provider_data.kept_path
        assert kept.startswith("archive/"), kept
        await pilot.press("w")
        await wait_for_group(app, "inbox")
        assert app.watcher is None and "inbox/ not watched" in app.sub_title
async def test_command_palette_lists_every_job_command_and_says_why_one_cannot_run(every_status):
    app = app_for(every_status)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Keys" not in commands and "Quit" not in commands  # Textual's own, replaced by the app's
        assert "resume" in commands["app: Quit"].help
        assert "Not possible" not in commands["job: Interrupt"].help
        assert commands["job: Resume"].help.startswith("Not possible now: only an interrupted job")
        await pilot.press("ctrl+p", *"resume")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert [n.title for n in app._notifications][-1] == "Not possible"
        assert every_status.get_job(app.screen.selected.uid).status is JobStatus.PENDING


@pytest.mark.parametrize("child_processes", [False, True], ids=["thread", "child-process"])
async def test_quitting_during_an_import_interrupts_it_resumably(engine, tmp_path, child_processes):
    rows = 3 * BATCH_ROWS  # the import holds after its first batch: the quit lands mid-file, always
    header = Path("data/products.csv").read_text().splitlines()[0]
    big = tmp_path / "data" / "big.csv"
    with big.open("w") as out:
        out.write(header + "\n")
        for i in range(1, rows + 1):
            out.write(f"SKU-{i:06},Thing {i},,misc,1.50,EUR,1,true,,2024-01-01,{{}}\n")
    uid = queue(engine, "big.csv", resource_type="products")
    app = app_for(engine, run_queue=True, child_processes=child_processes)
    with held_after_batch(1) as held:
        async with app.run_test(size=SIZE) as pilot:
            await settled(pilot)  # the first page comes from the screen's reader
            assert (await asyncio.to_thread(held.reached))[0] == uid
            await pilot.press("q")
    job = engine.get_job(uid)
    assert job.status is JobStatus.INTERRUPTED, job.status
    assert job.metadata.data_row_index == job.progress.done == BATCH_ROWS
    assert job.error_message.startswith(QUIT_PREFIX)  # so the next app offers to resume it
    engine.resume(uid)
    assert engine.run_job(uid).progress.done == rows


async def _palette_hits(app, pilot, query: str) -> list:
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p", *query)
    await wait_for_group(app, CommandPalette._GATHER_COMMANDS_GROUP)
    await settled(pilot)
    options = app.screen.query_one(CommandList)
    return [options.get_option_at_index(i).hit for i in range(options.option_count)]


async def test_a_palette_search_that_finds_nothing_says_why(every_status):
    app = app_for(every_status)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)  # the first page comes from the screen's reader
        hits = await _palette_hits(app, pilot, "zzqx")
        assert [h.text for h in hits] == ["zzqx"]
        assert "Job actions are for the highlighted job" in hits[0].help
        await pilot.press("escape")
        hits = await _palette_hits(app, pilot, "resume")
        assert all("Nothing matches" not in str(h.text) for h in hits) and hits  # a match: no explanation
        await pilot.press("escape", "R")
        await wait_for_group(app, "records-reader")
        hits = await _palette_hits(app, pilot, "retry")
        assert [h.text for h in hits] == ["retry"]
        assert "Job actions (retry, resume, cancel …) are listed on the job list" in hits[0].help
