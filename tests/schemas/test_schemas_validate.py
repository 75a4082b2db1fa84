"""Row validation: every field type and constraint, blanks and defaults, XLSX/JSON-typed input,
all errors of a row at once, and the messages users see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from importdesk.schemas import CODES, FieldError, Registry, RowInvalid, SchemaError, load_text

ALL_TYPES = """
[resource]
name = "everything"
key = ["code"]

[fields.code]
type = "string"
max_length = 8
min_length = 2
pattern = '^[A-Z0-9-]+$'

[fields.qty]
type = "integer"
min = 0
max = 1000

[fields.amount]
type = "decimal"
min = 0
max = 99999.99

[fields.ratio]
type = "float"
min = -1
max = 1

[fields.flag]
type = "boolean"
default = false

[fields.day]
type = "date"

[fields.moment]
type = "datetime"

[fields.mail]
type = "email"

[fields.kind]
type = "enum"
choices = ["retail", "wholesale", "vip"]
default = "retail"

[fields.extra]
type = "json"

[fields.note]
type = "string"
required = true
"""


@pytest.fixture(scope="module")
def rt():
    return load_text(ALL_TYPES, source="everything.toml")


@pytest.fixture(scope="module")
def reg():
    return Registry.load(None)


def ok(rt, locale="en", **raw):
    base = {"code": "AB-1", "note": "n"}
    base.update(raw)
    return rt.validator(locale).validate(base)


def bad(rt, locale="en", **raw) -> dict[str, FieldError]:
    base = {"code": "AB-1", "note": "n"}
    base.update(raw)
    with pytest.raises(RowInvalid) as info:
        rt.validator(locale).validate(base)
    errs = {e.field: e for e in info.value.errors}
    assert all(e.code in CODES for e in errs.values())
    return errs


# -- shape of the result -------------------------------------------------------------------------


def test_clean_row_has_every_field_in_column_order(rt):
    clean = ok(rt)
    assert list(clean) == list(rt.stored_columns)
    assert clean == {
        "code": "AB-1",
        "qty": None,
        "amount": None,
        "ratio": None,
        "flag": False,
        "day": None,
        "moment": None,
        "mail": None,
        "kind": "retail",
        "extra": None,
        "note": "n",
        "_extra": None,  # attributes the type does not declare: none here
    }


def test_unknown_keys_are_ignored(rt):
    assert "junk" not in ok(rt, junk="x")


# -- blanks, defaults, required --------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", "\t", None])
def test_blank_means_missing(rt, blank):
    clean = ok(
        rt,
        qty=blank,
        amount=blank,
        ratio=blank,
        flag=blank,
        day=blank,
        moment=blank,
        mail=blank,
        kind=blank,
        extra=blank,
    )
    assert clean["flag"] is False and clean["kind"] == "retail"
    assert all(clean[f] is None for f in ("qty", "amount", "ratio", "day", "moment", "mail", "extra"))
    errs = bad(rt, note=blank)
    assert errs["note"].code == "required" and errs["note"].message == "is required"


def test_absent_required_fields(rt):
    with pytest.raises(RowInvalid) as info:
        rt.validator("en").validate({})
    assert [(e.field, e.code, e.value) for e in info.value.errors] == [
        ("code", "required", None),
        ("note", "required", None),
    ]


def test_defaults_of_builtins(reg):
    clean = reg.get("products").validator("en").validate({"sku": "A1", "name": "W", "price": "1", "currency": " "})
    assert clean["currency"] == "EUR" and clean["active"] is True
    clean = reg.get("stock_items").validator("en").validate({"stock_location": "L", "sku": "A", "quantity": "3"})
    assert clean["reserved"] == 0
    clean = reg.get("customers").validator("en").validate({"email": "a@b.de", "first_name": "A", "last_name": "B"})
    assert clean["newsletter"] is False and clean["customer_group"] == "retail"


def test_strings_are_stripped(rt):
    assert ok(rt, code="  AB-1 ", note=" x ")["code"] == "AB-1"


# -- strings ------------------------------------------------------------------------------------------


def test_string_constraints(rt):
    assert bad(rt, code="A")["code"].message == "must be at least 2 characters"
    assert bad(rt, code="ABCDEFGHI")["code"].message == "must be at most 8 characters"
    e = bad(rt, code="ab-1")["code"]
    assert e.code == "pattern_mismatch" and "^[A-Z0-9-]+$" in e.message
    assert e.value == "ab-1"


def test_builtin_string_messages(reg):
    v = reg.get("products").validator("en")
    with pytest.raises(RowInvalid) as info:
        v.validate({"sku": "x" * 65, "name": "n", "price": "1", "currency": "eur", "ean": "0123"})
    msgs = {e.field: e.message for e in info.value.errors}
    assert msgs["sku"] == "must be at most 64 characters"
    assert msgs["currency"] == "must be a 3-letter ISO currency code in capitals, e.g. EUR"
    assert msgs["ean"] == "must be an EAN/GTIN of 8, 12 or 13 digits"


def test_leading_zeros_are_kept(reg):
    clean = reg.get("products").validator("en").validate({"sku": "007", "name": "n", "price": "1", "ean": "00012345"})
    assert clean["sku"] == "007" and clean["ean"] == "00012345"
    clean = (
        reg.get("customers")
        .validator("de")
        .validate({"email": "a@b.de", "first_name": "A", "last_name": "B", "postcode": "01067"})
    )
    assert clean["postcode"] == "01067"


def test_xlsx_numbers_in_text_columns(rt, reg):
    assert ok(rt, note=12345)["note"] == "12345"
    assert ok(rt, note=12345.0)["note"] == "12345"
    assert ok(rt, note=1.5)["note"] == "1.5"
    assert ok(rt, note=dt.date(2026, 1, 2))["note"] == "2026-01-02"
    assert bad(rt, note=True)["note"].code == "invalid_string"
    clean = reg.get("products").validator("en").validate({"sku": 4711, "name": "n", "price": 1, "ean": 40063813})
    assert clean["sku"] == "4711" and clean["ean"] == "40063813"


# -- integers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [("7", 7), (" 7 ", 7), ("0", 0), ("1,000", 1000), ("3.0", 3), (3, 3), (3.0, 3), (Decimal("4"), 4), ("+5", 5)],
)
def test_integer_accepts(rt, raw, expected):
    assert ok(rt, qty=raw)["qty"] == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("3.5", "not_an_integer"),
        (3.5, "not_an_integer"),
        ("abc", "not_a_number"),
        (True, "not_a_number"),
        ("-1", "too_small"),
        ("1001", "too_large"),
        ("12,50", "ambiguous_number"),
        (float("nan"), "not_a_number"),
    ],
)
def test_integer_rejects(rt, raw, code):
    e = bad(rt, qty=raw)["qty"]
    assert e.code == code
    assert e.value == raw or raw != raw


def test_integer_messages(rt):
    assert bad(rt, qty="-1")["qty"].message == "must be a whole number between 0 and 1000"
    assert bad(rt, qty="2.5")["qty"].message == "must be a whole number"
    stock = Registry.load(None).get("stock_items").validator("en")
    with pytest.raises(RowInvalid) as info:
        stock.validate({"stock_location": "L", "sku": "A", "quantity": "-3", "reserved": "x"})
    msgs = {e.field: e.message for e in info.value.errors}
    assert msgs["quantity"] == "must be a whole number ≥ 0"
    assert msgs["reserved"] == "is not a whole number in the en format (e.g. 1,234.56)"


def test_integer_beyond_sqlite_range(rt):
    raw = load_text('[resource]\nname="t"\nkey=["n"]\n[fields.n]\ntype="integer"\n')
    v = raw.validator("en")
    assert v.validate({"n": str(2**63 - 1)})["n"] == 2**63 - 1
    with pytest.raises(RowInvalid) as info:
        v.validate({"n": str(2**63)})
    assert info.value.errors[0].code == "too_large"


# -- decimals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("19.99", Decimal("19.99")),
        ("12.50", Decimal("12.5")),
        ("0", Decimal("0")),
        ("1,234.56", Decimal("1234.56")),
        (" 7 ", Decimal("7")),
        (0.1, Decimal("0.1")),
        (19.99, Decimal("19.99")),
        (5, Decimal("5")),
        (Decimal("2.50"), Decimal("2.5")),
        (".5", Decimal("0.5")),
        ("99999.99", Decimal("99999.99")),
        ("1e2", Decimal("100")),
    ],
)
def test_decimal_accepts(rt, raw, expected):
    value = ok(rt, amount=raw)["amount"]
    assert isinstance(value, Decimal) and value == expected


def test_decimal_keeps_digits_exactly(rt):
    raw = load_text('[resource]\nname="t"\nkey=["n"]\n[fields.n]\ntype="string"\n[fields.d]\ntype="decimal"\n')
    v = raw.validator("en")
    long = "12345678901234567890123456789012345.123456789012345678901"
    assert str(v.validate({"n": "x", "d": long})["d"]) == long
    assert raw.to_db(v.validate({"n": "x", "d": long}))[1] == long
    assert raw.to_db(v.validate({"n": "x", "d": "0.00000001"}))[1] == "0.00000001"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("-0.01", "too_small"),
        ("100000", "too_large"),
        ("abc", "not_a_number"),
        ("NaN", "not_a_number"),
        ("inf", "not_a_number"),
        (True, "not_a_number"),
        ("12,50", "ambiguous_number"),
        ("1.2.3", "not_a_number"),
        (float("inf"), "not_a_number"),
        (dt.date(2026, 1, 1), "not_a_number"),
    ],
)
def test_decimal_rejects(rt, raw, code):
    assert bad(rt, amount=raw)["amount"].code == code


def test_decimal_messages(rt, reg):
    assert bad(rt, amount="-1")["amount"].message == "must be a number between 0 and 99999.99"
    with pytest.raises(RowInvalid) as info:
        reg.get("products").validator("en").validate({"sku": "A", "name": "n", "price": "-1"})
    assert info.value.errors[0].message == "must be a number ≥ 0"
    assert str(info.value) == "price must be a number ≥ 0 (got '-1')"


# -- floats ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [("0.5", 0.5), ("-1", -1.0), (1, 1.0), (0.25, 0.25), ("1e-1", 0.1)])
def test_float_accepts(rt, raw, expected):
    value = ok(rt, ratio=raw)["ratio"]
    assert isinstance(value, float) and value == expected


@pytest.mark.parametrize(
    "raw, code",
    [("1.5", "too_large"), ("-2", "too_small"), ("x", "not_a_number"), ("inf", "not_a_number"), (True, "not_a_number")],
)
def test_float_rejects(rt, raw, code):
    assert bad(rt, ratio=raw)["ratio"].code == code


# -- booleans ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["true", "TRUE", "yes", "Y", "1", "on", " Yes ", True, 1, 1.0])
def test_boolean_true(rt, raw):
    assert ok(rt, flag=raw)["flag"] is True


@pytest.mark.parametrize("raw", ["false", "No", "n", "0", "off", False, 0, 0.0])
def test_boolean_false(rt, raw):
    assert ok(rt, flag=raw)["flag"] is False


@pytest.mark.parametrize("raw", ["maybe", "2", 2, "ja"])
def test_boolean_rejects(rt, raw):
    e = bad(rt, flag=raw)["flag"]
    assert e.code == "invalid_boolean"
    assert e.message == "is not a yes/no value (expected true/false, yes/no, 1/0)"


# -- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026-12-31", dt.date(2026, 12, 31)),
        ("31/12/2026", dt.date(2026, 12, 31)),
        ("31.12.2026", dt.date(2026, 12, 31)),
        ("1-2-2026", dt.date(2026, 2, 1)),
        ("2026/12/31", dt.date(2026, 12, 31)),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
        (dt.datetime(2026, 1, 2), dt.date(2026, 1, 2)),
        ("2026-01-02T00:00:00", dt.date(2026, 1, 2)),
        ("02/01/2026 00:00", dt.date(2026, 1, 2)),
    ],
)
def test_date_accepts(rt, raw, expected):
    assert ok(rt, day=raw)["day"] == expected


@pytest.mark.parametrize(
    "raw",
    ["2026-02-30", "31/12/26", "12/31/2026", "yesterday", dt.datetime(2026, 1, 2, 10, 30), 46000, "2026-12-31T10:00"],
)
def test_date_rejects(rt, raw):
    e = bad(rt, day=raw)["day"]
    assert e.code == "invalid_date"
    assert e.message.startswith("is not a valid date")
    assert "expected DD/MM/YYYY or YYYY-MM-DD" in e.message


# -- datetimes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026-12-31T10:00", dt.datetime(2026, 12, 31, 10, 0)),
        ("2026-12-31 10:00:05", dt.datetime(2026, 12, 31, 10, 0, 5)),
        ("2026-12-31", dt.datetime(2026, 12, 31)),
        ("31/12/2026 10:00", dt.datetime(2026, 12, 31, 10, 0)),
        ("31/12/2026 10:00:59", dt.datetime(2026, 12, 31, 10, 0, 59)),
        (dt.datetime(2026, 1, 2, 3, 4), dt.datetime(2026, 1, 2, 3, 4)),
        (dt.date(2026, 1, 2), dt.datetime(2026, 1, 2)),
    ],
)
def test_datetime_accepts(rt, raw, expected):
    assert ok(rt, moment=raw)["moment"] == expected


def test_datetime_with_offset(rt):
    value = ok(rt, moment="2026-12-31T10:00:00+02:00")["moment"]
    assert value.utcoffset() == dt.timedelta(hours=2)
    assert rt.to_db(ok(rt, moment="2026-12-31T10:00:00Z"))[rt.columns.index("moment")] == "2026-12-31T10:00:00+00:00"


@pytest.mark.parametrize("raw", ["31/12/2026 25:00", "soon", 1700000000, "2026-13-01T10:00"])
def test_datetime_rejects(rt, raw):
    assert bad(rt, moment=raw)["moment"].code == "invalid_datetime"


# -- emails ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("john.doe@example.com", "john.doe@example.com"),
        ("John.Doe@Example.COM", "John.Doe@example.com"),  # the domain is normalised to lower case
        (" a+tag@sub.example.co.uk ", "a+tag@sub.example.co.uk"),
        ("jörg@münchen.de", "jörg@münchen.de"),
    ],
)
def test_email_accepts(rt, raw, expected):
    assert ok(rt, mail=raw)["mail"] == expected


@pytest.mark.parametrize(
    "raw", ["no-at-sign", "a@b", "a..b@example.com", "a@example.test", "a@@example.com", 5, "a@-x.com"]
)
def test_email_rejects(rt, raw):
    e = bad(rt, mail=raw)["mail"]
    assert e.code == "invalid_email" and e.message.startswith("is not a valid e-mail address")


# -- enums -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [("vip", "vip"), ("VIP", "vip"), (" Wholesale ", "wholesale")])
def test_enum_accepts(rt, raw, expected):
    assert ok(rt, kind=raw)["kind"] == expected


def test_enum_rejects(rt):
    e = bad(rt, kind="gold")["kind"]
    assert e.code == "not_a_choice" and e.message == "must be one of: retail, wholesale, vip"


# -- json --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ('{"a": [1, 2]}', {"a": [1, 2]}),
        ("[1]", [1]),
        ('"text"', "text"),
        ({"a": 1}, {"a": 1}),
        ([1, "x"], [1, "x"]),
        ("3", 3),
    ],
)
def test_json_accepts(rt, raw, expected):
    assert ok(rt, extra=raw)["extra"] == expected


def test_json_rejects(rt):
    e = bad(rt, extra="{bad json")["extra"]
    assert e.code == "invalid_json" and e.message.startswith("is not valid JSON (")


# -- all errors together -------------------------------------------------------------------------------


def test_every_bad_field_of_a_row_is_reported_in_column_order(rt):
    with pytest.raises(RowInvalid) as info:
        rt.validator("en").validate(
            {
                "code": "x",
                "qty": "-5",
                "amount": "abc",
                "ratio": "9",
                "flag": "maybe",
                "day": "31/02/2026",
                "moment": "later",
                "mail": "nope",
                "kind": "gold",
                "extra": "{",
                "note": "",
            }
        )
    errors = info.value.errors
    assert [e.field for e in errors] == list(rt.fields)
    assert [e.code for e in errors] == [
        "too_short",
        "too_small",
        "not_a_number",
        "too_large",
        "invalid_boolean",
        "invalid_date",
        "invalid_datetime",
        "invalid_email",
        "not_a_choice",
        "invalid_json",
        "required",
    ]
    assert errors[2].value == "abc"
    text = str(info.value)
    assert "qty must be a whole number between 0 and 1000 (got '-5')" in text
    assert "note is required" in text


def test_row_that_is_not_a_dict(rt):
    with pytest.raises(RowInvalid) as info:
        rt.validator("en").validate(["a", "b"])
    assert info.value.errors[0].code == "invalid"


# -- parent field ------------------------------------------------------------------------------------


def test_parent_value_fills_an_empty_parent_field(reg):
    prices = reg.get("prices")
    row = {"sku": "A1", "amount": "9.99", "currency": "EUR"}
    with pytest.raises(RowInvalid) as info:
        prices.validator("en").validate(row)
    assert [e.field for e in info.value.errors] == ["price_list"]
    v = prices.validator("en", parent="PL-1")
    assert v is prices.validator("en", parent="PL-1")
    assert v.validate(row)["price_list"] == "PL-1"
    assert v.validate(dict(row, price_list=""))["price_list"] == "PL-1"
    assert v.validate(dict(row, price_list="PL-2"))["price_list"] == "PL-2"  # the row's own value wins
    assert prices.key_of(v.validate(row)) == "PL-1\x1fA1"


def test_parent_value_that_does_not_fit(reg):
    rt = load_text(
        '[resource]\nname="t"\nkey=["p", "k"]\nparent="p"\n[fields.p]\ntype="integer"\n[fields.k]\ntype="string"\n'
    )
    assert rt.validator("en", parent="7").validate({"k": "x"})["p"] == 7
    with pytest.raises(SchemaError, match="parent value 'abc' does not fit field 'p'"):
        rt.validator("en", parent="abc")


# -- validator cache & locales -------------------------------------------------------------------------


def test_validator_is_cached_per_locale(rt):
    assert rt.validator("de") is rt.validator("de")
    assert rt.validator("de") is rt.validator("DE")
    assert rt.validator("de_DE") is rt.validator("de-de")
    assert rt.validator("de") is not rt.validator("en")
    assert rt.validator("de").locale == "de"


def test_unknown_locale_is_a_clear_error(rt):
    with pytest.raises(SchemaError, match="unknown locale 'xx'"):
        rt.validator("xx")
    with pytest.raises(ValueError, match=r"unknown locale 'klingon_XX' \(use a language code"):
        rt.validator("klingon_XX")


# -- number size: a few bytes of input never become megabytes of stored text --------------------


UNBOUNDED = load_text('[resource]\nname="t"\nkey=["n"]\n[fields.n]\ntype="string"\n[fields.d]\ntype="decimal"\n')


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize(
    "raw",
    [
        "1e200000000",
        "1E-200000000",
        "1" * 101,
        "0,000000000000000000001e-90",
        Decimal("1e200000000"),
        Decimal("1e-200"),
    ],
)
def test_decimal_with_too_many_digits_is_refused(locale, raw):
    if locale == "en" and isinstance(raw, str):
        raw = raw.replace(",", ".")
    for validate in (UNBOUNDED.validator(locale).validate, _positional_validate(locale)):
        with pytest.raises(RowInvalid) as info:
            validate({"n": "x", "d": raw})
        err = info.value.errors[0]
        assert (err.field, err.code) == ("d", "too_many_digits")
        assert "at most 100 digits" in err.message


def _positional_validate(locale):
    """The CSV path: a row list (cells in file order, row number last) to stored values."""
    pv = UNBOUNDED.validator(locale).positional(["n", "d"])
    return lambda raw: pv.validate([raw["n"], raw["d"] if isinstance(raw["d"], str) else str(raw["d"]), 2])


def test_decimal_digits_limit_admits_100_digits_and_json_decimals_exactly():
    v = UNBOUNDED.validator("en")
    assert v.validate({"n": "x", "d": "9" * 100})["d"] == Decimal("9" * 100)
    assert v.validate({"n": "x", "d": Decimal("12345678901234567.89")})["d"] == Decimal("12345678901234567.89")
    assert UNBOUNDED.to_db(v.validate({"n": "x", "d": Decimal("1E+5")}))[1] == "100000"


def test_huge_exponent_for_an_integer_is_too_large_without_building_the_integer(rt):
    assert bad(rt, qty="1e200000000")["qty"].code == "too_large"
    assert ok(rt, qty=Decimal("5.0"))["qty"] == 5


def test_optional_decimal_left_empty_is_stored_as_null_on_the_positional_path():
    pv = UNBOUNDED.validator("de").positional(["n", "d"])  # de: the Python converter's branch
    assert pv.validate(["x", "", 2])[1] is None
    assert UNBOUNDED.validator("en").positional(["n", "d"]).validate(["x", " ", 2])[1] is None
