"""CSV source: encodings, delimiters, quoting, line numbers, bad input."""

from __future__ import annotations

import os

import pytest

from importdesk.readers import Limits, ReaderError, Record, open_source


def read_all(path, **kw):
    with open_source(path, **kw) as src:
        records = list(src.records())
        assert src.count() == len(records)
        # the import's hot path reads the same records as lists with their row number appended
        assert list(src.numbered_rows()) == [[*r.values, r.number] if r.error is None else r for r in records]
        assert list(src.numbered_rows(skip=1)) == list(src.numbered_rows())[1:]
        return src.info, records


def assert_user_message(err: ReaderError, path, *fragments: str) -> None:
    text = str(err)
    assert text.startswith(os.path.basename(path)), text
    assert str(os.path.dirname(path)) not in text, "absolute paths must not leak: " + text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"


# --- basics and encodings ---------------------------------------------------------------------

def test_utf8_basic(write):
    path = write("products.csv", "sku,name,price\nA-1,Chair,12.50\nA-2,Table,99\n")
    info, recs = read_all(path)
    assert (info.format, info.encoding, info.delimiter) == ("csv", "utf-8", ",")
    assert info.headers == ["sku", "name", "price"]
    assert info.size == os.path.getsize(path)
    assert [(r.number, r.values, r.type, r.error) for r in recs] == [
        (2, ["A-1", "Chair", "12.50"], None, None),
        (3, ["A-2", "Table", "99"], None, None),
    ]
    assert isinstance(recs[0], Record)


def test_utf8_non_ascii_and_crlf(write):
    path = write("p.csv", "name,city\r\nJosé,Malmö\r\n日本,東京\r\n")
    info, recs = read_all(path)
    assert info.encoding == "utf-8"
    assert [(r.number, r.values) for r in recs] == [(2, ["José", "Malmö"]), (3, ["日本", "東京"])]


def test_utf8_bom_does_not_reach_the_header(write):
    path = write("bom.csv", "\ufeffsku,name\nA,B\n")
    info, recs = read_all(path)
    assert info.headers == ["sku", "name"]
    assert info.encoding == "utf-8-sig"
    assert recs[0].values == ["A", "B"]


def test_utf8_bom_with_explicit_utf8_encoding(write):
    path = write("bom.csv", "\ufeffsku,name\nA,B\n")
    info, _ = read_all(path, encoding="utf-8")
    assert info.headers == ["sku", "name"]


def test_utf16_le_with_bom(write):
    path = write("u16.csv", "\ufeffname\tprice\nMüller\t5 €\nGrüße\t3\n".encode("utf-16-le"))
    info, recs = read_all(path)
    assert info.encoding == "utf-16"
    assert info.delimiter == "\t"
    assert info.headers == ["name", "price"]
    assert [r.values for r in recs] == [["Müller", "5 €"], ["Grüße", "3"]]


def test_utf16_le_without_bom(write):
    path = write("u16.csv", "name,price\nMüller,5 €\n".encode("utf-16-le"))
    info, recs = read_all(path)
    assert info.encoding == "utf-16-le"
    assert recs[0].values == ["Müller", "5 €"]


def test_cp1252_with_euro_and_umlauts(write):
    text = "name;price;city\nMüller;5 €;Köln\nGrüße;3,50 €;Zürich\nCafé „Süß“;1 €;Besançon\n"
    path = write("de.csv", text.encode("cp1252"))
    info, recs = read_all(path)
    assert info.encoding == "cp1252"
    assert info.delimiter == ";"
    assert [r.values for r in recs] == [
        ["Müller", "5 €", "Köln"], ["Grüße", "3,50 €", "Zürich"], ["Café „Süß“", "1 €", "Besançon"]]


def test_latin1_text_is_read_as_cp1252(write):
    path = write("fr.csv", "nom,prix\nCrème brûlée,4\nÉté à Noël,5\n".encode("latin-1"))
    info, recs = read_all(path)
    assert info.encoding == "cp1252"
    assert recs[1].values == ["Été à Noël", "5"]


def test_cyrillic_cp1251_is_not_taken_for_cp1252(write):
    text = "имя,цена,описание\n" + "".join(f"Товар {i},{i} руб,Хороший стул\n" for i in range(30))
    info, recs = read_all(write("ru.csv", text.encode("cp1251")))
    assert info.encoding == "cp1251"
    assert recs[0].values == ["Товар 0", "0 руб", "Хороший стул"]


def test_undecidable_encoding_asks_for_encoding(write):
    import random

    rnd = random.Random(7)
    junk = bytes(rnd.choice(range(0x80, 0x100)) for _ in range(3000))
    path = write("mystery.csv", b"a,b\n" + junk + b"\n")
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert_user_message(exc.value, path, "encoding", "--encoding")


def test_explicit_encoding_overrides_detection(write):
    path = write("x.csv", "a,b\né,1\n".encode())
    assert read_all(path)[1][0].values == ["é", "1"]  # detected: UTF-8
    info, recs = read_all(path, encoding="cp1252")     # the user insists: they get what they asked
    assert info.encoding == "cp1252"
    assert recs[0].values == ["Ã©", "1"]


def test_unknown_explicit_encoding(write):
    path = write("x.csv", "a,b\n1,2\n")
    with pytest.raises(ReaderError) as exc:
        open_source(path, encoding="klingon-8")
    assert_user_message(exc.value, path, "unknown encoding")


def test_bad_byte_after_the_detection_sample_names_its_line(write):
    # UTF-8 for the first ~1.3 MB, then one cp1252 byte at line 40,002: detection cannot see it,
    # so the error surfaces while reading, with the exact line and column.
    good = "".join(f"{i},item {i:05d} with some padding text\n" for i in range(40_000))
    data = ("id,name\n" + good).encode("utf-8") + b"40000,caf\xe9\n40001,ok\n"
    path = write("late.csv", data)
    src = open_source(path)
    assert src.info.encoding == "utf-8"
    seen = []
    with pytest.raises(ReaderError) as exc:  # noqa: PT012 - the rows read before the error are checked too
        for rec in src.records():
            seen.append(rec.number)
    assert_user_message(exc.value, path, "line 40002", "column 10", "0xE9", "--encoding")
    assert exc.value.line == 40002
    assert seen and seen[-1] < 40002
    with pytest.raises(ReaderError) as exc2:
        src.count()
    assert "line 40002" in str(exc2.value)
    src.close()


def test_bad_byte_with_explicit_encoding_in_sample(write):
    path = write("bad.csv", b"a,b\n1,2\n3,\xff\xfe\n")
    with pytest.raises(ReaderError) as exc:
        open_source(path, encoding="utf-8")
    assert_user_message(exc.value, path, "line 3", "0xFF")


# --- delimiters -------------------------------------------------------------------------------

@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected(write, delim):
    rows = [["sku", "name", "note"], ["1", "Chair", "x"], ["2", "Table", "y"]]
    path = write("d.csv", "".join(delim.join(r) + "\n" for r in rows))
    info, recs = read_all(path)
    assert info.delimiter == delim
    assert info.headers == ["sku", "name", "note"]
    assert [r.values for r in recs] == rows[1:]


def test_delimiter_inside_quotes_does_not_count(write):
    # Commas everywhere inside quoted fields; the real delimiter is ';'.
    path = write("q.csv", 'name;price;note\n"Smith, John";"3,50";"a, b, c"\n"Doe, Jane";"4,00";"d, e"\n')
    info, recs = read_all(path)
    assert info.delimiter == ";"
    assert recs[0].values == ["Smith, John", "3,50", "a, b, c"]


def test_semicolon_with_decimal_commas(write):
    path = write("eu.csv", "sku;price;weight\nA;3,50;1,2\nB;4,20;0,5\n")
    assert read_all(path)[0].delimiter == ";"


def test_explicit_delimiter_overrides_detection(write):
    path = write("x.csv", "a,b|c\n1,2|3\n")
    info, recs = read_all(path, delimiter="|")
    assert info.headers == ["a,b", "c"]
    assert recs[0].values == ["1,2", "3"]
    assert read_all(path, delimiter="tab")[0].delimiter == "\t"
    with pytest.raises(ReaderError, match=r"^x\.csv: invalid delimiter ';;' \(one character"):
        open_source(path, delimiter=";;")


def test_excel_sep_line_names_the_delimiter(write):
    path = write("excel.csv", "sep=;\r\nsku;name\r\nA;Chair, red\r\n")
    info, recs = read_all(path)
    assert info.delimiter == ";" and info.headers == ["sku", "name"]
    assert [(r.number, r.values) for r in recs] == [(3, ["A", "Chair, red"])]


def test_tsv_extension(write):
    path = write("x.tsv", "a\tb\n1\t2\n")
    assert read_all(path)[0].delimiter == "\t"


def test_single_column_file(write):
    path = write("one.csv", "email\na@example.com\nb@example.com\n")
    info, recs = read_all(path)
    assert info.headers == ["email"]
    assert [r.values for r in recs] == [["a@example.com"], ["b@example.com"]]


# --- quoting and line numbers -----------------------------------------------------------------

def test_quoted_fields_with_delimiters_and_newlines_keep_start_lines(write):
    path = write("m.csv", 'sku,description,price\n'
                          'A,"one line, with comma",1\n'
                          'B,"two\nlines",2\n'
                          'C,"three\nphysical\nlines, and ""quotes""",3\n'
                          'D,plain,4\n')
    _, recs = read_all(path)
    assert [r.number for r in recs] == [2, 3, 5, 8]
    assert recs[1].values == ["B", "two\nlines", "2"]
    assert recs[2].values == ["C", 'three\nphysical\nlines, and "quotes"', "3"]


def test_unbalanced_quote_is_an_error_naming_its_line(write):
    path = write("u.csv", 'sku,name\nA,ok\nB,"never closed\nC,swallowed\nD,also swallowed\n')
    src = open_source(path)
    got = []
    with pytest.raises(ReaderError) as exc:  # noqa: PT012 - the rows read before the error are checked too
        for rec in src.records():
            got.append(rec.values)
    assert got == [["A", "ok"]]  # nothing after the quote is silently turned into a value
    assert_user_message(exc.value, path, "line 3", "quote")
    assert exc.value.line == 3
    with pytest.raises(ReaderError) as exc2:
        src.count()
    assert "line 3" in str(exc2.value)


def test_unbalanced_quote_in_last_line_without_newline(write):
    path = write("u.csv", 'a,b\n1,"x')
    with open_source(path) as src, pytest.raises(ReaderError) as exc:
        src.count()
    assert "line 2" in str(exc.value) and "quote" in str(exc.value)


def test_unbalanced_quote_hits_the_cell_limit_first_in_a_big_file(write):
    body = "".join(f"{i},row {i}\n" for i in range(2000))
    path = write("big.csv", 'id,name\n1,"open\n' + body)
    with open_source(path, limits=Limits(max_cell_chars=1000)) as src, pytest.raises(ReaderError) as exc:
        list(src.records())
    assert_user_message(exc.value, path, "line 2", "max_cell_chars=1000", "unclosed quote")


def test_text_after_closing_quote_is_an_error(write):
    path = write("q.csv", 'a,b\n1,"x"y\n')
    with open_source(path) as src, pytest.raises(ReaderError) as exc:
        list(src.records())
    assert_user_message(exc.value, path, "line 2", "quot")


def test_quote_inside_unquoted_field_is_kept(write):
    path = write("q.csv", 'a,b\n1,5" screen\n')
    assert read_all(path)[1][0].values == ["1", '5" screen']


# --- row shapes -------------------------------------------------------------------------------

def test_ragged_rows_are_record_errors(write):
    path = write("r.csv", "a,b,c\n1,2,3\n1,2\n1,2,3,4,5\n4,5,6\n")
    _, recs = read_all(path)
    assert [(r.number, r.error) for r in recs] == [
        (2, None),
        (3, "row has 2 values, the header has 3"),
        (4, "row has 5 values, the header has 3"),
        (5, None),
    ]
    assert recs[1].values == ["1", "2"]  # the raw values, for the error report


def test_empty_lines_are_skipped_and_numbers_stay_physical(write):
    path = write("e.csv", "\n\na,b\n1,2\n\n\n3,4\n,\n   \n5,6\n\n")
    info, recs = read_all(path)
    assert info.headers == ["a", "b"]
    assert [(r.number, r.values) for r in recs] == [(4, ["1", "2"]), (7, ["3", "4"]), (10, ["5", "6"])]


def test_empty_values_are_empty_strings(write):
    path = write("e.csv", "a,b,c\n1,,\n,,3\n")
    assert [r.values for r in read_all(path)[1]] == [["1", "", ""], ["", "", "3"]]


def test_header_only(write):
    path = write("h.csv", "sku,name,price\n")
    with open_source(path) as src:
        assert src.info.headers == ["sku", "name", "price"]
        assert src.count() == 0
        assert list(src.records()) == []


@pytest.mark.parametrize("content", [b"", b"   \n\n  \r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n"])
def test_empty_file(write, content):
    path = write("empty.csv", content)
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert_user_message(exc.value, path, "is empty")


def test_header_names_are_stripped_and_empty_ones_get_placeholders(write):
    path = write("h.csv", " sku , ,name,\n1,2,3,4\n")
    assert read_all(path)[0].headers == ["sku", "column_2", "name", "column_4"]


def test_duplicate_headers(write):
    path = write("d.csv", "sku,name,Price,name,price,sku\n1,2,3,4,5,6\n")
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert_user_message(exc.value, path, "duplicate", "'sku'", "'name'")
    assert "'Price'" not in str(exc.value)


def test_binary_junk_named_csv(write):
    path = write("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 20)
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert_user_message(exc.value, path, "binary")


def test_count_equals_records_on_a_messy_file(write):
    path = write("messy.csv", '\n"a",b,c\n1,2,3\n\n,,\n"x\ny",2,3\n1,2\n  \n\n9,9,9,9\n7,8,9')
    with open_source(path) as src:
        recs = list(src.records())
        assert src.count() == len(recs) == 5
        assert [r.number for r in recs] == [3, 6, 8, 11, 12]


def test_skip_resumes_after_processed_records(write):
    path = write("s.csv", "a,b\n1,x\n\n2,y\n3,\"multi\nline\"\n4,z\n")
    with open_source(path) as src:
        full = [(r.number, r.values) for r in src.records()]
        assert [(r.number, r.values) for r in src.records(skip=2)] == full[2:]
        assert [(r.number, r.values) for r in src.records(skip=4)] == []
        assert [(r.number, r.values) for r in src.records(skip=99)] == []
        assert [r.number for r in src.records(skip=1)] == [4, 5, 7]
        with pytest.raises(ValueError, match="skip must be >= 0"):
            src.records(skip=-1)


def test_records_can_be_iterated_twice_and_count_is_cached(write):
    path = write("t.csv", "a\n1\n2\n")
    with open_source(path) as src:
        assert src.count() == 2
        assert [r.values for r in src.records()] == [["1"], ["2"]]
        assert [r.values for r in src.records()] == [["1"], ["2"]]
        assert src.count() == 2


def test_closed_source(write):
    path = write("c.csv", "a\n1\n2\n")
    src = open_source(path)
    it = src.records()
    next(it)
    src.close()
    with pytest.raises(ReaderError, match=r"^c\.csv: the source was closed while reading$"):
        list(it)
    with pytest.raises(ReaderError, match=r"^c\.csv: the source is closed$"):
        src.records()
    with pytest.raises(ReaderError, match=r"^c\.csv: the source is closed$"):
        src.count()


def test_utf8_file_with_one_broken_byte_is_not_mistaken_for_cp1252(write):
    # Mostly valid UTF-8 (accents everywhere) plus one stray Latin-1 byte: reading it as cp1252
    # would silently turn every "é" into "Ã©". The error names the broken byte instead.
    text = "name,city\n" + "".join(f"Zoë {i},Besançon\n" for i in range(20))
    path = write("mostly.csv", text.encode("utf-8") + b"Andr\xe9,Paris\n")
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert_user_message(exc.value, path, "line 22", "column 5", "0xE9", "UTF-8")


# --- lines handed on unparsed (readers/csv_lines.py) ------------------------------------------

def test_lines_are_taken_only_once_the_count_showed_each_line_a_record_and_parse_as_the_reader_reads(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b'sku,name\r\nA,one\r\nB,"two, too"\r\n\r\nC\r\n,\r\nD,four\r\nE,five')
    with open_source(str(path)) as src:
        expected = list(src.numbered_rows())
        rows = src.numbered_rows()
        assert rows.take_lines(2) is None  # the header is not read yet
        first = next(iter(rows))
        assert rows.take_lines(2) is None  # not known to be one record a line
        src.take_count(src.count())
        lines = rows.take_lines(3)
        assert (lines.first, lines.lines) == (3, ['B,"two, too"\r\n', "\r\n", "C\r\n"])
        rest = rows.take_lines(10)
        assert rest.first == 6 and rows.take_lines(10).lines == []
        assert [first, *src.parse_lines(lines), *src.parse_lines(rest)] == expected
        with pytest.raises(RuntimeError):
            next(iter(rows))  # rows after lines: their numbers would be wrong
