"""XLSX source (python-calamine): values, sheets, row numbers, damaged and hostile files.

Fixtures are written with openpyxl, which does not compute formulas: a workbook it saves has no
cached formula values. Where a cached value matters, the test patches the sheet XML the way
Excel stores it (<f>formula</f><v>cached</v>).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import pytest

from importdesk.readers import Limits, ReaderError, open_source

SHEET1 = "xl/worksheets/sheet1.xml"


def read_all(path, **kw):
    with open_source(path, **kw) as src:
        recs = list(src.records())
        assert src.count() == len(recs)
        assert list(src.numbered_rows()) == [[*r.values, r.number] if r.error is None else r for r in recs]
        return src.info, recs


def test_values_keep_their_types(make_xlsx):
    path = make_xlsx("products.xlsx", {"Products": [
        ["sku", "qty", "price", "available", "launch", "updated", "note"],
        ["00123", 3, 2.5, True, dt.date(2024, 5, 1), dt.datetime(2024, 5, 1, 13, 30), None],
        ["00124", 3.0, -1.25, False, dt.datetime(2024, 5, 2), dt.datetime(2024, 5, 2, 0, 0, 5), "x"],
    ]})
    info, recs = read_all(path)
    assert info.format == "xlsx"
    assert info.sheet == "Products" and info.sheets == ["Products"]
    assert info.headers == ["sku", "qty", "price", "available", "launch", "updated", "note"]
    assert info.encoding is None and info.delimiter is None
    a, b = recs
    assert a.number == 2 and b.number == 3
    assert a.values == ["00123", 3, 2.5, True, dt.date(2024, 5, 1), dt.datetime(2024, 5, 1, 13, 30), None]
    assert type(a.values[1]) is int          # calamine gives 3.0: integral floats come out as int
    assert b.values[0] == "00124"             # text keeps its leading zeros
    assert type(b.values[1]) is int
    assert b.values[4] == dt.date(2024, 5, 2) and type(b.values[4]) is dt.date  # midnight -> date
    assert b.values[5] == dt.datetime(2024, 5, 2, 0, 0, 5)
    assert b.values[6] == "x"


def test_time_only_cells_become_text(make_xlsx):
    path = make_xlsx("t.xlsx", {"S": [["opens"], [dt.time(9, 30)]]})
    assert read_all(path)[1][0].values == ["09:30:00"]


def test_number_formats_do_not_change_values(make_xlsx):
    path = make_xlsx("n.xlsx", {"S": [["price"], [1234.5], [45000]]}, formats={"A2": "#,##0.00", "A3": "0.00"})
    assert [r.values for r in read_all(path)[1]] == [[1234.5], [45000]]


def test_header_is_first_non_empty_row_and_numbers_are_sheet_rows(make_xlsx):
    path = make_xlsx("offset.xlsx", {"S": [
        {"C3": "sku", "D3": "name"},
        {"C4": "A", "D4": "Chair"},
        # row 5 and 6 empty
        {"C7": "B", "D7": "Table"},
    ]})
    info, recs = read_all(path)
    assert info.headers == ["sku", "name"]
    assert [(r.number, r.values) for r in recs] == [(4, ["A", "Chair"]), (7, ["B", "Table"])]


def test_trailing_empty_rows_and_columns_are_ignored(make_xlsx):
    path = make_xlsx("trail.xlsx", {"S": [
        ["a", "b", None, None],
        [1, None, None, None],
        [None, None, None, None],
        {"A10": None, "F12": ""},
    ]})
    info, recs = read_all(path)
    assert info.headers == ["a", "b"]
    assert [(r.number, r.values) for r in recs] == [(2, [1, None])]


def test_empty_header_cells_get_placeholders(make_xlsx):
    path = make_xlsx("h.xlsx", {"S": [[" sku ", None, "name"], [1, 2, 3]]})
    assert read_all(path)[0].headers == ["sku", "column_2", "name"]


def test_duplicate_headers(make_xlsx):
    path = make_xlsx("d.xlsx", {"S": [["sku", "sku"], [1, 2]]})
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("d.xlsx")
    assert "duplicate" in str(exc.value) and "'sku'" in str(exc.value)


def test_value_beyond_the_header_is_a_record_error(make_xlsx):
    path = make_xlsx("x.xlsx", {"S": [["a", "b"], [1, 2], {"A3": 3, "E3": "stray"}]})
    _, recs = read_all(path)
    assert recs[0].error is None
    assert recs[1].number == 3
    assert recs[1].error == "row has a value in column E, beyond the last header column (B)"


def test_formula_cached_values(make_xlsx, patch_zip):
    path = make_xlsx("f.xlsx", {"S": [["qty", "double", "broken"], [5, "=A2*2", "=1/0"]]})
    # As saved by openpyxl: formulas without cached values -> None (documented behaviour).
    assert read_all(path)[1][0].values == [5, None, None]
    # As saved by Excel: the cached value is what the user saw.
    patch_zip(path, SHEET1, {
        b"<f>A2*2</f><v />": b"<f>A2*2</f><v>10</v>",
        b'<c r="C2"><f>1/0</f><v />': b'<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v>',
    })
    assert read_all(path)[1][0].values == [5, 10, None]


def test_named_sheet(make_xlsx):
    path = make_xlsx("two.xlsx", {"Summary": [["x"], [1]], "Products": [["sku"], ["A"], ["B"]]})
    info, recs = read_all(path, sheet="Products")
    assert info.sheet == "Products" and info.sheets == ["Summary", "Products"]
    assert [r.values for r in recs] == [["A"], ["B"]]
    assert read_all(path)[0].sheet == "Summary"           # default: the first sheet
    assert read_all(path, sheet=" products ")[0].sheet == "Products"  # forgiving about case


def test_unknown_sheet_lists_the_sheets(make_xlsx):
    path = make_xlsx("two.xlsx", {"Summary": [["x"]], "Products": [["sku"]]})
    with pytest.raises(ReaderError) as exc:
        open_source(path, sheet="Orders")
    text = str(exc.value)
    assert text.startswith("two.xlsx") and "'Orders'" in text
    assert "'Summary'" in text and "'Products'" in text


def test_empty_sheet(make_xlsx):
    path = make_xlsx("e.xlsx", {"S": []})
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert "e.xlsx" in str(exc.value) and "empty" in str(exc.value)


def test_header_only_sheet(make_xlsx):
    path = make_xlsx("h.xlsx", {"S": [["a", "b"]]})
    with open_source(path) as src:
        assert src.count() == 0 and list(src.records()) == []


def test_skip_and_count(make_xlsx):
    path = make_xlsx("s.xlsx", {"S": [["n"], [1], [None], [2], [3], [4]]})
    with open_source(path) as src:
        assert src.count() == 4
        assert [(r.number, r.values) for r in src.records(skip=2)] == [(5, [3]), (6, [4])]
        assert list(src.records(skip=4)) == []


def test_text_file_named_xlsx(write):
    path = write("report.xlsx", "sku,name\n1,2\n")
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("report.xlsx")
    assert "is not an XLSX workbook" in str(exc.value)


def test_legacy_xls_or_encrypted_workbook(write):
    path = write("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert "is not an XLSX workbook" in str(exc.value) and ".xls" in str(exc.value)


def test_truncated_xlsx(make_xlsx):
    path = make_xlsx("cut.xlsx", {"S": [["a"], *[[i] for i in range(2000)]]})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("cut.xlsx")
    assert "truncated" in str(exc.value) or "damaged" in str(exc.value)


def test_corrupted_member_data(make_xlsx):
    path = make_xlsx("bad.xlsx", {"S": [["a"], *[[f"value {i}"] for i in range(3000)]]})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(SHEET1)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 100, start + 140):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("bad.xlsx") and "damaged" in str(exc.value)


def test_zip_that_is_not_a_workbook(write):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    path = write("archive.xlsx", buf.getvalue())
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert "is not an XLSX workbook" in str(exc.value)


def _bomb(make_xlsx, size: int):
    """A real workbook plus a huge, extremely compressible member."""
    path = make_xlsx("bomb.xlsx", {"S": [["a"], [1]]})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * size)
    return path


def test_zip_bomb_ratio_is_refused_before_parsing(make_xlsx):
    path = _bomb(make_xlsx, 20 * 1024 * 1024)  # 20 MiB of zeros -> ~20 KiB compressed
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    text = str(exc.value)
    assert text.startswith("bomb.xlsx") and "max_xlsx_ratio=200" in text


def test_uncompressed_size_limit(make_xlsx):
    path = make_xlsx("big.xlsx", {"S": [["a"], *[[i] for i in range(100)]]})
    with pytest.raises(ReaderError) as exc:
        open_source(path, limits=Limits(max_xlsx_uncompressed_bytes=5000))
    assert "max_xlsx_uncompressed_bytes=5000" in str(exc.value)


def test_member_lying_about_its_size_is_refused(make_xlsx):
    # Shrink the declared size of the sheet in the central directory: the data inflates to
    # more than declared, which zipfile detects (CRC / size) before calamine parses anything.
    path = make_xlsx("liar.xlsx", {"S": [["a"], *[[i] for i in range(500)]]})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(SHEET1)
    name = SHEET1.encode()
    cd = 0  # find the sheet's central directory entry; uncompressed size is at offset 24
    while True:
        cd = data.find(b"PK\x01\x02", cd)
        assert cd >= 0
        if data[cd + 46: cd + 46 + len(name)] == name:
            break
        cd += 4
    data[cd + 24: cd + 28] = (info.file_size // 10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("liar.xlsx")


def test_max_rows_and_columns(make_xlsx):
    path = make_xlsx("m.xlsx", {"S": [["a", "b", "c"], [1, 2, 3], [4, 5, 6], [7, 8, 9]]})
    with pytest.raises(ReaderError) as exc:
        open_source(path, limits=Limits(max_columns=2))
    assert "max_columns=2" in str(exc.value)
    with open_source(path, limits=Limits(max_rows=2)) as src:
        with pytest.raises(ReaderError) as exc:
            src.count()
        assert "max_rows=2" in str(exc.value)
        with pytest.raises(ReaderError, match=r"^m\.xlsx: more than 2 records \(limit max_rows=2\)$"):
            list(src.records())


def test_messages_never_contain_the_folder(make_xlsx, tmp_path):
    path = make_xlsx("two.xlsx", {"A": [["x"]]})
    with pytest.raises(ReaderError) as exc:
        open_source(path, sheet="nope")
    assert str(tmp_path) not in str(exc.value)
    assert os.path.basename(path) in str(exc.value)
