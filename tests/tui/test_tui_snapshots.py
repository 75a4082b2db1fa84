"""Snapshot tests: how the app looks. Synchronous (snap_compare), one class per screen."""

from __future__ import annotations

from importdesk.models import JobType
from importdesk.tui.screens.confirm import AskScreen, ConfirmJobScreen
from importdesk.tui.screens.edit_value import EditValueScreen
from importdesk.tui.screens.new_import import NewImportScreen

from tui_helpers import app_for, queue, run, settled, wait_for_group, wait_for_screen

WIDE = (160, 50)
NARROW = (80, 24)


def pressing(*keys: str):
    """The pages shown, then each key and the pages it asked for (the screen's reader is a thread)."""
    async def run_before(pilot) -> None:
        await settled(pilot)
        for key in keys:
            await pilot.press(key)
            await settled(pilot)
    return run_before


def asking(key: str, dialog: type):
    """The pages shown, then the key, and its dialog once shown (it reads its job in a thread first)."""
    async def run_before(pilot) -> None:
        await settled(pilot)
        await pilot.press(key)
        await wait_for_screen(pilot, dialog)
        await settled(pilot)
    return run_before


class TestMainScreen:
    """The main screen: job list, detail and errors panes."""

    def test_every_status(self, every_status, snap_compare):
        """One job in each status; the newest (pending) is highlighted."""
        assert snap_compare(app_for(every_status), terminal_size=WIDE, run_before=pressing())

    def test_every_status_80x24(self, every_status, snap_compare):
        """The same at 80×24: everything still readable."""
        assert snap_compare(app_for(every_status), terminal_size=NARROW, run_before=pressing())

    def test_detail_and_errors_of_job_with_errors(self, engine, snap_compare):
        """A done job with 33 row errors: detail, error kinds and the first page of errors."""
        run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=pressing())

    def test_errors_80x24(self, engine, snap_compare):
        """At 80×24, Enter on a job with errors: the errors take the detail's place under the list,
        and the highlighted error's whole message shows under the grid."""
        run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
        assert snap_compare(app_for(engine), terminal_size=NARROW, run_before=pressing("enter", "down"))

    def test_errors_pane_focused_second_page(self, engine, snap_compare):
        """Errors pane focused (Tab Tab) and turned to its second page (PgDn)."""
        run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=pressing("tab", "tab", "pagedown"))

    def test_empty_workspace(self, engine, snap_compare):
        """No jobs yet: the panes say what to do."""
        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=pressing())


class TestNewImportDialog:
    """The new-import dialog."""

    def test_mapping_preview(self, engine, snap_compare):
        """A CSV with an unknown column: detection, suggested type, mapping and first rows."""
        async def type_path(pilot):
            await settled(pilot)
            await pilot.press("n")
            await pilot.pause()
            pilot.app.screen.query_one("#path").value = "data/products_with_errors.csv"
            await wait_for_group(pilot.app, "preview")
            await pilot.pause()

        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=type_path)

    def test_mapping_preview_80x24(self, engine, snap_compare):
        """At 80×24 the preview is under the mapping; Tab to the dialog's body, End scrolls to it."""
        async def type_path_and_scroll(pilot):
            await settled(pilot)
            await pilot.press("n")
            await wait_for_screen(pilot, NewImportScreen)
            await pilot.press(*"data/products_with_errors.csv")
            await wait_for_group(pilot.app, "preview")
            await pilot.pause()
            await pilot.press("tab", "end")
            await pilot.pause()

        assert snap_compare(app_for(engine), terminal_size=NARROW, run_before=type_path_and_scroll)


class TestConfirmDialog:
    """Confirming a validated job."""

    def test_summary(self, engine, snap_compare):
        """The summary of what the execute will do, before it runs."""
        run(engine, "products_with_errors.csv", resource_type="products", job_type=JobType.VALIDATE,
            skip_errors=True)
        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=asking("c", ConfirmJobScreen))


    def test_summary_80x24(self, engine, snap_compare):
        """The same at 80×24, with the dialog's own keys in the footer."""
        run(engine, "products_with_errors.csv", resource_type="products", job_type=JobType.VALIDATE,
            skip_errors=True)
        assert snap_compare(app_for(engine), terminal_size=NARROW, run_before=asking("c", ConfirmJobScreen))


class TestCancelDialog:
    """Cancel cannot be undone, so it asks; y, n and Esc answer."""

    def test_cancel_a_pending_job(self, engine, snap_compare):
        """x on a pending job."""
        queue(engine, "products.csv", resource_type="products")
        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=asking("x", AskScreen))

    def test_cancel_a_pending_job_80x24(self, engine, snap_compare):
        """The same at 80×24."""
        queue(engine, "products.csv", resource_type="products")
        assert snap_compare(app_for(engine), terminal_size=NARROW, run_before=asking("x", AskScreen))


class TestHelpScreen:
    """The help screen."""

    def test_keys(self, engine, snap_compare):
        """Every key, grouped."""
        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=pressing("question_mark"))


class TestEditValueDialog:
    """Correcting a failed row's rejected value (issue 5)."""

    def test_prefilled_with_the_rejected_value(self, engine, snap_compare):
        """Row 70's price (-5.00) in the errors pane, F2: the dialog, prefilled."""
        run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)

        async def edit_row_70(pilot):
            await settled(pilot)
            await pilot.press("tab", "tab")
            await settled(pilot)
            errors = pilot.app.screen.errors
            errors.grid.move_cursor(row=next(i for i, item in enumerate(errors.items) if item.row_number == 70))
            await pilot.press("f2")
            await wait_for_screen(pilot, EditValueScreen)

        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=edit_row_70)


class TestRecordsView:
    """The records of a type, paged from SQLite; one record opened."""

    @staticmethod
    async def open_records(pilot, *keys: str) -> None:
        await settled(pilot)
        await pilot.press("R")
        await wait_for_group(pilot.app, "records-reader")
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await wait_for_group(pilot.app, "records-reader", "record-reader")
            await pilot.pause()

    def test_customers(self, engine, snap_compare):
        """R: the customers, by key, a page that fits."""
        run(engine, "customers.xlsx", resource_type="customers")
        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=self.open_records)

    def test_customers_80x24(self, engine, snap_compare):
        """The same at 80×24."""
        run(engine, "customers.xlsx", resource_type="customers")
        assert snap_compare(app_for(engine), terminal_size=NARROW, run_before=self.open_records)

    def test_one_record(self, engine, snap_compare):
        """Enter on the first product: every field, nested values indented, who wrote it."""
        run(engine, "products.csv", resource_type="products")
        async def open_one(pilot):
            await self.open_records(pilot, "enter")
        assert snap_compare(app_for(engine), terminal_size=WIDE, run_before=open_one)

    def test_one_record_80x24(self, engine, snap_compare):
        """The same at 80×24."""
        run(engine, "products.csv", resource_type="products")
        async def open_one(pilot):
            await self.open_records(pilot, "enter")
        assert snap_compare(app_for(engine), terminal_size=NARROW, run_before=open_one)
