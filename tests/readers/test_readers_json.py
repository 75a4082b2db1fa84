"""JSON array and JSON Lines sources: records, Elastic Path lines, bad lines, depth limits."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from importdesk.readers import Limits, ReaderError, open_source


def read_all(path, **kw):
    with open_source(path, **kw) as src:
        recs = list(src.records())
        assert src.count() == len(recs)
        return src.info, recs


def deep(levels: int) -> str:
    """An object nested ``levels`` deep, counting itself: deep(1) == '{"v": 1}'."""
    return '{"v": ' * levels + "1" + "}" * levels


# --- JSON array -------------------------------------------------------------------------------

def test_json_array_of_objects(write):
    data = [{"sku": "A", "price": 1.5, "tags": ["x"]}, {"sku": "B", "stock": 3, "active": True}]
    path = write("items.json", json.dumps(data, indent=2))
    info, recs = read_all(path)
    assert info.format == "json" and info.encoding == "utf-8"
    assert info.headers == ["sku", "price", "tags", "stock", "active"]
    assert [(r.number, r.values, r.type, r.error) for r in recs] == [
        (1, data[0], None, None), (2, data[1], None, None)]
    # numbers are exact: Decimal for non-integers, never float
    assert recs[0].values["price"] == Decimal("1.5") and type(recs[0].values["price"]) is Decimal
    assert type(recs[1].values["stock"]) is int


def test_json_array_element_not_an_object_is_a_record_error(write):
    path = write("mixed.json", '[{"a": 1}, 5, "x", [1, 2], null, {"a": 2}]')
    _, recs = read_all(path)
    assert [(r.number, r.error) for r in recs] == [
        (1, None),
        (2, "expected a JSON object, got a number"),
        (3, "expected a JSON object, got a string"),
        (4, "expected a JSON object, got an array"),
        (5, "expected a JSON object, got null"),
        (6, None),
    ]


def test_json_array_syntax_error_names_the_element(write):
    # Within the first 100 elements: open_source reads them for the headers and refuses.
    path = write("bad.json", '[{"a": 1},\n {"a": 2},\n {"a": 3,}]')
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    text = str(exc.value)
    assert text.startswith("bad.json, element 3:") and "invalid JSON" in text


def test_json_array_syntax_error_late_in_the_file(write):
    path = write("late.json", "[" + ",".join(['{"a": 1}'] * 150) + ', {"a": tru}]')
    src = open_source(path)
    with pytest.raises(ReaderError) as exc:
        src.count()
    assert str(exc.value).startswith("late.json, element 151: invalid JSON")
    with pytest.raises(ReaderError, match=r"^late\.json, element 151: invalid JSON"):
        src.records()  # the guard pass runs when records() is called, before any record
    src.close()


def test_json_array_truncated(write):
    path = write("cut.json", '[{"a": 1}, {"a": 2')
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert "cut.json, element 2" in str(exc.value)


def test_json_file_of_pretty_printed_objects_is_a_stream(write):
    path = write("obj.json", '{\n  "sku": "A",\n  "price": 1\n}\n{\n  "sku": "B"\n}\n')
    info, recs = read_all(path)
    assert info.format == "jsonl"
    assert [(r.number, r.values) for r in recs] == [(1, {"sku": "A", "price": 1}), (5, {"sku": "B"})]


def test_json_file_holding_json_lines_is_read_as_jsonl(write):
    path = write("export.json", '{"a": 1}\n{"a": 2}\n')
    info, recs = read_all(path)
    assert info.format == "jsonl"
    assert [(r.number, r.values) for r in recs] == [(1, {"a": 1}), (2, {"a": 2})]


def test_json_array_empty_and_empty_file(write):
    assert read_all(write("none.json", "[]"))[1] == []
    with pytest.raises(ReaderError) as exc:
        open_source(write("blank.json", "  \n"))
    assert "blank.json" in str(exc.value) and "empty" in str(exc.value)


def test_json_array_with_bom_and_utf16(write):
    data = [{"name": "Müller"}]
    assert read_all(write("bom.json", "\ufeff" + json.dumps(data, ensure_ascii=False)))[1][0].values == data[0]
    info, recs = read_all(write("u16.json", "\ufeff" + json.dumps(data, ensure_ascii=False), encoding="utf-16-le"))
    assert recs[0].values == data[0] and info.encoding == "utf-16"


def test_json_array_skip(write):
    path = write("s.json", json.dumps([{"n": i} for i in range(1, 6)]))
    with open_source(path) as src:
        assert [(r.number, r.values["n"]) for r in src.records(skip=3)] == [(4, 4), (5, 5)]
        assert list(src.records(skip=5)) == []


def test_json_array_elastic_path_elements(write):
    path = write("ep.json", json.dumps([
        {"data": {"type": "product", "id": "p1", "attributes": {"sku": "A", "name": "Chair"}}},
        {"sku": "B"},
    ]))
    info, recs = read_all(path)
    assert (recs[0].type, recs[0].values) == ("product", {"sku": "A", "name": "Chair"})
    assert (recs[1].type, recs[1].values) == (None, {"sku": "B"})
    assert info.headers == ["sku", "name"]


def test_json_array_too_deep_is_fatal(write):
    ok = write("ok.json", "[" + deep(4) + "]")
    assert len(read_all(ok, limits=Limits(max_json_depth=4))[1]) == 1
    bad = write("deep.json", "[" + deep(1) + "," + deep(5) + "]")
    with pytest.raises(ReaderError) as exc:
        open_source(bad, limits=Limits(max_json_depth=4))
    assert str(exc.value).startswith("deep.json, element 2:")
    assert "max_json_depth=4" in str(exc.value)


def test_json_array_absurdly_deep_never_recurses(write):
    # 200 good elements (past the 100-record preview), then 200,000 levels of nesting.
    body = ",".join(['{"a": 1}'] * 200)
    path = write("bomb.json", "[" + body + "," + "[" * 200_000 + "]" * 200_000 + "]")
    src = open_source(path)
    with pytest.raises(ReaderError) as exc:
        src.count()
    assert "element 201" in str(exc.value) and "max_json_depth=32" in str(exc.value)
    with pytest.raises(ReaderError, match=r"^bomb\.json, element 201: JSON nested deeper than 32 levels"):
        next(src.records())  # records() runs the guard pass first
    src.close()


def test_json_huge_integer_is_a_record_error_not_a_failed_file(write):
    # 30 digits: an exact int (ijson's C backend refused it: "integer overflow", the whole file
    # failed); 5,000 digits: over max_number_digits, so that element alone is an error
    path = write("big.json", '[{"a": 123456789012345678901234567890}, {"a": ' + "7" * 5000 + '}, {"a": 3}]')
    _, recs = read_all(path)
    assert recs[0].values == {"a": 123456789012345678901234567890}
    assert (recs[1].number, recs[1].values) == (2, {})
    assert "5,000 digits" in recs[1].error and "max_number_digits=100" in recs[1].error
    assert (recs[2].number, recs[2].values, recs[2].error) == (3, {"a": 3}, None)


# --- JSON Lines -------------------------------------------------------------------------------

def test_jsonl_with_a_bad_line_and_blank_lines(write):
    path = write("orders.jsonl", '{"id": 1}\n\n{"id": 2,}\n   \n{"id": 3}\n[1, 2]\n"text"\n{"id": 4} {"id": 5}\n')
    info, recs = read_all(path)
    assert info.format == "jsonl" and info.headers == ["id"]
    assert [(r.number, r.error is None) for r in recs] == [
        (1, True), (3, False), (5, True), (6, False), (7, False), (8, True), (8, True)]
    assert recs[1].error.startswith("invalid JSON:") and "column" in recs[1].error
    assert recs[1].values == {}
    assert recs[3].error == "expected a JSON object, got an array"
    assert (recs[5].values, recs[6].values) == ({"id": 4}, {"id": 5})  # values back to back
    assert recs[2].values == {"id": 3}


def test_jsonl_elastic_path_typed_lines(write):
    lines = [
        {"data": {"type": "subscription_plan", "attributes": {"name": "Gold", "price": 5}}},
        {"data": {"type": "subscription_offering", "id": "o1", "attributes": {"name": "Box"}}},
        {"data": {"type": "subscription_plan", "attributes": "oops"}},
        {"data": {"value": 3}},  # a plain record that merely has a "data" field
    ]
    path = write("ep.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    info, recs = read_all(path)
    assert [(r.number, r.type, r.values, r.error) for r in recs] == [
        (1, "subscription_plan", {"name": "Gold", "price": 5}, None),
        (2, "subscription_offering", {"name": "Box"}, None),
        (3, None, {}, "data.attributes must be an object, got a string"),
        (4, None, {"data": {"value": 3}}, None),
    ]
    assert info.headers == ["name", "price", "data"]


def test_jsonl_too_deep_is_a_record_error(write):
    path = write("d.jsonl", "\n".join([deep(3), deep(4), deep(5), "[" * 100_000 + "]" * 100_000, '{"ok": 1}']))
    _info, recs = read_all(path, limits=Limits(max_json_depth=4))
    assert [(r.number, r.error) for r in recs] == [
        (1, None),
        (2, None),
        (3, "JSON nested deeper than 4 levels (limit max_json_depth=4)"),
        (4, "JSON nested deeper than 4 levels (limit max_json_depth=4)"),
        (5, None),
    ]


def test_jsonl_deep_line_with_default_limit_and_brackets_in_strings(write):
    lines = [deep(32), deep(33), json.dumps({"s": "[[[[" * 20 + "{{{{" * 20})]
    _, recs = read_all(write("d.jsonl", "\n".join(lines)))
    assert [r.error is None for r in recs] == [True, False, True]


def test_jsonl_invalid_utf8_line_is_a_record_error(write):
    path = write("enc.jsonl", b'{"a": "ok"}\n{"a": "caf\xe9"}\n{"a": "fine"}\n')
    _, recs = read_all(path)
    assert [r.error is None for r in recs] == [True, False, True]
    assert "UTF-8" in recs[1].error


def test_jsonl_bom_crlf_and_utf16(write):
    path = write("b.jsonl", '\ufeff{"a": 1}\r\n{"a": 2}\r\n')
    assert [r.values for r in read_all(path)[1]] == [{"a": 1}, {"a": 2}]
    path = write("w.jsonl", '\ufeff{"a": "Grüße"}\r\n\r\n{"a": 2}\r\n', encoding="utf-16-le")
    info, recs = read_all(path)
    assert info.encoding == "utf-16"
    assert [(r.number, r.values) for r in recs] == [(1, {"a": "Grüße"}), (3, {"a": 2})]


def test_jsonl_skip_and_count(write):
    path = write("s.jsonl", '{"n": 1}\n\n{"n": 2}\nbad\n{"n": 4}\n')
    with open_source(path) as src:
        assert src.count() == 4
        assert [(r.number, r.error is None) for r in src.records(skip=2)] == [(4, False), (5, True)]


def test_jsonl_binary_junk_is_refused(write):
    path = write("junk.jsonl", bytes(range(256)) * 8)
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("junk.jsonl") and "not a text file" in str(exc.value)


def test_jsonl_max_rows(write):
    path = write("m.jsonl", "".join(f'{{"n": {i}}}\n' for i in range(10)))
    with open_source(path, limits=Limits(max_rows=5)) as src:
        with pytest.raises(ReaderError) as exc:
            src.count()
        assert "max_rows=5" in str(exc.value)
        got = []
        records = src.records()
        with pytest.raises(ReaderError, match=r"^m\.jsonl: more than 5 records \(limit max_rows=5\)$"):
            got.extend(rec.number for rec in records)
        assert got == [1, 2, 3, 4, 5]


# --- streams of values, exact numbers, number limits ---------------------------------------------

PRETTY_STREAM = (
    '{\n'
    '  "data": {\n'
    '    "type": "pricebook",\n'
    '    "attributes": {"name": "Retail"}\n'
    '  }\n'
    '}\n'
    '{"sku": "one-line", "price": 12345678901234567.89}\n'
    '{\n'
    '  "sku": "broken",\n'
    '  "tiers": {\n'
    '    "a": 1,,\n'
    '  }\n'
    '}\n'
    '\n'
    '  {"sku": "indented"} {"sku": "same line"}\n'
    '{\n'
    '  "sku": "last",\n'
    '  "list": [\n'
    '    {"n": 1},\n'
    '    {"n": 2}\n'
    '  ]\n'
    '}\n'
)


def test_stream_of_pretty_printed_and_one_line_values_numbers_start_lines(write):
    _, recs = read_all(write("prices.jsonl", PRETTY_STREAM))
    assert [(r.number, r.type, r.error) for r in recs] == [
        (1, "pricebook", None),
        (7, None, None),
        (8, None, "invalid JSON: Expecting property name enclosed in double quotes (line 11, column 12)"),
        (15, None, None),
        (15, None, None),
        (16, None, None),
    ]
    assert recs[1].values == {"sku": "one-line", "price": Decimal("12345678901234567.89")}
    assert recs[5].values == {"sku": "last", "list": [{"n": 1}, {"n": 2}]}


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 64])
def test_stream_values_cut_by_chunk_boundaries_read_the_same(write, monkeypatch, chunk):
    from importdesk.readers import json_source

    path = write("prices.jsonl", PRETTY_STREAM + '{"tail": 1.25e3}\n7')
    whole = [(r.number, r.values, r.error) for r in read_all(path)[1]]
    monkeypatch.setattr(json_source, "CHUNK_CHARS", chunk)
    assert [(r.number, r.values, r.error) for r in read_all(path)[1]] == whole
    assert whole[-2][1] == {"tail": Decimal("1.25e3")}
    assert whole[-1][2] == "expected a JSON object, got a number"


def test_jsonl_huge_integer_is_an_error_of_its_own_line(write):
    # issue 12: the file failed as a whole ("unexpected error ... ValueError") and named line 3
    path = write("big.jsonl", '{"sku": "a"}\n{"sku": "b", "n": ' + "1" * 5000 + '}\n{"sku": "c"}\n')
    _, recs = read_all(path)
    assert [(r.number, r.error is None) for r in recs] == [(1, True), (2, False), (3, True)]
    assert recs[1].error.startswith("the number 11111111111111111111… has 5,000 digits")


def test_jsonl_error_names_the_line_where_the_bad_value_is(write):
    path = write("bad.jsonl", '{"sku": "a"}\n\n{"sku": "b", "x": }\n{"sku": "c"}\n')
    with open_source(path) as src:
        recs = list(src.records())
    assert [(r.number, r.error) for r in recs] == [
        (1, None), (3, "invalid JSON: Expecting value (column 19)"), (4, None)]


def test_number_limits_and_constants_are_record_errors(write):
    lines = ['{"a": 1e200000000}', '{"a": 1.5e-1001}', '{"a": NaN}', '{"a": -Infinity}',
             '{"a": ' + "9" * 100 + '}', '{"a": 0.' + "1" * 101 + '}', '{"a": 1e1000}']
    _, recs = read_all(write("n.jsonl", "\n".join(lines)))
    assert [r.error for r in recs] == [
        "the number 1e200000000 has an exponent beyond ±1,000 (limit max_number_exponent=1000)",
        "the number 1.5e-1001 has an exponent beyond ±1,000 (limit max_number_exponent=1000)",
        "NaN is not a JSON number",
        "-Infinity is not a JSON number",
        None,
        "the number 0.111111111111111111… has 102 digits, more than the limit max_number_digits=100",
        None,
    ]
    assert recs[6].values == {"a": Decimal("1e1000")}
    _, recs = read_all(write("n.jsonl", '{"a": 12345}'), limits=Limits(max_number_digits=4))
    assert "max_number_digits=4" in recs[0].error


def test_invalid_utf8_inside_a_pretty_printed_object(write):
    path = write("enc.jsonl", b'{\n  "a": "caf\xe9"\n}\n{"a": "fine"}\n')
    _, recs = read_all(path)
    assert [(r.number, r.error) for r in recs] == [
        (1, "not valid UTF-8 (byte 0xE9 at line 2, column 12)"), (4, None)]


def test_stream_truncated_object_at_the_end(write):
    _, recs = read_all(write("cut.jsonl", '{"a": 1}\n{\n  "a": 2,\n'))
    assert [(r.number, r.error is None) for r in recs] == [(1, True), (2, False)]
    assert recs[1].error.startswith("invalid JSON:")


def test_stream_value_longer_than_the_limit_is_a_record_error(write, monkeypatch):
    from importdesk.readers import json_source

    monkeypatch.setattr(json_source, "MAX_VALUE_CHARS", 4096)
    monkeypatch.setattr(json_source, "CHUNK_CHARS", 1000)
    path = write("long.jsonl", '{"a": 1}\n{"a": "' + "x" * 20_000 + '"}\n{"a": 3}\n')
    _, recs = read_all(path)
    assert [(r.number, r.error) for r in recs] == [
        (1, None), (2, "a value longer than 4,096 characters, or one that is not closed"), (3, None)]


@pytest.mark.parametrize("chunk", [64, 1 << 20])
def test_an_exponent_in_capitals_is_held_to_its_limit_too(write, monkeypatch, chunk):
    from importdesk.readers import json_source

    monkeypatch.setattr(json_source, "CHUNK_CHARS", chunk)
    plain = [f'{{"n": {i}, "price": 12.{i:02d}}}' for i in range(20)]
    _, recs = read_all(write("capitals.jsonl", "\n".join([*plain, '{"price": 4E+1001}', '{"price": 2.5E+3}', *plain])))
    assert [(r.number, r.error) for r in recs if r.error] == [
        (21, "the number 4E+1001 has an exponent beyond ±1,000 (limit max_number_exponent=1000)")]
    assert recs[21].values == {"price": Decimal("2.5E+3")}
    assert len(recs) == 42


@pytest.mark.parametrize("chunk", [64, 1 << 20])
def test_number_limits_hold_in_every_chunk_and_plain_numbers_stay_exact(write, monkeypatch, chunk):
    # chunks without a long run of digits are decoded without a Python call per integer:
    # the values must be the same, and a later chunk's long number still an error of its line
    from importdesk.readers import json_source

    monkeypatch.setattr(json_source, "CHUNK_CHARS", chunk)
    plain = [f'{{"n": {i}, "price": 12345678901234567.{i:02d}, "neg": -0.50}}' for i in range(20)]
    late = ['{"n": ' + "9" * 101 + '}', '{"price": 1.5e-1001}', '{"price": 2.50E+3}', '{"n": NaN}']
    _, recs = read_all(write("late.jsonl", "\n".join(plain + late + plain[:1])))
    assert recs[3].values == {"n": 3, "price": Decimal("12345678901234567.03"), "neg": Decimal("-0.50")}
    assert type(recs[3].values["n"]) is int and str(recs[3].values["neg"]) == "-0.50"
    assert [r.error for r in recs[20:]] == [
        "the number 99999999999999999999… has 101 digits, more than the limit max_number_digits=100",
        "the number 1.5e-1001 has an exponent beyond ±1,000 (limit max_number_exponent=1000)",
        None,
        "NaN is not a JSON number",
        None,
    ]
    assert recs[22].values == {"price": Decimal("2.50E+3")}
    assert [r.number for r in recs] == list(range(1, 26))
