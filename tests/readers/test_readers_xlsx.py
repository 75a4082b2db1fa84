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


# --- streaming reader: XML shapes other writers produce ---------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def raw_xlsx(path, sheet_data: str, *, shared: list[str] | None = None, num_fmts: dict[int, str] | None = None,
             cell_formats: list[int] | None = None, date1904: bool = False, prefix: str = "",
             sheet_head: str = "") -> os.PathLike:
    """A minimal workbook written from the XLSX facts: one sheet "S" whose <sheetData> is given.
    ``cell_formats`` lists the numFmtId of each cell style (s="0", s="1", ...)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns{":" + prefix if prefix else ""}="{MAIN_NS}"'
    rels = [("rId1", "worksheet", "worksheets/sheet1.xml"), ("rId2", "styles", "styles.xml")]
    if shared is not None:
        rels.append(("rId3", "sharedStrings", "sharedStrings.xml"))
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
                       f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<{p}workbook {xmlns} xmlns:r="{REL_NS}">'
                           + (f'<{p}workbookPr date1904="1"/>' if date1904 else "")
                           + f'<{p}sheets><{p}sheet name="S" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG_REL}">' + "".join(
            f'<Relationship Id="{i}" Type="{REL_NS}/{t}" Target="{target}"/>' for i, t, target in rels)
            + "</Relationships>",
        "xl/styles.xml": f'<{p}styleSheet {xmlns}><{p}numFmts>' + "".join(
            f'<{p}numFmt numFmtId="{i}" formatCode="{html_escape(code)}"/>' for i, code in (num_fmts or {}).items())
            + f'</{p}numFmts><{p}cellXfs>' + "".join(
            f'<{p}xf numFmtId="{i}"/>' for i in (cell_formats or [0])) + f"</{p}cellXfs></{p}styleSheet>",
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns}>{sheet_head}'
                                    f"<{p}sheetData>{sheet_data}</{p}sheetData></{p}worksheet>",
    }
    if shared is not None:
        files["xl/sharedStrings.xml"] = f'<{p}sst {xmlns}>' + "".join(
            f"<{p}si>{s}</{p}si>" for s in shared) + f"</{p}sst>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def test_shared_and_inline_strings_rich_text_and_entities(tmp_path):
    path = raw_xlsx(tmp_path / "s.xlsx", (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c>'
        '<c r="B2" t="inlineStr"><is><r><t>Fish </t></r><r><rPr><b/></rPr><t>&amp; chips</t></r></is></c></row>'
        '<row r="3"><c r="A3" t="s"><v>3</v></c>'
        '<c r="B3" t="inlineStr"><is><t xml:space="preserve"> 007 </t></is></c></row>'),
        shared=["<t>sku</t>", "<t>name</t>", "<t>00123</t>",
                '<r><t>東京</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh>'])
    info, recs = read_all(path)
    assert info.headers == ["sku", "name"]
    assert [(r.number, r.values) for r in recs] == [(2, ["00123", "Fish & chips"]), (3, ["東京", " 007 "])]


def test_cell_gaps_missing_references_and_empty_rows(tmp_path):
    path = raw_xlsx(tmp_path / "g.xlsx", (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>c</t></is></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="C2"><v>3</v></c></row>'   # B2 absent
        '<row r="3"/>'                                                      # empty row element
        '<row r="4"><c r="A4" s="0"/><c r="B4"><f>X1</f><v></v></c></row>'  # styled blanks only
        '<row r="9"><c r="B9"><v>2.5</v></c></row>'))                      # rows 5-8 absent
    info, recs = read_all(path)
    assert info.headers == ["a", "b", "c"]
    assert [(r.number, r.values) for r in recs] == [(2, [1, None, 3]), (9, [None, 2.5, None])]


def test_namespace_prefixes_are_understood(tmp_path):
    path = raw_xlsx(tmp_path / "p.xlsx", (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>qty</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2"><x:v>7</x:v></x:c></x:row>'), prefix="x")
    assert [r.values for r in read_all(path)[1]] == [[7]]


def test_date_styles_builtin_custom_duration_and_1904(tmp_path):
    data = ('<row r="1">' + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{c.lower()}</t></is></c>' for c in "ABCDEFG")
            + '</row><row r="2"><c r="A2" s="1"><v>45413</v></c><c r="B2" s="2"><v>45413.5625</v></c>'
            '<c r="C2" s="3"><v>0.25</v></c><c r="D2" s="4"><v>1.25</v></c><c r="E2" s="5"><v>45413</v></c>'
            '<c r="F2" s="6"><v>1234.5</v></c><c r="G2" t="d"><v>2024-05-01T13:30:00</v></c></row>')
    fmts = {164: "dd/mm/yyyy", 165: "[h]:mm", 166: '#,##0.00 "m"', 167: "yyyy-mm-dd hh:mm"}
    styles = [0, 14, 167, 21, 165, 0, 166]
    recs = read_all(raw_xlsx(tmp_path / "d.xlsx", data, num_fmts=fmts, cell_formats=styles))[1]
    assert recs[0].values == [dt.date(2024, 5, 1), dt.datetime(2024, 5, 1, 13, 30), "06:00:00",
                              "1 day, 6:00:00", 45413, 1234.5, dt.datetime(2024, 5, 1, 13, 30)]
    recs = read_all(raw_xlsx(tmp_path / "d4.xlsx", data, num_fmts=fmts, cell_formats=styles, date1904=True))[1]
    assert recs[0].values[0] == dt.date(2028, 5, 2)   # the same serial counted from 1904-01-01


def test_error_cells_found_while_streaming(tmp_path):
    path = raw_xlsx(tmp_path / "e.xlsx", (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>sku</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>price</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c>'
        '<c r="B2" t="e"><f>VLOOKUP(A2,X,2)</f><v>#N/A</v></c></row>'
        '<row r="3"><c r="D3" t="e"><v>#REF!</v></c></row>'   # outside the table only: an empty row
        '<row r="4"><c r="A4" t="inlineStr"><is><t>B</t></is></c><c r="B4"><v>2</v></c></row>'))
    _, recs = read_all(path)
    assert [r.number for r in recs] == [2, 4]
    assert recs[0].values == ["A", None]
    assert recs[0].error.startswith("cell B2 (price) holds the spreadsheet error #N/A")
    assert recs[1].error is None and recs[1].values == ["B", 2]


def test_bad_number_names_the_cell(tmp_path):
    path = raw_xlsx(tmp_path / "n.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>n</t></is></c></row>'
                                         '<row r="2"><c r="A2"><v>twelve</v></c></row>')
    with pytest.raises(ReaderError) as exc:
        open_source(path).count()
    assert str(exc.value).startswith("n.xlsx, sheet 'S', row 2: cell A2")
    assert "'twelve'" in str(exc.value)


def test_entity_bomb_is_refused(tmp_path):
    bomb = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    path = raw_xlsx(tmp_path / "x.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>&c;</t></is></c></row>')
    with zipfile.ZipFile(path) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    items[SHEET1] = items[SHEET1].replace(b"?>", b"?>" + bomb.encode(), 1)
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in items.items():
            zf.writestr(n, data)
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("x.xlsx") and "DTD" in str(exc.value)


def test_same_values_as_calamine(make_xlsx):
    """The streaming reader gives what the calamine-based reader gave, cell for cell."""
    from python_calamine import CalamineWorkbook

    from importdesk.readers.xlsx_source import XlsxSource

    rows = [["sku", "n", "x", "flag", "day", "moment", "clock", "text"]]
    for i in range(300):
        rows.append([f"{i:05d}", i * 3, i / 7, i % 2 == 0, dt.date(1900, 1, 1) + dt.timedelta(days=i * 97),
                     dt.datetime(2024, 1, 1, 0, 0, 1) + dt.timedelta(minutes=i * 61), dt.time(i % 24, i % 60),
                     None if i % 5 == 0 else f"t{i}"])
    path = make_xlsx("cmp.xlsx", {"S": rows})
    wb = CalamineWorkbook.from_path(str(path))
    expected = []
    for row in list(wb.get_sheet_by_index(0).iter_rows())[1:]:
        out = []
        for v in row:
            if v == "":
                v = None
            elif type(v) is float and v.is_integer():
                v = int(v)
            elif type(v) is dt.time:
                v = v.isoformat()
            out.append(v)
        expected.append(out)
    wb.close()
    with open_source(path) as src:
        assert isinstance(src, XlsxSource)
        assert [r.values for r in src.records()] == expected


def test_fast_path_and_expat_agree(tmp_path, make_xlsx, monkeypatch):
    """Rows read by the regex fast path and by expat come out the same, row for row."""
    from importdesk.readers import xlsx_fastrows

    rows = [["sku", "n", "when", "ok", "note"]]
    rows += [[f"{i:04d}", i * 1.5, dt.datetime(2024, 1, 1) + dt.timedelta(hours=i * 7), i % 3 == 0,
              None if i % 4 else f"a & b <{i}>"] for i in range(200)]
    rows.append({"A203": "gap", "E203": "far"})
    books = [make_xlsx("many.xlsx", {"S": rows}), raw_xlsx(tmp_path / "mixed.xlsx", (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r></is></c><c r="B2"><v>1</v></c></row>'
        '<row r="3"><c r="A3" t="str"><f>"x"</f><v>x&amp;y</v></c><c r="B3" t="e"><v>#N/A</v></c></row>'
        '<row r="4"><c r="A4" s="1"><v>45413.25</v></c><c r="B4" t="b"><v>1</v></c></row>'
        '<row><c r="A5"><v><![CDATA[12]]></v></c></row>'
        '<row r="7"><c r="B7" t="inlineStr"><is><t>line&#10;two&#13;</t></is></c></row>'),
        cell_formats=[0, 22])]

    def read(path):
        with open_source(path) as src:
            return src.count(), [(r.number, r.values, r.error) for r in src.records()]

    fast = [read(p) for p in books]
    monkeypatch.setattr(xlsx_fastrows, "fast_rows", lambda f, book: None)
    assert [read(p) for p in books] == fast
    assert fast[1][1][3] == (5, [12, None], None)   # the row after r="4" without its own r is 5
    assert fast[1][1][4] == (7, [None, "line\ntwo\r"], None)


def test_spans_of_rows_read_at_once_agree_with_rows_one_at_a_time(tmp_path, monkeypatch):
    """Over a megabyte of rows, most of them alike (a span read by its first row's template, or
    cell by cell), some not (their span is read row by row): the values, row numbers and errors
    are the same whichever path reads them, and the same as expat's."""
    from importdesk.readers import xlsx_fastrows, xlsx_templates
    from importdesk.readers.xlsx_sheet import Workbook
    from importdesk.readers.xlsx_templates import trimmed

    def row(r: int) -> str:
        blank = r % 1000 if r % 1000 in (700, 705, 720, 730, 740, 770) else None  # alike, some cells blank
        odd = r % 1000 if r > 1000 and r % 1000 in (531, 547, 560, 580) else None  # not alike
        marked = ' s="2"' if r % 7 == 0 else ""             # a text cell styled apart
        sku = f'<c r="A{r}"{marked} t="s"><v>{r % 3 + 1}</v></c>' if (r // 1500) % 2 else \
            f'<c r="A{r}"{marked} t="inlineStr"><is><t>SKU-{r:05d}</t></is></c>'   # shared, then inline...
        price = f'<c r="B{r}"><v>{r * 0.25}</v></c>' if r % 97 else f'<c r="B{r}"><v>{r}E0</v></c>'
        if 8000 <= r < 9000 and r % 11 == 0:                # a number styled apart (not as a date)
            price = f'<c r="B{r}" s="2"><v>{r * 0.25}</v></c>'
        if 4000 <= r < 6000:                                # a formula's cached value; text kept whole
            price = f'<c r="B{r}"><f>A{r}/4</f><v>{r * 0.25}</v></c>'
        day = f'<c r="C{r}" s="1"><v>{45000 + r % 400}</v></c>' if blank != 720 else ""  # (absent)
        if 8600 <= r < 8700 and r % 3 == 0:                 # a date column's cell styled as a number
            day = f'<c r="C{r}" s="2"><v>{45000 + r % 400}</v></c>'
        if blank == 740:                                    # a shared string cell with no value
            sku = f'<c r="A{r}" t="s"><v></v></c>'
        flag = f'<c r="D{r}" t="b"><v>{r % 2}</v></c>' if blank != 705 else f'<c r="D{r}" s="0"/>'
        kept, space = (' xml:space="preserve"', " ") if 5000 <= r < 7000 else ("", "")
        note = {531: f'<c r="E{r}" t="inlineStr"><is><t>a &amp; b</t></is></c>',   # an entity
                547: f'<c r="E{r}" t="e"><v>#N/A</v></c>',                           # an error cell
                560: f'<c r="F{r}" t="inlineStr"><is><t>beyond</t></is></c>',        # a gap
                }.get(odd) or (f'<c r="E{r}" s="0"/>' if blank == 700                # empty: trimmed
                               else f'<c r="E{r}" t="str"><f>CONCAT("n",ROW())</f><v>n{r}</v></c>' if 7000 <= r < 8000
                               else f'<c r="E{r}" t="inlineStr"><is><t{kept}>n{r}{space}</t></is></c>')
        if blank == 770:                                    # every cell empty: no record
            return f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/><c r="C{r}" s="0"/>' \
                   f'<c r="D{r}" s="0"/><c r="E{r}" s="0"/></row>'
        attrs = f' r="{r}" spans="1:5"' if odd != 580 else ""  # (a row without r is the next row)
        if blank == 730:                                    # the first cell only
            return f"<row{attrs}>{sku}</row>"
        return f"<row{attrs}>{sku}{price}{day}{flag}{note}</row>"

    header = '<row r="1">' + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{c.lower()}</t></is></c>'
                                     for c in "ABCDE") + "</row>"
    path = raw_xlsx(tmp_path / "spans.xlsx", header + "".join(row(r) for r in range(2, 9002)),
                    shared=["<t>x</t>", "<t>one</t>", "<t>two</t>", "<t>three</t>"], cell_formats=[0, 14, 2])
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(SHEET1).file_size > 1 << 20  # more than one buffer of the fast path

    def read():
        with open_source(path) as src:
            return src.count(), [(r.number, r.values, r.error) for r in src.records()]

    taken: dict[str, list[bool]] = {"template": [], "cells": []}

    def counting(name, read_span):
        def counted(*args):
            found = read_span(*args)
            taken[name].append(found is not None)
            return found
        return counted

    template_of = xlsx_templates.RowTemplate.of
    monkeypatch.setattr(xlsx_templates.RowTemplate, "read", counting("template", xlsx_templates.RowTemplate.read))
    monkeypatch.setattr(xlsx_fastrows, "_uniform_rows", counting("cells", xlsx_fastrows._uniform_rows))
    at_once = read()
    assert taken["template"].count(True) >= 5 and taken["template"].count(False) >= 5
    assert taken["cells"].count(True) >= 5 and taken["cells"].count(False) >= 3  # (then row by row)
    monkeypatch.setattr(xlsx_templates.RowTemplate, "of", lambda *args: None)
    assert repr(read()) == repr(at_once)          # cell by cell (repr: 3 and 3.0 differ, as they do here)
    monkeypatch.setattr(xlsx_fastrows, "_uniform_rows", lambda *args: None)
    assert repr(read()) == repr(at_once)                                  # row by row
    monkeypatch.setattr(xlsx_fastrows, "fast_rows", lambda f, book: None)
    assert repr(read()) == repr(at_once)                                  # expat
    count, records = at_once
    by_number = {number: (values, error) for number, values, error in records}
    assert count == len(records) == 9000 - 9
    assert by_number[2] == (["SKU-00002", 0.5, dt.date(2023, 3, 17), False, "n2"], None)
    assert by_number[1503] == (["one", 375.75, dt.date(2024, 1, 12), True, "n1503"], None)
    assert by_number[1700][0][4] is None and by_number[1531][0][4] == "a & b"
    assert by_number[97 * 3][0][1] == 291 and by_number[1705][0][3] is None
    assert by_number[1547][1].startswith("cell E1547 (e) holds the spreadsheet error #N/A")
    assert by_number[1560][1].startswith("row has a value in column F, beyond the last header column (E)")
    assert 1770 not in by_number and by_number[1580][0][0] == "three"
    assert by_number[1720][0][2] is None and by_number[1730][0][1:] == [None] * 4
    assert by_number[1740][0][0] is None and by_number[3740][0][0] is None
    assert by_number[4001][0][1] == 1000.25 and by_number[5001][0][1::3] == [1250.25, "n5001 "]
    assert by_number[7201][0][4] == "n7201"
    with zipfile.ZipFile(path) as zf:
        book = Workbook(zf)
        # formulas; kept spaces; formulas' text; numbers styled apart, in a date column too
        for first, last in ((4001, 4100), (5001, 5100), (7001, 7100), (8001, 8100), (8601, 8700)):
            span = "".join(row(r) for r in range(first, last))
            styled = first >= 8000
            assert (template_of(row(first), "", book).read(span) is None) == styled  # (only styled)
            rows, end = template_of(row(first), "", book, styled).read(span)
            assert end == last - 1
            # (a record is padded to the header; the row a span gives is not)
            assert repr(rows) == repr([(r, trimmed(list(by_number[r][0])), []) for r in range(first, last)])
    assert repr(by_number[8601][0][2]) == "45201" and by_number[8602][0][2] == dt.date(2023, 10, 3)
