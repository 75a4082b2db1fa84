"""object / map / list / url / minor_units fields: loaded from TOML, checked all the way down,
errors named by their path, stored as JSON that reads back exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from importdesk.schemas import Registry, RowInvalid, SchemaError, load_text

PRICED = '''
[resource]
name = "priced_items"
wire_name = "priced-item"
key = ["ref"]

[fields.ref]
type = "string"

[fields.image]
type = "url"

[fields.price]
type = "map"
key_pattern = '^[A-Z]{3}$'
key_message = "must be a 3-letter ISO currency code in capitals"
values = "object"
[fields.price.fields.amount]
type = "minor_units"
required = true
[fields.price.fields.includes_tax]
type = "boolean"

[fields.price_units]
type = "object"
[fields.price_units.fields.unit]
type = "enum"
choices = ["day", "month"]
required = true
[fields.price_units.fields.amount]
type = "integer"
min = 1
required = true

[fields.tiers]
type = "list"
items = "object"
min_items = 1
max_items = 3
[fields.tiers.fields.name]
type = "string"
required = true
[fields.tiers.fields.minimum_quantity]
type = "integer"
min = 1

[fields.tags]
type = "list"
items = "string"
'''

GOOD = {
    "ref": "p-1", "image": "https://example.com/tea.png",
    "price": {"USD": {"amount": 1200, "includes_tax": False}, "EUR": {"amount": 1100}},
    "price_units": {"unit": "month", "amount": 1},
    "tiers": [{"name": "five", "minimum_quantity": 5, "note": Decimal("0.10")}],
    "tags": ["tea", "box"],
}


@pytest.fixture(scope="module")
def rt():
    return load_text(PRICED, "priced.toml")


def test_a_record_with_maps_objects_and_lists_is_kept_as_given(rt):
    clean = rt.validator("en").validate(GOOD)
    assert {k: clean[k] for k in GOOD} == GOOD  # undeclared "note" inside a tier stays too
    stored = rt.to_db(clean)
    assert stored[2] == '{"USD":{"amount":1200,"includes_tax":false},"EUR":{"amount":1100}}'
    assert stored[4] == '[{"name":"five","minimum_quantity":5,"note":0.10}]'
    assert rt.from_db(stored) == clean
    assert rt.sql_types()["price"] == "TEXT" and rt.sql_types()["image"] == "TEXT"


def test_json_text_from_a_table_cell_is_read_the_same_way(rt):
    raw = dict(GOOD, price='{"USD": {"amount": 1200, "includes_tax": false}}', tags='["tea"]')
    clean = rt.validator("en").validate(raw)
    assert clean["price"] == {"USD": {"amount": 1200, "includes_tax": False}} and clean["tags"] == ["tea"]


@pytest.mark.parametrize("change, path, value, code, message", [
    ({"price": {"usd": {"amount": 1}}}, "price.usd", "usd", "invalid_key",
     "key 'usd' must be a 3-letter ISO currency code in capitals"),
    ({"price": {"USD": {"amount": -5}}}, "price.USD.amount", -5, "too_small",
     "must be a whole number of minor units (cents), not negative"),
    ({"price": {"USD": {"amount": "12.50"}}}, "price.USD.amount", "12.50", "not_an_integer", "must be a whole number"),
    ({"price": {"USD": {"includes_tax": True}}}, "price.USD.amount", None, "required", "is required"),
    ({"price": {"USD": [1200]}}, "price.USD", [1200], "invalid_value", "must be an object, got a list"),
    ({"price_units": {"unit": "week", "amount": 1}}, "price_units.unit", "week", "not_a_choice",
     "must be one of: day, month"),
    ({"price_units": {"unit": "day", "amount": 0}}, "price_units.amount", 0, "too_small", "must be a whole number ≥ 1"),
    ({"tiers": [{"name": "a"}, {"minimum_quantity": 2}]}, "tiers[1].name", None, "required", "is required"),
    ({"tiers": []}, "tiers", [], "too_few_items", "must have at least 1 item"),
    ({"tiers": [{"name": "a"}] * 4}, "tiers", [{"name": "a"}] * 4, "too_many_items", "must have at most 3 items"),
    ({"image": "tea.png"}, "image", "tea.png", "invalid_url", "is not a web address (expected https://… or http://…)"),
])
def test_a_broken_value_is_named_by_its_path(rt, change, path, value, code, message):
    with pytest.raises(RowInvalid) as info:
        rt.validator("en").validate(GOOD | change)
    [err] = info.value.errors
    assert (err.field, err.value, err.code, err.message) == (path, value, code, message)


def test_wire_name_finds_the_type(tmp_path):
    (tmp_path / "priced.toml").write_text(PRICED, encoding="utf-8")
    reg = Registry.load(tmp_path)
    assert reg.errors == []
    assert reg.get("priced-item") is reg.get("priced_items") and "priced-item" in reg


@pytest.mark.parametrize("fields, problem", [
    ('[fields.m]\ntype = "map"\n', "field 'm': values is missing"),
    ('[fields.m]\ntype = "map"\nvalues = "thing"\n', "field 'm': unknown values 'thing'"),
    ('[fields.m]\ntype = "map"\nvalues = "string"\n[fields.m.fields.a]\ntype = "string"\n',
     "field 'm': fields are for objects"),
    ('[fields.m]\ntype = "map"\nvalues = "string"\nkey_pattern = "[A-"\n', "key_pattern '[A-' is not a valid"),
    ('[fields.o]\ntype = "object"\n', "field 'o': an object needs its fields"),
    ('[fields.o]\ntype = "object"\n[fields.o.fields.a]\ntype = "string"\nmax_lenght = 3\n',
     "field 'o.fields.a': unknown option 'max_lenght'"),
    ('[fields.o]\ntype = "object"\n[fields.o.fields.a]\ntype = "minor_units"\nmin = 1.5\n',
     "field 'o.fields.a': min must be a whole number"),
    ('[fields.l]\ntype = "list"\nitems = "string"\nmin_items = 3\nmax_items = 1\n',
     "min_items (3) is greater than max_items (1)"),
])
def test_mistakes_in_shaped_fields_are_reported_at_load_time(fields, problem):
    with pytest.raises(SchemaError) as info:
        load_text('[resource]\nname = "t"\nkey = ["k"]\n[fields.k]\ntype = "string"\n' + fields, "t.toml")
    assert problem in str(info.value)


def test_a_shaped_field_cannot_be_the_key():
    with pytest.raises(SchemaError, match="key field 'k' cannot be of type map"):
        load_text('[resource]\nname = "t"\nkey = ["k"]\n[fields.k]\ntype = "map"\nvalues = "string"\n', "t.toml")


def test_bad_wire_name_is_reported():
    with pytest.raises(SchemaError, match="wire_name must be"):
        load_text('[resource]\nname = "t"\nwire_name = "a b"\nkey = ["k"]\n[fields.k]\ntype = "string"\n', "t.toml")


def test_source_paths_are_checked_at_load_time():
    head = '[resource]\nname = "t"\nkey = ["k"]\n[fields.k]\ntype = "string"\n'
    rt = load_text(head + '[fields.ref]\ntype = "string"\nsource = "data.pricebook_external_ref"\n', "t.toml")
    assert rt.sourced_fields == (("ref", ("data", "pricebook_external_ref")),)
    with pytest.raises(SchemaError, match="source must be a dotted path"):
        load_text(head + '[fields.ref]\ntype = "string"\nsource = "data..x"\n', "t.toml")
    with pytest.raises(SchemaError, match="source is for a record's own fields"):
        load_text(head + '[fields.o]\ntype = "object"\n[fields.o.fields.a]\ntype = "string"\nsource = "x"\n', "t.toml")
