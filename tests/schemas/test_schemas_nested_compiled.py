"""The compiled nested checks (coerce/nested_compiled.py) against the generic checker they stand in
for: the same clean value for every value they take, and for every other value the generic
checker's own problem (path, value, code, message); the stored text is json_text's, character for
character, whether msgspec or json_text writes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic_core import PydanticCustomError

from importdesk.schemas import load_text
from importdesk.schemas.coerce.blank import on_blank
from importdesk.schemas.coerce.nested import (
    _checker,
    _leaf_parts,
    _Problem,
    _reference_item,
    nested_converter,
    nested_db_converter,
)
from importdesk.schemas.coerce.nested_compiled import compile_as_is, compile_check
from importdesk.schemas.dbvalues import json_text
from importdesk.schemas.field_spec import FieldSpec
from importdesk.schemas.locale_rules import get_rules

SHAPES = '''
[resource]
name = "shaped"
key = ["ref"]

[fields.ref]
type = "string"

[fields.price]
type = "map"
key_pattern = '^[A-Z]{3}$'
values = "object"
[fields.price.fields.amount]
type = "minor_units"
required = true
[fields.price.fields.includes_tax]
type = "boolean"
[fields.price.fields.label]
type = "string"
[fields.price.fields.rate]
type = "decimal"
[fields.price.fields.unit]
type = "enum"
choices = ["day", "month"]
default = "month"
[fields.price.fields.tiers]
type = "map"
values = "object"
[fields.price.fields.tiers.fields.minimum_quantity]
type = "integer"
min = 1
required = true

[fields.tags]
type = "list"
items = "string"
min_items = 1
max_items = 3

[fields.bundle]
type = "list"
items = "object"
references = "other.code"
[fields.bundle.fields.code]
type = "string"
required = true

[fields.when]
type = "object"
[fields.when.fields.starts]
type = "date"
[fields.when.fields.weight]
type = "float"
'''

PRICE = {"USD": {"amount": 1200, "includes_tax": False, "label": "list", "rate": Decimal("0.10"),
                 "unit": "day", "tiers": {"min_5": {"minimum_quantity": 5}}},
         "EUR": {"amount": 1100, "unit": "month"}}


class Sub(dict):
    pass


VALUES = {
    "price": [
        PRICE,
        {"USD": {"amount": 1, "unit": "day", "note": Decimal("1E+2")}},     # an undeclared attribute
        {"USD": {"amount": 1, "unit": "day", "note": 1e16}},                # one json.dumps writes as 1e+16
        {"USD": {"amount": 1, "unit": "day", "note": "\ud800"}},            # a lone surrogate
        {"USD": {"amount": 1, "unit": "day", "note": Decimal("NaN")}},
        {"USD": {"amount": 1}},                                             # the default unit filled in
        {"USD": {"amount": 1, "unit": None, "includes_tax": None, "label": "  "}},  # blanks
        {"USD": {"amount": "12", "unit": "DAY", "label": " padded ", "rate": "1.50", "includes_tax": "yes"}},
        {"USD": {"amount": 1, "unit": "day", "tiers": {"min_5": {"minimum_quantity": 0}}}},
        {"USD": {"amount": -1, "unit": "day"}},
        {"USD": {"amount": True, "unit": "day"}},
        {"USD": {"unit": "day"}},
        {"usd": {"amount": 1, "unit": "day"}},
        {"USD": {"amount": 1, "unit": "week"}},
        {"USD": {"amount": 1, "unit": "day", "tiers": []}},
        {"USD": ["not", "an", "object"]},
        {"USD": Sub(amount=1, unit="day")},                                 # a dict subclass
        {"USD": {"amount": 2**70, "unit": "day"}},
        {5: {"amount": 1, "unit": "day"}},
        [],
        Sub(USD={"amount": 1, "unit": "day"}),
    ],
    "tags": [["tea"], ["tea", " box "], [], ["a", "b", "c", "d"], ["tea", 5], ["tea", None], "tea", ("tea",)],
    "bundle": [[{"code": "a"}, "  b "], ["b"], [" "], [{"code": " "}], [{"code": "a", "qty": 2}], [5]],
    "when": [{"starts": "2026-12-02", "weight": "1.5"}, {"starts": dt.date(2026, 12, 2)}, {"weight": "heavy"},
             {"starts": "31/12/2026"}, {}],
}
CASES = [(field, value) for field, values in VALUES.items() for value in values]


@pytest.fixture(scope="module")
def rt():
    return load_text(SHAPES, "shaped.toml")


def has_subclass(value):
    if isinstance(value, dict):
        return type(value) is not dict or any(map(has_subclass, value.values()))
    return isinstance(value, list) and any(map(has_subclass, value))


def outcome(call, value):
    """What a check gives for ``value``: the clean value and its stored text, or the problem."""
    try:
        clean = call(value)
    except _Problem as p:
        return ("problem", p.path, repr(p.value), p.code, p.message)
    except Exception as exc:
        return ("raises", type(exc).__name__, str(exc))
    try:
        text = json_text(clean)
    except Exception as exc:
        text = f"json_text raises {type(exc).__name__}"
    return ("clean", clean, text)


@pytest.mark.parametrize(("field", "value"), CASES)
def test_what_the_compiled_check_takes_is_what_the_generic_checker_gives(rt, field, value):
    spec, rules = rt.fields[field], get_rules("en")
    expected = outcome(_checker(spec, rules), value)
    fast = compile_check(spec, _leaf_parts(rules), _reference_item)
    try:
        clean, plain = fast(value)
    except Exception:  # refused: only what the generic checker refuses too, or takes from a dict subclass
        assert expected[0] != "clean" or has_subclass(value)
        return
    assert outcome(lambda v: clean, value) == expected
    as_is = compile_as_is(spec, _leaf_parts(rules), _reference_item)
    if as_is is None:
        assert not plain
    else:
        try:
            taken = as_is(value)
        except Exception:
            taken = False
        assert not taken or (plain and clean == value and json_text(clean) == json_text(value))


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, v in CASES if not isinstance(v, str)])  # (text: JSON)
def test_the_converters_report_and_store_as_before(rt, field, value):
    spec, rules = rt.fields[field], get_rules("en")
    generic = _checker(spec, rules)
    expected = outcome(generic, value)
    conv = nested_converter(spec, rules, on_blank(False, None))
    stored = nested_db_converter(spec, rules, on_blank(False, None))
    if expected[0] == "clean":
        assert outcome(conv, value) == expected
        assert outcome(stored, value)[1] == expected[2]  # the clean value's json_text, to the character
        return
    for call in (conv, stored):
        with pytest.raises(Exception) as caught:  # noqa: PT011 (what is raised is compared below)
            call(value)
        exc = caught.value
        if expected[0] == "problem":
            ctx = exc.context
            assert (exc.type, ctx["path"], repr(ctx["value"]), ctx["code"], ctx["message"]) == (
                "nested_error", field + expected[1], *expected[2:])
        else:
            assert (type(exc).__name__, str(exc)) == expected[1:]


def test_the_usual_json_value_takes_the_compiled_paths(rt):
    spec, rules = rt.fields["price"], get_rules("en")
    clean, plain = compile_check(spec, _leaf_parts(rules), _reference_item)(PRICE)
    assert plain and clean == PRICE
    assert compile_as_is(spec, _leaf_parts(rules), _reference_item)(PRICE) is True
    assert compile_check(spec, _leaf_parts(rules), _reference_item)(VALUES["price"][1])[1] is False  # undeclared
    assert compile_as_is(rt.fields["when"], _leaf_parts(rules), _reference_item) is None  # dates, floats


def test_blank_values_store_the_default_as_before(rt):
    spec, rules = rt.fields["price"], get_rules("en")
    default = {"USD": {"amount": 5, "rate": Decimal("2.50")}}
    stored = nested_db_converter(spec, rules, on_blank(False, default))
    assert stored(None) == stored("  ") == json_text(default) == '{"USD":{"amount":5,"rate":2.50}}'
    assert nested_db_converter(spec, rules, on_blank(False, None))(None) is None


def test_json_text_of_a_table_cell_is_decoded_then_checked_the_same_way(rt):
    spec, rules = rt.fields["tags"], get_rules("en")
    conv = nested_converter(spec, rules, on_blank(False, None))
    stored = nested_db_converter(spec, rules, on_blank(False, None))
    assert stored('["tea", " box "]') == json_text(conv('["tea", " box "]')) == '["tea","box"]'
    errors = []
    for call in (conv, stored):
        with pytest.raises(PydanticCustomError) as caught:
            call("tea")
        errors.append((caught.value.type, caught.value.message()))
    assert errors[0] == errors[1] and errors[0][0] == "invalid_json"


def test_a_schema_too_deep_to_compile_is_checked_by_the_generic_checker():
    spec, value = FieldSpec("n", "integer", required=True), 5
    for _ in range(30):  # more nested loops than Python compiles in one function
        spec, value = FieldSpec("deep", "list", item=spec), [value]
    rules = get_rules("en")
    assert compile_check(spec, _leaf_parts(rules), _reference_item) is None
    assert compile_as_is(spec, _leaf_parts(rules), _reference_item) is None
    assert nested_converter(spec, rules, on_blank(False, None))(value) == value
    assert nested_db_converter(spec, rules, on_blank(False, None))(value) == "[" * 30 + "5" + "]" * 30
