"""Readers given what they should refuse: codecs that are not file encodings; spreadsheet error
cells (issue 12: --encoding unicode_escape let NUL and ESC into records; #N/A was reported as
"is required")."""

from __future__ import annotations

import pytest


@pytest.fixture
def write(tmp_path):
    def _write(name: str, content: str):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8", newline="")
        return path
    return _write


@pytest.mark.parametrize("encoding", ["rot13", "base64", "unicode_escape", "raw_unicode_escape", "zlib", "idna"])
def test_codecs_that_are_not_file_encodings_are_refused(write, encoding):
    """unicode_escape let NUL and ESC from a file's text into records (issue 12)."""
    from importdesk.readers import ReaderError, open_source

    path = write("p.csv", "sku,name\nA-1,escapes \\x00 and \\x1b[31m\n")  # as text in the file
    with pytest.raises(ReaderError, match="is not a text encoding"):
        open_source(path, encoding=encoding)


def test_an_unsuitable_encoding_is_a_usage_error_before_any_job(engine, tmp_path):
    from importdesk.engine import ImportOptions, UsageError

    path = tmp_path / "p.csv"
    path.write_text("sku,name\nA-1,x\n")
    with pytest.raises(UsageError, match="'unicode_escape' is not a text encoding"):
        engine.create_job(path, ImportOptions(resource_type="products", encoding="unicode_escape"))
    assert engine.list_jobs() == []


def test_an_xlsx_error_cell_is_a_row_error_naming_the_cell_and_the_error(engine, tmp_path):
    import openpyxl

    from importdesk.engine import ImportOptions
    from importdesk.models import ItemLevel

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Products & more"
    ws.append(["sku", "name", "price", "currency"])
    ws.append(["A-1", "Kettle", 12.5, "EUR"])
    ws.append(["A-2", "Lamp", "#N/A", "EUR"])
    ws["C3"].data_type = "e"  # an error cell, as Excel writes a failed lookup
    ws.append(["A-3", "#DIV/0!", 3, "EUR"])
    ws["B4"].data_type = "e"
    path = tmp_path / "p.xlsx"
    wb.save(path)
    job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="products", skip_errors=True)).uid)
    assert (job.progress.done, job.progress.error) == (1, 2)
    items = {i.row_number: i for i in engine.list_items(job.uid, level=ItemLevel.ERROR)}
    assert "cell C3 (price) holds the spreadsheet error #N/A" in items[3].message
    assert "cell B4 (name) holds the spreadsheet error #DIV/0!" in items[4].message
    assert all("required" not in i.message for i in items.values())
