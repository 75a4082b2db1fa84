"""Failed-rows export: original header + _source_row + _errors, CSV neutralised, XLSX highlighted."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import openpyxl
import pytest

from importdesk.engine.service import ImportOptions
from importdesk.exports import (
    ERRORS_COLUMN,
    SOURCE_ROW_COLUMN,
    export_failed_rows,
    unneutralise,
    write_failed_rows,
)
from importdesk.models import ItemLevel, JobItem

from support import SAMPLES

ENGINES = [pytest.param("xlsxwriter", marks=pytest.mark.skipif(
    importlib.util.find_spec("xlsxwriter") is None, reason="XlsxWriter not installed")), "openpyxl"]
HEADER = ["sku", "name", "description", "category", "price", "currency", "weight_kg", "active", "ean",
          "launched_on", "attributes", "internal_note"]
HIGHLIGHT = "FFFFC7CE"


@pytest.fixture
def failed_job(engine):
    job = engine.create_job(SAMPLES / "products_with_errors.csv",
                            ImportOptions(resource_type="products", skip_errors=True))
    job = engine.run_job(job.uid)
    assert job.progress.error == 33
    return job


def read_csv(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "Excel needs the BOM"
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def item(row, field, value, message, raw, *, code="invalid", level=ItemLevel.ERROR):
    return JobItem(job_uid="J", row_number=row, field=field, value=value, code=code, message=message,
                   raw_row=raw, level=level)


# ---- CSV -----------------------------------------------------------------------------------------

def test_csv_has_original_header_markers_and_one_line_per_failed_row(engine, failed_job, tmp_path):
    out = tmp_path / "failed.csv"
    n = write_failed_rows(engine.iter_items(failed_job.uid), out, "csv")
    rows = read_csv(out)
    assert rows[0] == [*HEADER, SOURCE_ROW_COLUMN, ERRORS_COLUMN]
    assert n == len(rows) - 1 == 33
    error_items = list(engine.iter_items(failed_job.uid, ItemLevel.ERROR))
    expected_rows = sorted({i.row_number for i in error_items})
    assert [int(r[-2]) for r in rows[1:]] == expected_rows
    raw_by_row = {i.row_number: i.raw_row for i in error_items}
    for r in rows[1:]:
        raw = raw_by_row[int(r[-2])]
        assert len(r) == len(HEADER) + 2
        # every value as the file had it (after undoing the neutralisation); a short row is padded
        assert [unneutralise(v) for v in r[:len(HEADER)]] == [raw.get(h, "") for h in HEADER]
    assert not list(tmp_path.glob("*.part"))


def test_csv_errors_column_in_plain_words(engine, failed_job, tmp_path):
    out = tmp_path / "failed.csv"
    write_failed_rows(engine.iter_items(failed_job.uid), out, "csv")
    by_row = {int(r[-2]): r for r in read_csv(out)[1:]}
    price = HEADER.index("price")
    assert by_row[70][price] == "'-5.00"  # neutralised
    assert by_row[70][-1] == "price: must be a number ≥ 0 (got '-5.00')"
    assert by_row[57][-1] == "name: is required"
    assert by_row[30][-1] == "row has 6 values, the header has 12"
    assert by_row[30][HEADER.index("weight_kg"):len(HEADER)] == [""] * 6


def test_several_errors_of_a_row_make_one_line(tmp_path):
    raw = {"sku": "A-1", "name": "", "price": "-5.00"}
    items = [
        item(None, None, "internal_note", "column 'internal_note' is ignored", None, level=ItemLevel.WARNING),
        item(4, "price", "-5.00", "must be a number ≥ 0", raw),
        item(4, "name", "", "is required", raw),
        item(4, "sku", "A-1", "duplicate", None, level=ItemLevel.WARNING),
        item(9, "price", "abc", "is not a number", {"sku": "B", "name": "b", "price": "abc"}),
    ]
    out = tmp_path / "f.csv"
    assert write_failed_rows(items, out, "csv") == 2
    rows = read_csv(out)
    assert rows[0] == ["sku", "name", "price", "_source_row", "_errors"]
    assert rows[1] == ["A-1", "", "'-5.00", "4", "price: must be a number ≥ 0 (got '-5.00'); name: is required"]
    assert rows[2] == ["B", "b", "abc", "9", "price: is not a number (got 'abc')"]


def test_csv_neutralises_every_formula_character(tmp_path):
    raw = {"=h": "=1+1", "b": "+49 30 1", "c": "-5", "d": "@SUM(A1)", "e": "\tx", "f": "\rx",
           "g": "'=x", "h": "plain", "i": "'abc"}
    out = tmp_path / "f.csv"
    write_failed_rows([item(2, "c", "-5", "=bad", raw)], out, "csv")
    header, row = read_csv(out)
    assert header[0] == "'=h"
    assert row[:9] == ["'=1+1", "'+49 30 1", "'-5", "'@SUM(A1)", "'\tx", "'\rx", "''=x", "plain", "'abc"]
    assert row[-1] == "c: =bad (got '-5')"
    assert [unneutralise(v) for v in row[:9]] == list(raw.values())


def test_header_from_look_ahead_survives_a_short_first_row(tmp_path):
    full = {"a": "1", "b": "2", "c": "3"}
    items = [item(2, None, None, "row has 1 values, the header has 3", {"a": "x"}, code="malformed_row"),
             item(3, "b", "2", "bad", full)]
    out = tmp_path / "f.csv"
    write_failed_rows(items, out, "csv")
    assert read_csv(out) == [["a", "b", "c", "_source_row", "_errors"],
                             ["x", "", "", "2", "row has 1 values, the header has 3"],
                             ["1", "2", "3", "3", "b: bad (got '2')"]]


def test_extra_values_and_late_keys_are_noted_in_errors(tmp_path):
    items = [item(2, None, None, "row has 4 values, the header has 2", {"a": "1", "b": "2", "_extra": ["x", "y"]},
                  code="malformed_row"),
             item(3, "a", "", "is required", {"a": "", "b": "3", "z": "late"})]
    out = tmp_path / "f.csv"
    write_failed_rows(items, out, "csv", lookahead=1)
    rows = read_csv(out)
    assert rows[0] == ["a", "b", "_source_row", "_errors"]
    assert rows[1][-1] == ("row has 4 values, the header has 2; "
                           "2 values past the last column (not in this export): 'x', 'y'")
    assert rows[2][-1] == "a: is required; values under no column of this export: z='late'"


def test_markers_of_an_earlier_export_are_replaced(tmp_path):
    raw = {"a": "1", "_source_row": "7", "_errors": "old"}
    out = tmp_path / "f.csv"
    write_failed_rows([item(2, "a", "1", "bad", raw)], out, "csv")
    assert read_csv(out) == [["a", "_source_row", "_errors"], ["1", "2", "a: bad (got '1')"]]


def test_failed_rows_of_a_csv_come_back_with_every_cell_as_the_file_had_it(engine, tmp_path):
    """Quotes, backslashes, tabs, control and non-BMP characters, a line separator, a cell past the
    header: what the job kept of each failed row is the file's text (its raw rows as JSON)."""
    header = ["sku", "name", "price", "currency"]
    cells = [
        ["A-1", 'say "hi" \\ back\\slash', "-1", "EUR"],
        ["A-2", "tab\there \x01 ctrl \u2028 sep 🙂 ü", "x", "EUR"],
        ["A-3", "short", "-5"],
        ["A-4", "long", "-2", "EUR", "beyond the header"],
    ]
    path = tmp_path / "tricky.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *cells])
    job = engine.run_job(engine.create_job(path, ImportOptions(resource_type="products", skip_errors=True)).uid)
    assert job.progress.error == 4
    raws = {i.row_number: i.raw_row for i in engine.iter_items(job.uid, ItemLevel.ERROR)}
    assert [raws[n] for n in range(2, 6)] == [
        {"sku": "A-1", "name": 'say "hi" \\ back\\slash', "price": "-1", "currency": "EUR"},
        {"sku": "A-2", "name": "tab\there \x01 ctrl \u2028 sep 🙂 ü", "price": "x", "currency": "EUR"},
        {"sku": "A-3", "name": "short", "price": "-5"},  # a short row: its cells
        {"sku": "A-4", "name": "long", "price": "-2", "currency": "EUR", "_extra": ["beyond the header"]}]


def test_export_failed_rows_from_the_engine(engine, failed_job, tmp_path):
    calls = []
    assert export_failed_rows(engine, failed_job.uid, tmp_path / "f.csv", "csv", progress=calls.append,
                              every=10) == 33
    assert calls == [10, 20, 30, 33]


def test_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="unknown export format"):
        write_failed_rows([], tmp_path / "f.pdf", "pdf")


# ---- XLSX ----------------------------------------------------------------------------------------

def marked(ws):
    """(row, header) of every highlighted cell, and of every commented cell."""
    header = [c.value for c in ws[1]]
    fills, comments = set(), {}
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if c.fill is not None and c.fill.fill_type == "solid" and c.fill.fgColor.rgb == HIGHLIGHT:
                fills.add((c.row, header[c.column - 1]))
            if c.comment is not None:
                comments[(c.row, header[c.column - 1])] = c.comment.text
    return header, fills, comments


@pytest.mark.parametrize("xlsx_engine", ENGINES)
def test_xlsx_highlights_and_comments_exactly_the_bad_cells(engine, failed_job, tmp_path, xlsx_engine):
    out = tmp_path / "failed.xlsx"
    assert write_failed_rows(engine.iter_items(failed_job.uid), out, "xlsx", xlsx_engine=xlsx_engine) == 33
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header, fills, comments = marked(ws)
    assert header == [*HEADER, SOURCE_ROW_COLUMN, ERRORS_COLUMN]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 34

    expected_fills, expected_comments = set(), {}
    sheet_row = {ws.cell(r, len(HEADER) + 1).value: r for r in range(2, ws.max_row + 1)}
    for it in engine.iter_items(failed_job.uid, ItemLevel.ERROR):
        r = sheet_row[it.row_number]
        expected_fills.add((r, ERRORS_COLUMN))
        if it.field:
            expected_fills.add((r, it.field))
            expected_comments[(r, it.field)] = it.message
    assert fills == expected_fills
    assert comments == expected_comments

    r70 = sheet_row[70]
    assert ws.cell(r70, HEADER.index("price") + 1).value == "-5.00"  # as the file had it: no apostrophe
    assert ws.cell(r70, HEADER.index("price") + 1).data_type == "s"
    assert ws.cell(r70, HEADER.index("ean") + 1).value.startswith(("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"))
    assert ws.cell(r70, len(HEADER) + 2).value == "price: must be a number ≥ 0 (got '-5.00')"


@pytest.mark.parametrize("xlsx_engine", ENGINES)
def test_xlsx_formula_looking_values_are_text_cells(tmp_path, xlsx_engine):
    raw = {"a": "=1+1", "b": "+49 30 1", "c": "-5", "d": "@SUM(A1)", "e": "=HYPERLINK(\"http://x\")",
           "f": "plain", "g": ""}
    out = tmp_path / "f.xlsx"
    write_failed_rows([item(2, "a", "=1+1", "=looks like a formula", raw)], out, "xlsx", xlsx_engine=xlsx_engine)
    ws = openpyxl.load_workbook(out).active
    cells = list(ws[2])
    for c, v in zip(cells, raw.values(), strict=False):  # the marker columns follow
        if v:
            assert c.data_type == "s" and c.value == v, (c.coordinate, c.value)
    assert cells[0].quotePrefix and cells[1].quotePrefix and not cells[5].quotePrefix
    assert cells[0].comment.text == "=looks like a formula"
    assert cells[-1].value == "a: =looks like a formula (got '=1+1')" and cells[-1].data_type == "s"
    assert openpyxl.load_workbook(out, data_only=False).active["A2"].data_type == "s"


@pytest.mark.parametrize("xlsx_engine", ENGINES)
def test_xlsx_finds_columns_by_alias_with_the_resource_type(engine, tmp_path, xlsx_engine):
    raw = {"SKU code": "A 1", "Bezeichnung": "x", "Preis": "-1"}
    items = [item(2, "sku", "A 1", "bad sku", raw), item(2, "price", "-1", "must be ≥ 0", raw)]
    out = tmp_path / "f.xlsx"
    write_failed_rows(items, out, "xlsx", resource=engine.registry.get("products"), xlsx_engine=xlsx_engine)
    _, fills, comments = marked(openpyxl.load_workbook(out).active)
    assert comments == {(2, "SKU code"): "bad sku", (2, "Preis"): "must be ≥ 0"}
    assert fills == {(2, "SKU code"), (2, "Preis"), (2, ERRORS_COLUMN)}
    ws = openpyxl.load_workbook(out).active
    assert ws.cell(2, 5).value == "SKU code: bad sku (got 'A 1'); Preis: must be ≥ 0 (got '-1')"


@pytest.mark.parametrize("xlsx_engine", ENGINES)
def test_xlsx_header_for_field_and_default_matching(tmp_path, xlsx_engine):
    raw = {"Unit Price": "x", "Weight KG": "y", "Other": "z"}
    items = [item(2, "unit_price", "x", "nan", raw), item(2, "weight_kg", "y", "nan", raw)]
    out = tmp_path / "default.xlsx"
    write_failed_rows(items, out, "xlsx", xlsx_engine=xlsx_engine)
    assert marked(openpyxl.load_workbook(out).active)[2] == {(2, "Unit Price"): "nan", (2, "Weight KG"): "nan"}
    out = tmp_path / "mapped.xlsx"
    write_failed_rows(items, out, "xlsx", xlsx_engine=xlsx_engine,
                      header_for_field={"unit_price": "Other"}.get)
    assert marked(openpyxl.load_workbook(out).active)[2] == {(2, "Other"): "nan"}


@pytest.mark.parametrize("xlsx_engine", ENGINES)
def test_xlsx_comment_limit_keeps_fills(tmp_path, xlsx_engine):
    items = [item(r, "a", "x", "bad", {"a": "x", "b": "y"}) for r in (2, 3, 4)]
    out = tmp_path / "f.xlsx"
    assert write_failed_rows(items, out, "xlsx", comment_limit=1, xlsx_engine=xlsx_engine) == 3
    _, fills, comments = marked(openpyxl.load_workbook(out).active)
    assert comments == {(2, "a"): "bad"}
    assert {(r, "a") for r in (2, 3, 4)} <= fills


@pytest.mark.parametrize("xlsx_engine", ENGINES)
def test_xlsx_keeps_spreadsheet_values_typed(tmp_path, xlsx_engine):
    raw = {"n": 12345.0, "i": 7, "b": True, "j": {"k": [1, 2]}, "none": None}
    out = tmp_path / "f.xlsx"
    write_failed_rows([item(2, "n", "12345", "bad", raw)], out, "xlsx", xlsx_engine=xlsx_engine)
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[2]][:5] == [12345, 7, True, '{"k":[1,2]}', None]
