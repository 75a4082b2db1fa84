"""At 80x24, what a person sees: a footer of whole keys, only keys that apply, paths and choices
that fit. Keys only (Pilot), no mouse."""

from __future__ import annotations

import pytest
from textual.widgets import Footer, Select

from importdesk.tui.screens.new_import import NewImportScreen
from importdesk.tui.widgets.job_detail import JobDetail

from tui_helpers import app_for, run, settled, wait_for_screen

pytestmark = pytest.mark.anyio

SIZE = (80, 24)


def footer_keys(app) -> tuple[list, object]:
    """The keys the footer shows (left to right) and its command palette key."""
    footer = app.screen.query_one(Footer)
    keys = [k for k in footer.query("FooterKey") if k.display]
    palette = footer.query_one("FooterKey.-command-palette")
    return [k for k in keys if k is not palette], palette


async def test_narrow_footer_shows_whole_keys_and_ends_with_the_palette_key(every_status):
    app = app_for(every_status)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.pause()
        keys, palette = footer_keys(app)
        footer = app.screen.query_one(Footer).region
        assert palette.region.right == footer.right  # nothing shows right of it
        assert keys, "the footer shows no key at all"
        for key in keys:  # whole, left of the palette key: never cut by it
            assert key.region.width == key.get_content_width(footer.size, footer.size)
            assert key.region.right <= palette.region.x, f"{key.description} runs under the palette key"


async def test_narrow_footer_fits_again_after_a_resize(every_status):
    app = app_for(every_status)
    async with app.run_test(size=(100, 24)) as pilot:
        await settled(pilot)
        await pilot.pause()
        wide = [k.description for k in footer_keys(app)[0]]
        await pilot.resize_terminal(80, 24)
        await settled(pilot)
        await pilot.pause()
        narrow, palette = footer_keys(app)
        assert [k.description for k in narrow] == wide[:len(narrow)]  # the first ones, in order
        assert all(k.region.right <= palette.region.x for k in narrow)
        await pilot.resize_terminal(100, 24)
        await settled(pilot)
        await pilot.pause()
        assert [k.description for k in footer_keys(app)[0]] == wide


async def test_f2_edit_value_shows_only_for_a_job_with_failed_rows(engine):
    run(engine, "products.csv", resource_type="products")  # no errors: nothing to correct
    app = app_for(engine)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(pilot)
        await pilot.press("enter")  # to its errors
        await settled(pilot)
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one("#errors-grid")
        assert "Edit value" not in [k.description for k in footer_keys(app)[0]]


async def test_f2_edit_value_shows_for_a_job_with_failed_rows(engine):
    run(engine, "products_with_errors.csv", resource_type="products", skip_errors=True)
    app = app_for(engine)
    async with app.run_test(size=(160, 50)) as pilot:
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        await pilot.pause()
        assert "Edit value" in [k.description for k in footer_keys(app)[0]]


async def test_kept_at_path_breaks_after_a_slash_keeping_the_file_name_whole(engine, tmp_path):
    name = "customers_exported_from_the_old_shop_in_december.csv"
    (tmp_path / "data" / name).write_bytes((tmp_path / "data" / "products.csv").read_bytes())
    run(engine, name, resource_type="products")
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.pause()
        detail = app.screen.query_one(JobDetail)
        lines = [line.strip() for line in _visible_lines(detail)]
        kept = next(i for i, line in enumerate(lines) if line.startswith("kept at"))
        first = lines[kept].removeprefix("kept at").strip()
        assert first.startswith("archive/") and first.endswith("/")
        assert lines[kept + 1] == name  # the file name whole, on a line of its own


def _visible_lines(widget) -> list[str]:
    body = widget.query_one("#detail-body")
    return ["".join(s.text for s in body.render_line(y)) for y in range(body.size.height)]


async def test_job_type_choice_fits_its_select_box(engine):
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("n")
        await wait_for_screen(pilot, NewImportScreen)
        await pilot.pause()
        select = app.screen.query_one("#job-type", Select)
        current = select.query_one("SelectCurrent")
        assert current.region.height == 1
        shown = "".join(s.text for s in current.query_one("#label").render_line(0))
        assert "validate (dry run)" in shown
