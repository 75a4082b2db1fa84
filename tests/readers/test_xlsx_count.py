"""The XLSX count by scan (readers/xlsx_count.py): the count reading the rows gives, or None.

Every case is checked against the count made by reading the rows; where the scan must answer,
the test says so (a scan that always gave up would pass an "equal or None" test)."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from test_readers_xlsx import SHEET1, raw_xlsx

from importdesk.readers import open_source
from importdesk.readers.xlsx_count import count_records

HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>sku</t></is></c><c r="B1" t="inlineStr"><is><t>n</t></is></c></row>'


@pytest.fixture
def small_reads(monkeypatch):
    """The reader opens a workbook reading its first rows only (a bad cell further on is not
    found by opening it)."""
    from importdesk.readers import xlsx_fastrows

    monkeypatch.setattr(xlsx_fastrows, "CHUNK", 256)


def counts(path):
    """(the scan's count, the count by reading the rows) of a workbook's first sheet."""
    with open_source(path) as src:
        return count_records(*src._count_args()), src._count_by_reading()


def rows(n: int, first: int = 2) -> str:
    return "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>s{r}</t></is></c><c r="B{r}"><v>{r}</v></c></row>'
                   for r in range(first, first + n))


def test_an_openpyxl_workbook_of_every_value_type_is_counted_by_scan(make_xlsx):
    data = [["sku", "n", "x", "flag", "day", "note"]]
    data += [[f"{i:05d}", i, i / 7, i % 2 == 0, dt.date(2024, 1, 1) + dt.timedelta(days=i), None if i % 3 else "t"]
             for i in range(250)]
    data += [[None, None, None, None, None, "only the last column"], [None] * 6, [None, 0]]
    assert counts(make_xlsx("book.xlsx", {"S": data})) == (252, 252)


def test_a_dimension_tag_that_lies_does_not_change_the_count(tmp_path):
    """The sheet says A1:B3; it holds 30 data rows: both counts read the rows, not the tag."""
    path = raw_xlsx(tmp_path / "lie.xlsx", HEADER + rows(30), sheet_head='<dimension ref="A1:B3"/>')
    assert counts(path) == (30, 30)
    with open_source(path) as src:
        assert src.count() == 30 and len(list(src.records())) == 30


def test_rows_without_a_value_are_not_counted(tmp_path):
    path = raw_xlsx(tmp_path / "blank.xlsx", HEADER + rows(3) + (
        '<row r="5"/>'                                                          # an empty row element
        '<row r="6" spans="1:2"><c r="A6" s="0"/><c r="B6" s="0"></c></row>'  # styled blanks
        '<row r="7"><c r="A7"><f>B7*2</f></c><c r="B7"><v></v></c></row>'      # no cached value
        '<row r="8"><c r="A8" t="inlineStr"><is><t></t></is></c><c r="B8" t="str"><f>"",</f><v></v></c></row>'
        '<row r="9"><c r="A9" t="s"><v>1</v></c><c r="B9" t="b"><v></v></c></row>'   # the empty shared string
        '<row r="10"><c r="A10" t="s"><v>0</v></c><c r="B10" t="b"><v>0</v></c></row>') + rows(2, first=11),
        shared=["<t>x</t>", "<t></t>"])
    assert counts(path) == (6, 6)


def test_values_of_every_kind_make_a_row_count(tmp_path):
    path = raw_xlsx(tmp_path / "kinds.xlsx", HEADER + (
        '<row r="2"><c r="B2"><v>-1.5E3</v></c></row>'
        '<row r="3"><c r="B3" t="n"><v>.5</v></c></row>'
        '<row r="4"><c r="A4" t="s"><v>0</v></c></row>'
        '<row r="5"><c r="B5" t="b"><v>0</v></c></row>'
        '<row r="6"><c r="A6" t="str"><f>A1</f><v>sku</v></c></row>'
        '<row r="7"><c r="A7" t="inlineStr"><is><t xml:space="preserve"> </t></is></c></row>'
        '<row r="8"><c r="A8" s="1"><v>45413</v></c></row>'                    # a date
        '<row r="9"><c r="C9"><v>3</v></c></row>'                              # beyond the header: a row error
        '<row r="10"><c r="A10" t="inlineStr"><is><t>&amp;&#233;</t></is></c></row>'
        '<row><c r="A11" t="inlineStr"><is><t>no r= on its row</t></is></c></row>'),
        shared=["<t>a</t>"], cell_formats=[0, 14])
    assert counts(path) == (10, 10)


def test_namespace_prefixes_and_rows_before_the_header(tmp_path):
    data = ('<x:row r="2"><x:c r="A2" s="0"/></x:row>'
            '<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>sku</x:t></x:is></x:c></x:row>'
            '<x:row r="4"><x:c r="A4"><x:v>7</x:v></x:c></x:row><x:row r="5"><x:c r="A5"><x:v>8</x:v></x:c></x:row>')
    assert counts(raw_xlsx(tmp_path / "p.xlsx", data, prefix="x")) == (2, 2)


def test_a_sheet_over_many_chunks_is_counted_exactly(tmp_path, monkeypatch):
    from importdesk.readers import xlsx_count

    monkeypatch.setattr(xlsx_count, "CHUNK", 512)  # rows cut by every chunk's end
    blanks = "".join(f'<row r="{r}"><c r="A{r}" s="0"/></row>' for r in range(2000, 2040))
    path = raw_xlsx(tmp_path / "long.xlsx", HEADER + rows(1500) + blanks + rows(700, first=3000))
    assert counts(path) == (2200, 2200)


@pytest.mark.parametrize("sheet_data", [
    HEADER + '<row r="2"><c r="D2" t="e"><v>#REF!</v></c></row>' + rows(2, first=3),  # an error cell only
    HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><r><t>rich</t></r></is></c></row>',  # rich text only
    HEADER + '<row r="2"><c r="A2" t="d"><v>2024-05-01</v></c></row>',             # an ISO date cell
    HEADER + '<row r="2"><c r="A2" cm="1"><v>1</v></c></row>',                      # another attribute
    HEADER + rows(2) + '<row r="1"><c r="A1"><v>1</v></c></row>',                 # the header's number again
    HEADER + '<row r="2"><!-- a note --><c r="A2"><v>1</v></c></row>',
    HEADER + '<row r="2"><c r="A2"><v><![CDATA[12]]></v></c></row>',
    HEADER + '<!-- <row r="3"><c r="A3"><v>1</v></c></row> -->' + rows(1),
    HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>&nbsp;</t></is></c></row>',  # undefined entity
    HEADER + '<row r="2"><c r="A2"><v>twelve</v></c></row>',
])
def test_what_the_scan_cannot_be_sure_of_is_counted_by_reading(tmp_path, sheet_data, small_reads):
    path = raw_xlsx(tmp_path / "unsure.xlsx", sheet_data.replace(HEADER, HEADER + rows(20, first=100)))
    with open_source(path) as src:
        assert count_records(*src._count_args()) is None


def test_a_byte_that_is_not_utf8_is_left_to_the_reader(tmp_path, small_reads):
    path = raw_xlsx(tmp_path / "bytes.xlsx", HEADER + rows(20, first=100) + rows(3))
    with zipfile.ZipFile(path) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    items[SHEET1] = items[SHEET1].replace(b"s3<", b"s\xff3<")
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in items.items():
            zf.writestr(n, data)
    with open_source(path) as src:
        assert count_records(*src._count_args()) is None


def test_a_shared_string_index_the_workbook_lacks_is_left_to_the_reader(tmp_path, small_reads):
    bad = '<row r="200"><c r="A200" t="s"><v>5</v></c></row>'
    path = raw_xlsx(tmp_path / "sst.xlsx", HEADER + rows(20, first=100) + bad, shared=["<t>a</t>"])
    with open_source(path) as src:
        assert count_records(*src._count_args()) is None


def test_a_workbook_with_many_empty_shared_strings_is_counted_by_reading(tmp_path):
    path = raw_xlsx(tmp_path / "empties.xlsx", HEADER + rows(2), shared=["<t></t>"] * 100)
    with open_source(path) as src:
        assert src._count_args() is None and src.count_elsewhere() is None
        assert src.count() == 2


def test_the_count_elsewhere_names_the_scan(tmp_path):
    import importlib

    path = raw_xlsx(tmp_path / "w.xlsx", HEADER + rows(40))
    with open_source(path) as src:
        module, function, args = src.count_elsewhere()
        assert getattr(importlib.import_module(module), function)(*args) == 40
        assert 20 <= src.estimated_rows() <= 80


def test_damage_in_a_large_sheet_is_found_by_the_count_and_worded_as_on_opening(tmp_path, monkeypatch, small_reads):
    """A large sheet is not decompressed to be checked on opening (the count reads it whole before
    an import commits anything): its damage is refused by the count, in the words opening uses."""
    from importdesk.readers import ReaderError, xlsx_source

    monkeypatch.setattr(xlsx_source, "VERIFIED_SHEET_BYTES", 1000)
    path = raw_xlsx(tmp_path / "bad.xlsx", HEADER + rows(3000))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(SHEET1)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + info.compress_size - 200, start + info.compress_size - 160):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with open_source(path) as src:
        assert src.info.headers == ["sku", "n"]
        assert count_records(*src._count_args()) is None
        with pytest.raises(ReaderError) as exc:
            src.count()
    assert str(exc.value).startswith("bad.xlsx: is damaged (corrupt ZIP data: ")
    monkeypatch.setattr(xlsx_source, "VERIFIED_SHEET_BYTES", 8 << 20)
    with pytest.raises(ReaderError) as on_opening:
        open_source(path)
    assert str(on_opening.value).split(": ")[:2] == str(exc.value).split(": ")[:2]
