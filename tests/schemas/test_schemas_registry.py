"""Registry: built-in types, user types, broken files collected in reg.errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from importdesk.schemas import EXTRA, Registry, ResourceType, SchemaError, UnknownResourceType

BUILTIN_NAMES = {
    "products", "prices", "customers", "stock_items", "subscription_product", "subscription_plan",
    "subscription_subscriber", "subscription_offering", "subscription",
    "medusa_product", "medusa_variant", "commercelayer_skus", "commercelayer_prices",
    "commercelayer_stock_items", "commercelayer_customers", "commercelayer_addresses",
    "pricebook", "product_price",
}

GOOD_USER_TOML = """
[resource]
name = "suppliers"
title = "Suppliers"
key = ["supplier_no"]

[fields.supplier_no]
type = "string"
aliases = ["Lieferantennummer"]

[fields.name]
type = "string"
required = true

[fields.rating]
type = "integer"
min = 1
max = 5
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_none_gives_exactly_the_builtins():
    reg = Registry.load(None)
    assert set(reg.names()) == BUILTIN_NAMES
    assert reg.errors == []
    for name in reg.names():
        rt = reg.get(name)
        assert isinstance(rt, ResourceType)
        assert rt.builtin
        assert rt.name == name


def test_missing_user_folder_is_fine(tmp_path):
    reg = Registry.load(tmp_path / "does-not-exist")
    assert set(reg.names()) == BUILTIN_NAMES
    assert reg.errors == []


@pytest.mark.parametrize("name", sorted(BUILTIN_NAMES))
def test_every_builtin_loads_and_is_consistent(name):
    rt = Registry.load(None).get(name)
    assert rt.title
    assert rt.columns == tuple(rt.fields) and rt.stored_columns == (*rt.fields, EXTRA)
    assert rt.key and all(k in rt.fields for k in rt.key)
    assert all(rt.fields[k].required for k in rt.key)
    if rt.parent_field:
        assert rt.parent_field in rt.fields
    assert set(rt.sql_types().values()) <= {"TEXT", "INTEGER", "REAL"}
    for loc in ("en", "de", "fr", "en_US"):
        assert rt.validator(loc) is rt.validator(loc)


def test_builtin_shapes_match_the_spec():
    reg = Registry.load(None)
    products = reg.get("products")
    assert products.stored_columns[-1] == EXTRA  # undeclared attributes, kept
    assert products.columns == (
        "sku", "name", "description", "category", "price", "currency", "weight_kg", "active",
        "ean", "launched_on", "attributes",
    )
    assert products.key == ("sku",)
    assert products.fields["price"].type == "decimal"
    assert products.fields["currency"].default == "EUR"
    assert products.fields["active"].default is True
    prices = reg.get("prices")
    assert prices.key == ("price_list", "sku")
    assert prices.parent_field == "price_list"
    stock = reg.get("stock_items")
    assert stock.key == ("stock_location", "sku") and stock.parent_field == "stock_location"
    assert stock.fields["reserved"].default == 0
    customers = reg.get("customers")
    assert customers.key == ("email",)
    assert customers.fields["customer_group"].choices == ("retail", "wholesale", "vip")
    assert customers.fields["customer_group"].default == "retail"
    plan = reg.get("subscription_plan")
    assert plan.fields["billing_interval_type"].choices == ("day", "week", "month", "year")
    for name in ("subscription_product", "subscription_plan", "subscription_offering", "subscription"):
        rt = reg.get(name)
        assert rt.key == ("external_ref",)
        assert rt.fields["external_ref"].max_length == 2048
    assert reg.get("subscription_subscriber").key == ("account_id",)  # subscribers have no external_ref
    assert reg.get("product-price") is reg.get("product_price")
    assert reg.get("product_price").key == ("pricebook_external_ref", "sku")


def test_unknown_type_is_a_schema_error_listing_known_types():
    reg = Registry.load(None)
    with pytest.raises(SchemaError) as info:
        reg.get("widgets")
    assert isinstance(info.value, UnknownResourceType)
    msg = str(info.value)
    assert "unknown resource type 'widgets'" in msg
    assert "products" in msg and "customers" in msg


@pytest.mark.parametrize("name", sorted(BUILTIN_NAMES))
def test_the_batch_writer_registry_gives_each_builtin_as_the_whole_one_does(tmp_path, name):
    """Registry.load_for reads one built-in definition and those it names (references, the rows of a
    grouped file): the type the writer validates with is the one the runner's registry holds."""
    write(tmp_path, "suppliers.toml", GOOD_USER_TOML)
    whole = Registry.load(tmp_path)
    one = Registry.load_for(tmp_path, name)
    assert one.get(name) is whole.get(name)
    assert one.errors == [] and "suppliers" not in one
    rt = one.get(name)
    needed = {ref.split(".")[0] for ref in (f.references for f in rt.fields.values()) if ref} | {rt.rows} - {None}
    assert needed <= set(one.names()) < set(whole.names())


def test_the_batch_writer_registry_of_a_user_type_is_the_whole_one(tmp_path):
    write(tmp_path, "suppliers.toml", GOOD_USER_TOML)
    one = Registry.load_for(tmp_path, "suppliers")
    whole = Registry.load(tmp_path).get("suppliers")
    assert repr(one.get("suppliers").fields) == repr(whole.fields) and one.get("suppliers").key == whole.key
    assert set(one.names()) == BUILTIN_NAMES | {"suppliers"}


def test_user_toml_adds_a_type(tmp_path):
    write(tmp_path, "suppliers.toml", GOOD_USER_TOML)
    reg = Registry.load(tmp_path)
    assert reg.errors == []
    rt = reg.get("suppliers")
    assert not rt.builtin
    assert rt.columns == ("supplier_no", "name", "rating")
    assert rt.fields["supplier_no"].required  # key fields are implicitly required
    assert "suppliers" in reg and "products" in reg
    clean = rt.validator("de").validate({"supplier_no": " S-1 ", "name": "ACME", "rating": "5"})
    assert clean == {"supplier_no": "S-1", "name": "ACME", "rating": 5, EXTRA: None}


def test_user_toml_may_not_redefine_a_builtin(tmp_path):
    write(tmp_path, "my_products.toml", GOOD_USER_TOML.replace('"suppliers"', '"products"'))
    reg = Registry.load(tmp_path)
    assert reg.get("products").builtin  # the built-in stays
    assert len(reg.errors) == 1
    msg = str(reg.errors[0])
    assert msg.startswith("my_products.toml:")
    assert "'products'" in msg and "built-in" in msg


def test_two_user_files_defining_the_same_type(tmp_path):
    write(tmp_path, "a.toml", GOOD_USER_TOML)
    write(tmp_path, "b.toml", GOOD_USER_TOML)
    reg = Registry.load(tmp_path)
    assert reg.get("suppliers").source.endswith("a.toml")
    assert len(reg.errors) == 1 and str(reg.errors[0]).startswith("b.toml:")
    assert "a.toml" in str(reg.errors[0])


BROKEN = {
    "syntax.toml": ("[resource]\nname = \"x\"\nkey = [\"a\"\n", "invalid TOML"),
    "badtype.toml": (
        '[resource]\nname = "x1"\nkey = ["a"]\n[fields.a]\ntype = "strng"\n',
        "field 'a': unknown type 'strng'",
    ),
    "enum.toml": (
        '[resource]\nname = "x2"\nkey = ["a"]\n[fields.a]\ntype = "string"\n[fields.kind]\ntype = "enum"\n',
        "field 'kind': an enum needs choices",
    ),
    "key.toml": (
        '[resource]\nname = "x3"\nkey = ["a", "nope"]\n[fields.a]\ntype = "string"\n',
        "key names unknown field 'nope'",
    ),
}


@pytest.mark.parametrize("file_name", sorted(BROKEN))
def test_broken_user_file_is_collected_not_raised(tmp_path, file_name):
    text, expected = BROKEN[file_name]
    write(tmp_path, file_name, text)
    write(tmp_path, "suppliers.toml", GOOD_USER_TOML)
    reg = Registry.load(tmp_path)  # does not raise: the app still starts
    assert "suppliers" in reg  # good files still load
    assert set(BUILTIN_NAMES) <= set(reg.names())
    assert len(reg.errors) == 1
    err = reg.errors[0]
    assert isinstance(err, SchemaError)
    assert err.file_name == file_name
    assert str(err).startswith(f"{file_name}:")
    assert expected in str(err)


def test_syntax_error_names_the_line(tmp_path):
    write(tmp_path, "syntax.toml", '[resource]\nname = "x"\nkey "a"\n')
    (err,) = Registry.load(tmp_path).errors
    assert "line 3" in str(err)


def test_all_broken_files_at_once(tmp_path):
    for name, (text, _) in BROKEN.items():
        write(tmp_path, name, text)
    reg = Registry.load(tmp_path)
    assert sorted(e.file_name for e in reg.errors) == sorted(BROKEN)
    assert set(reg.names()) == BUILTIN_NAMES


def test_non_toml_files_are_ignored(tmp_path):
    write(tmp_path, "notes.txt", "not a schema")
    write(tmp_path, "suppliers.toml", GOOD_USER_TOML)
    reg = Registry.load(tmp_path)
    assert reg.errors == [] and "suppliers" in reg


def test_suggest_ranks_types_by_header_fit():
    reg = Registry.load(None)
    ranked = reg.suggest(["SKU code", "Name", "Unit Price", "Currency", "weight"])
    assert ranked[0][0] == "products"
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)


def test_user_path_that_is_a_file(tmp_path):
    path = write(tmp_path, "schemas", "not a folder")
    reg = Registry.load(path)
    assert set(reg.names()) == BUILTIN_NAMES
    assert len(reg.errors) == 1 and "is not a folder" in str(reg.errors[0])


def test_user_file_that_is_not_utf8(tmp_path):
    (tmp_path / "latin.toml").write_bytes(GOOD_USER_TOML.replace("Lieferantennummer", "Währung").encode("latin-1"))
    reg = Registry.load(tmp_path)
    (err,) = reg.errors
    assert str(err).startswith("latin.toml: not UTF-8")


def test_errors_are_picklable_and_readable(tmp_path):
    import pickle

    write(tmp_path, "bad.toml", BROKEN["badtype.toml"][0])
    (err,) = Registry.load(tmp_path).errors
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.problems == err.problems
