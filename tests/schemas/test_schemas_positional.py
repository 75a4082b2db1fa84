"""PositionalValidator: row lists straight to stored values, exactly what validate + to_db give."""

from __future__ import annotations

import random

import pytest

from importdesk.schemas import Registry, RowInvalid, load_text
from importdesk.schemas.positional import Constant

VARIANTS = {
    "sku": ["A1", " A1 ", "", "bad sku", "x" * 70],
    "name": ["n", "", "  ", "Ünï"],
    "description": ["", "d", " x "],
    "category": ["", "c"],
    "price": ["12.50", "12.5", "0", "0.0", "-0", "-1", "1e3", "1,234.56", "12,50", "00.5", " 7 ",
              "1.234,56", "١٢", "abc", "", "0.0000001", "100", "1E+2", "12.", ".5", "12.5\n"],
    "currency": ["", "EUR", "eur", "EURO"],
    "weight_kg": ["", "1.5", "1,5", "-1", "x", "1e400", "2"],
    "active": ["", "true", "False", "ja", "oui", "yes", "1", "0", "maybe", " y "],
    "ean": ["", "12345678", "123"],
    "launched_on": ["", "2024-02-29", "2023-02-29", "2024-01-31", "2024-04-31", "31.12.2024",
                    "12/31/2024", "2024-1-5", "0001-01-01", "0000-01-01", "2024-13-01", " 2024-01-05 ",
                    "2024-01-05T00:00", "x", "2024-01-05\n"],
    "attributes": ["", "{}", '{"a": 1}', "[1, 2]", "{bad", ' {"b":"é"} ', "3", "null"],
}
BASE = {"sku": "A1", "name": "n", "description": "", "category": "c", "price": "12.5", "currency": "",
        "weight_kg": "", "active": "", "ean": "", "launched_on": "", "attributes": ""}


@pytest.fixture(scope="module")
def products():
    return Registry.load(None).get("products")


def _expected(rt, v, cells, columns):
    raw = rt.map_headers([c or "junk" for c in columns]).to_raw(cells)
    try:
        clean = v.validate(raw)
    except RowInvalid as exc:
        return "error", exc.errors
    return "ok", rt.key_of(clean), rt.to_db(clean)


@pytest.mark.parametrize("locale", ["en", "de", "fr", "en_US", "de_CH"])
def test_same_values_and_errors_as_validate_then_to_db(products, locale):
    rt = products
    v = rt.validator(locale)
    rnd = random.Random(locale)
    cols = list(rt.fields)
    for columns in (cols, cols[::-1], [*cols[:4], None, *cols[4:8]]):
        pv = v.positional(columns)
        for n in range(600):
            row = {c: rnd.choice(VARIANTS[c]) if rnd.random() < 0.3 else BASE[c] for c in cols}
            cells = [row[c] if c else "junk" for c in columns]
            expected = _expected(rt, v, cells, columns)
            try:
                out = pv.validate([*cells, n])
            except RowInvalid as exc:
                got = ("error", exc.errors)
            else:
                got = None
            if got is not None:
                assert expected == got
                continue
            key, values, tail = pv.split(out)
            assert tail == n and pv.key_of(out) == key
            assert expected == ("ok", key, values)
            # booleans stay bool (SQLite stores them as 0/1, like to_db's int)
            assert [type(x) for x in expected[2]] == [int if type(y) is bool else type(y) for y in values]


def test_fields_without_a_column_are_stored_defaults(products):
    pv = products.validator("en").positional(["sku", "name", "price"])
    assert pv.layout[:5] == (0, 1, Constant(None), Constant(None), 2)
    assert pv.layout[5] == Constant("EUR") and pv.layout[7] == Constant(1)
    assert pv.split(pv.validate(["A", "b", "1.50", 7])) == (
        "A", ("A", "b", None, None, "1.5", "EUR", None, 1, None, None, None, None), 7)


def test_not_used_when_every_row_would_fail_or_the_key_is_unusual(products):
    v = products.validator("en")
    assert v.positional(["name", "price"]) is None  # the key has no column
    assert v.positional(["sku", "price"]) is None   # a required field has no column
    rt = load_text('''
        [resource]
        name = "readings"
        title = "Readings"
        key = ["at", "value"]
        [fields.at]
        type = "datetime"
        required = true
        [fields.value]
        type = "float"
        required = true
        [fields.factor]
        type = "float"
        default = 1.5
    ''', "readings.toml")
    assert rt.validator("en").positional(["at", "value", "factor"]) is None  # a float key
    rt = load_text('''
        [resource]
        name = "readings"
        title = "Readings"
        key = ["at", "n"]
        [fields.at]
        type = "datetime"
        required = true
        [fields.n]
        type = "integer"
        required = true
        [fields.factor]
        type = "float"
        default = 1.5
    ''', "readings.toml")
    v = rt.validator("en")
    assert v.positional(["at", "n"]) is None  # a float default would be SQL text
    pv = v.positional(["at", "n", "factor"])
    out = pv.validate(["2026-01-02 10:00", "7", "", 3])
    assert pv.split(out) == ("2026-01-02T10:00:00\x1f7", ("2026-01-02T10:00:00", 7, 1.5, None), 3)


def test_errors_name_the_field_and_value(products):
    pv = products.validator("en").positional(list(products.fields))
    cells = [BASE[c] for c in products.fields]
    cells[4] = "-5"
    cells[1] = ""
    with pytest.raises(RowInvalid) as exc:
        pv.validate([*cells, 2])
    assert [(e.field, e.value, e.code) for e in exc.value.errors] == [
        ("name", "", "required"), ("price", "-5", "too_small")]


def test_remembered_error_wordings_tell_equal_values_of_other_types_apart(products):
    """Spreadsheet cells are typed: 1, 1.0 and True hash alike, but their errors need not."""
    v = products.validator("en")
    columns = list(products.fields)
    pv = v.positional(columns)
    for _ in range(2):  # the second round is worded from what the first remembered
        for bad in (True, 1, 1.0, False, 0, "x", "", None, -1, -1.0):
            for field in ("name", "price", "ean", "launched_on", "active"):
                cells = [BASE[c] for c in columns]
                cells[columns.index(field)] = bad
                cells[columns.index("currency")] = "EURO"  # two fields wrong, in field order
                try:
                    v.validate(dict(zip(columns, cells, strict=True)))
                except RowInvalid as exc:
                    expected = exc.errors
                else:
                    expected = None
                try:
                    pv.validate([*cells, 9])
                except RowInvalid as exc:
                    got = exc.errors
                else:
                    got = None
                assert got == expected, (field, bad)


@pytest.mark.parametrize("locale", ["en", "de"])
def test_marked_cells_are_worded_as_raised_errors(products, locale):
    """validate_marking puts INVALID where a cell fails; errors_at words the row as errors_of does."""
    from importdesk.schemas.positional import INVALID

    rt = products
    pv = rt.validator(locale).positional(list(rt.fields))
    rnd = random.Random(locale)
    cols = list(rt.fields)
    marked = 0
    for n in range(800):
        cells = [rnd.choice(VARIANTS[c]) if rnd.random() < 0.3 else BASE[c] for c in cols]
        out = pv.validate_marking([*cells, n])
        try:
            expected, raised = pv.validate_or_raise([*cells, n]), None
        except pv.Invalid as exc:
            expected, raised = None, pv.errors_of(exc, [*cells, n])
        if raised is None:
            assert out == expected
            continue
        assert INVALID in out
        assert pv.errors_at([*cells, n], out) == raised
        marked += 1
    assert marked > 100
