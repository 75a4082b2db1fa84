"""Locale rules: numbers, dates and yes/no words per locale (Babel-backed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from importdesk.schemas import RowInvalid, SchemaError, get_rules, load_text

TYPE = '''
[resource]
name = "t"
key = ["k"]

[fields.k]
type = "string"

[fields.amount]
type = "decimal"

[fields.qty]
type = "integer"

[fields.ratio]
type = "float"

[fields.day]
type = "date"

[fields.moment]
type = "datetime"

[fields.flag]
type = "boolean"
'''


@pytest.fixture(scope="module")
def rt():
    return load_text(TYPE)


def value(rt, locale, field, raw):
    return rt.validator(locale).validate({"k": "k", field: raw})[field]


def error(rt, locale, field, raw):
    with pytest.raises(RowInvalid) as info:
        rt.validator(locale).validate({"k": "k", field: raw})
    (err,) = info.value.errors
    assert err.field == field and err.value == raw
    return err


# -- rules from Babel ----------------------------------------------------------------------------------


def test_rules_come_from_babel():
    de = get_rules("de_DE")
    assert (de.decimal, de.group, de.date_order, de.date_sep) == (",", ".", "DMY", ".")
    en_us = get_rules("en_US")
    assert (en_us.decimal, en_us.group, en_us.date_order) == (".", ",", "MDY")
    assert get_rules("en").date_order == "DMY"  # bare "en": international English, day first
    assert get_rules("en_GB").date_order == "DMY"
    assert get_rules("ja").date_order == "YMD"
    fr = get_rules("fr")
    assert fr.decimal == "," and "\u202f" in fr.groups and " " in fr.groups and "\u00a0" in fr.groups
    assert get_rules("de-de").locale == "de_DE"


def test_rules_handed_to_another_process_are_the_same_there_without_babel():
    """The batch writer adopts the runner's rules (positional_recipe's recipe carries them)."""
    import marshal
    import subprocess
    import sys
    from dataclasses import astuple

    from importdesk.schemas import known_rules
    from importdesk.schemas.locale_rules import normalize_locale

    asked = ["de-DE", "en", "fr", "C"]
    here = [(astuple(get_rules(name)), normalize_locale(name)) for name in asked]
    script = (
        "import marshal, sys\n"
        "from dataclasses import astuple\n"
        "from importdesk.schemas import adopt_rules, get_rules\n"
        "from importdesk.schemas.locale_rules import normalize_locale\n"
        "adopt_rules(marshal.loads(sys.stdin.buffer.read()))\n"
        f"there = [(astuple(get_rules(n)), normalize_locale(n)) for n in {asked!r}]\n"
        "sys.stdout.buffer.write(marshal.dumps((there, 'babel' in sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", script], input=marshal.dumps(known_rules()),
                          capture_output=True, check=True)
    there, babel_loaded = marshal.loads(done.stdout)
    assert there == here
    assert not babel_loaded


@pytest.mark.parametrize("name", ["C", "POSIX", "c", "C.UTF-8", "POSIX.utf8"])
def test_posix_locale_reads_as_us_english(name):
    rules = get_rules(name)
    assert rules.locale == "en_US"
    assert (rules.decimal, rules.date_order) == (".", "MDY")


@pytest.mark.parametrize("name, expected", [("de_DE.UTF-8", "de_DE"), ("ca_ES@valencia", "ca_ES"),
                                            ("fr_FR.ISO8859-1", "fr_FR")])
def test_lang_variable_names_drop_encoding_and_modifier(name, expected):
    assert get_rules(name).locale == expected


@pytest.mark.parametrize("bad", ["xx", "zz_ZZ", "english", "xx.UTF-8"])
def test_unknown_locale(bad):
    with pytest.raises(SchemaError) as info:
        get_rules(bad)
    assert f"unknown locale {bad!r}" in str(info.value)
    assert isinstance(info.value, ValueError)


# -- numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale, raw, expected", [
    ("de", "1.234,56", Decimal("1234.56")),
    ("de", "1234,56", Decimal("1234.56")),
    ("de", "12,5", Decimal("12.5")),
    ("de", "1.234", Decimal("1234")),
    ("de", "1.234.567,8", Decimal("1234567.8")),
    ("de", "-3,5", Decimal("-3.5")),
    ("de", "0,1", Decimal("0.1")),
    ("de_DE", "19,99", Decimal("19.99")),
    ("en", "1,234.56", Decimal("1234.56")),
    ("en", "1234.56", Decimal("1234.56")),
    ("en", "12.50", Decimal("12.5")),
    ("en_US", "1,234,567.89", Decimal("1234567.89")),
    ("fr", "1\u202f234,56", Decimal("1234.56")),
    ("fr", "1 234,56", Decimal("1234.56")),
    ("fr", "1\u00a0234\u00a0567,5", Decimal("1234567.5")),
    ("fr", "12,5", Decimal("12.5")),
    ("de_CH", "1'234.50", Decimal("1234.5")),
    ("de_CH", "1\u2019234.50", Decimal("1234.5")),
    ("sv", "\u22125,5", Decimal("-5.5")),
    ("de", "+1.234,5", Decimal("1234.5")),
    ("de", "-1.234.567", Decimal("-1234567")),
    ("en", "-1,234", Decimal("-1234")),
    ("en", "1,234,567", Decimal("1234567")),
    ("de", "\u22121.234,5", Decimal("-1234.5")),
    ("fr", "-1 234", Decimal("-1234")),
])
def test_locale_numbers(rt, locale, raw, expected):
    assert value(rt, locale, "amount", raw) == expected


@pytest.mark.parametrize("locale, raw", [
    ("de", "12.50"), ("de", "1.5"), ("de", "1.234.56"), ("de", "1.23,4"),
    ("en", "12,50"), ("en", "1,5"), ("en", "1,2345.6"), ("en", "1234,567"), ("en", ",123"),
    ("fr", "12 50"), ("fr", "1 234\u202f567"),
])
def test_group_symbol_outside_groups_of_three_is_ambiguous(rt, locale, raw):
    err = error(rt, locale, "amount", raw)
    assert err.code == "ambiguous_number"
    assert "ambiguous" in err.message and get_rules(locale).number_example in err.message


def test_ambiguous_message_in_de(rt):
    err = error(rt, "de", "amount", "12.50")
    assert err.message == (
        "is ambiguous in the de format: '.' only separates thousands (groups of three digits) "
        "and ',' marks decimals (e.g. 1.234,56)"
    )


@pytest.mark.parametrize("locale, raw", [("fr", "12.50"), ("de", "12,5€"), ("de", "1.2a4"), ("en", "12 EUR")])
def test_wrong_format_is_not_a_number(rt, locale, raw):
    err = error(rt, locale, "amount", raw)
    assert err.code == "not_a_number"
    rules = get_rules(locale)
    assert err.message == f"is not a number in the {rules.locale} format (e.g. {rules.number_example})"


@pytest.mark.parametrize("locale, raw", [("de", "1,234.56"), ("en", "1.234,56")])
def test_the_other_convention_is_ambiguous(rt, locale, raw):
    assert error(rt, locale, "amount", raw).code == "ambiguous_number"


@pytest.mark.parametrize("locale, raw, expected", [
    ("de", "1.000", 1000), ("de", "3,0", 3), ("en", "1,000", 1000), ("fr", "2 000", 2000), ("de", "12", 12),
])
def test_locale_integers(rt, locale, raw, expected):
    assert value(rt, locale, "qty", raw) == expected


@pytest.mark.parametrize("locale, raw, expected", [
    ("de", "0,25", 0.25), ("de", "1.000,5", 1000.5), ("en", "1,000.5", 1000.5), ("fr", "0,5", 0.5),
])
def test_locale_floats(rt, locale, raw, expected):
    assert value(rt, locale, "ratio", raw) == expected


def test_xlsx_numbers_ignore_the_locale(rt):
    # numbers that are already numbers (XLSX/JSON) are not text to interpret
    assert value(rt, "de", "amount", 12.5) == Decimal("12.5")
    assert value(rt, "de", "amount", 0.1) == Decimal("0.1")
    assert value(rt, "de", "qty", 3.0) == 3
    assert error(rt, "de", "qty", 3.5).code == "not_an_integer"
    assert value(rt, "fr", "ratio", 2) == 2.0


# -- dates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale, raw, expected", [
    ("de", "31.12.2026", dt.date(2026, 12, 31)),
    ("de", "1.2.2026", dt.date(2026, 2, 1)),
    ("de", "2026-12-31", dt.date(2026, 12, 31)),
    ("en", "31/12/2026", dt.date(2026, 12, 31)),
    ("en_GB", "01/02/2026", dt.date(2026, 2, 1)),
    ("en_US", "12/31/2026", dt.date(2026, 12, 31)),
    ("en_US", "01/02/2026", dt.date(2026, 1, 2)),
    ("en_US", "2026-12-31", dt.date(2026, 12, 31)),
    ("fr", "31/12/2026", dt.date(2026, 12, 31)),
    ("nl", "31-12-2026", dt.date(2026, 12, 31)),
    ("ja", "2026/12/31", dt.date(2026, 12, 31)),
])
def test_locale_dates(rt, locale, raw, expected):
    assert value(rt, locale, "day", raw) == expected


@pytest.mark.parametrize("locale, raw, hint", [
    ("de", "12/31/2026", "DD.MM.YYYY or YYYY-MM-DD"),
    ("de", "31.12.26", "DD.MM.YYYY or YYYY-MM-DD"),
    ("en_US", "31/12/2026", "MM/DD/YYYY or YYYY-MM-DD"),
    ("en", "12/31/2026", "DD/MM/YYYY or YYYY-MM-DD"),
])
def test_locale_date_errors_say_what_is_expected(rt, locale, raw, hint):
    err = error(rt, locale, "day", raw)
    assert err.code == "invalid_date"
    assert err.message.startswith("is not a valid date (")
    assert err.message.endswith(f"expected {hint})")


def test_date_error_message_de(rt):
    assert error(rt, "de", "day", "morgen").message == "is not a valid date (expected DD.MM.YYYY or YYYY-MM-DD)"


@pytest.mark.parametrize("locale, raw, expected", [
    ("de", "31.12.2026 14:30", dt.datetime(2026, 12, 31, 14, 30)),
    ("de", "31.12.2026 14:30:15", dt.datetime(2026, 12, 31, 14, 30, 15)),
    ("en_US", "12/31/2026 09:05", dt.datetime(2026, 12, 31, 9, 5)),
    ("de", "2026-12-31T14:30:00", dt.datetime(2026, 12, 31, 14, 30)),
])
def test_locale_datetimes(rt, locale, raw, expected):
    assert value(rt, locale, "moment", raw) == expected


# -- booleans ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale, raw, expected", [
    ("de", "ja", True), ("de", "Nein", False), ("de", "WAHR", True), ("de", "falsch", False), ("de", "true", True),
    ("fr", "oui", True), ("fr", "Non", False), ("fr", "vrai", True), ("fr", "faux", False),
    ("es", "sí", True), ("es", "si", True), ("es", "no", False),
    ("nl", "ja", True), ("nl", "nee", False),
    ("it", "sì", True), ("it", "si", True), ("it", "no", False),
    ("de_DE", "J", True), ("en", "yes", True), ("en", "off", False),
])
def test_locale_booleans(rt, locale, raw, expected):
    assert value(rt, locale, "flag", raw) is expected


def test_locale_boolean_words_only_in_their_locale(rt):
    err = error(rt, "en", "flag", "ja")
    assert err.code == "invalid_boolean"
    assert error(rt, "de", "flag", "vielleicht").message == (
        "is not a yes/no value (expected true/false, yes/no, 1/0, ja/nein)"
    )


def test_same_row_means_the_same_in_each_locale(rt):
    rows = {
        "en": {"k": "k", "amount": "1,234.5", "qty": "1,000", "day": "31/12/2026", "flag": "yes"},
        "en_US": {"k": "k", "amount": "1,234.5", "qty": "1000", "day": "12/31/2026", "flag": "Y"},
        "de": {"k": "k", "amount": "1.234,5", "qty": "1.000", "day": "31.12.2026", "flag": "ja"},
        "fr": {"k": "k", "amount": "1 234,5", "qty": "1\u202f000", "day": "31/12/2026", "flag": "oui"},
    }
    results = [rt.validator(loc).validate(row) for loc, row in rows.items()]
    assert all(r == results[0] for r in results)
