"""`importdesk records`: filters, sorts, pages and formats, through the engine's records query,
and the query's safety (fields checked, values typed and bound)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from importdesk.engine import Engine, UsageError
from importdesk.engine.records_query import Condition, RecordQuery, Sort
from importdesk.workspace import Workspace

from cli_helpers import invoke

PRODUCTS = """sku,name,price,currency,active,ean,launched_on
A-1,Red Shirt,9.50,EUR,yes,,2024-01-05
A-2,Blue shirt,10,USD,no,12345678,2023-06-01
A-3,Green Hat,100.25,EUR,yes,,
B-1,"=HYPERLINK(""x"")",2,EUR,yes,,2024-02-29
"""


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "products.csv"
    path.write_text(PRODUCTS, encoding="utf-8")
    assert invoke("run", path, "--type", "products", workspace=tmp_path / "ws").code == 0
    return tmp_path / "ws"


def records(ws, *args):
    return invoke("records", "products", *args, workspace=ws)


def skus(result):
    return [r["sku"] for r in json.loads(result.out)]


def test_decimal_filters_compare_as_numbers_not_text(ws):
    assert skus(records(ws, "--where", "price>=10", "--json")) == ["A-2", "A-3"]  # "9.50" > "10" as text
    assert skus(records(ws, "--where", "price=9.5", "--json")) == ["A-1"]  # 9.50 is stored exactly as 9.5
    assert skus(records(ws, "--order", "-price", "--json")) == ["A-3", "A-2", "A-1", "B-1"]


def test_filters_combine_and_cover_text_empty_booleans_and_dates(ws):
    assert skus(records(ws, "--where", "name~SHIRT", "--where", "currency=EUR", "--json")) == ["A-1"]
    assert skus(records(ws, "--where", "ean=", "--json")) == ["A-1", "A-3", "B-1"]
    assert skus(records(ws, "--where", "ean!=", "--json")) == ["A-2"]
    assert skus(records(ws, "--where", "active=false", "--json")) == ["A-2"]
    assert skus(records(ws, "--where", "launched_on>=2024-01-01", "--order", "launched_on", "--json")) == ["A-1", "B-1"]
    assert skus(records(ws, "--where", "currency!=EUR", "--json")) == ["A-2"]


def test_paging_is_stable_and_limit_offset_apply(ws):
    assert skus(records(ws, "--order", "currency", "--limit", "2", "--json")) == ["A-1", "A-3"]
    assert skus(records(ws, "--order", "currency", "--limit", "2", "--offset", "2", "--json")) == ["B-1", "A-2"]


def test_formats(ws):
    nl = records(ws, "--nl", "--where", "sku=A-1").out.splitlines()
    assert len(nl) == 1 and json.loads(nl[0]) == {
        "sku": "A-1", "name": "Red Shirt", "description": None, "category": None, "price": "9.5",
        "currency": "EUR", "weight_kg": None, "active": True, "ean": None, "launched_on": "2024-01-05",
        "attributes": None}
    rows = list(csv.DictReader(io.StringIO(records(ws, "--csv").out)))
    assert [r["sku"] for r in rows] == ["A-1", "A-2", "A-3", "B-1"]
    assert rows[3]["name"] == "'=HYPERLINK(\"x\")"  # a spreadsheet must not run it
    table = records(ws, "--limit", "2")
    lines = table.out.splitlines()
    assert lines[0].split()[:3] == ["SKU", "NAME", "DESCRIPTION"] and len(lines) == 3
    assert "2 of 4 products records" in table.err
    assert json.loads(records(ws, "--json", "--where", "sku=nope").out) == []


@pytest.mark.parametrize("where, says", [
    ("prce>1", "has no field 'prce'; did you mean 'price'"),
    ("price>ten", "price is a decimal field: 'ten' is not a number"),
    ("launched_on<31/12/2024", "not a date like 2024-03-31"),
    ("active>yes", "compare it with = or !="),
    ("price", "write FIELD OP VALUE"),
    ("sku=x' OR '1'='1", None),  # a value, bound as it is: no record has this sku
    ("\"sku\" = 1; DROP TABLE jobs", "write FIELD OP VALUE"),
])
def test_where_is_checked_and_values_are_bound(ws, where, says):
    result = records(ws, "--where", where, "--json")
    if says is None:
        assert result.code == 0 and json.loads(result.out) == []
    else:
        assert result.code == 2 and says in result.err
    assert invoke("jobs", "--json", workspace=ws).json()["meta"]["total"] == 1  # the jobs table is still there


def test_order_is_checked(ws):
    result = records(ws, "--order", "price; DROP TABLE jobs")
    assert result.code == 2 and "write FIELD or -FIELD" in result.err
    result = records(ws, "--order", "-nope")
    assert result.code == 2 and "no field 'nope'" in result.err
    assert skus(records(ws, "--order", "currency desc, sku", "--json")) == ["A-2", "A-1", "A-3", "B-1"]


def test_unknown_type_and_an_empty_store(tmp_path):
    assert invoke("records", "nope", workspace=tmp_path).code == 2
    result = invoke("records", "prices", workspace=tmp_path)
    assert result.code == 0 and result.out == "" and "no prices records" in result.err


def test_records_query_api_for_other_faces(ws):
    """The engine's API the app's records view will use: fields, count, pages, one record by key."""
    engine = Engine(Workspace.open(ws))
    browser = engine.records
    assert [f.name for f in browser.fields("products")][:2] == ["sku", "name"]
    query = RecordQuery("products", (Condition("price", ">", Decimal("5")),), (Sort("price", descending=True),))
    assert browser.count(query) == 3
    page = browser.page(query, offset=1, limit=1)
    assert [r["sku"] for r in page.records] == ["A-2"] and page.total == 3 and page.has_more
    assert browser.get("products", "A-3")["price"] == Decimal("100.25")
    assert browser.get("products", {"sku": "zzz"}) is None
    with pytest.raises(UsageError, match=r"not one of|no field"):
        browser.count(RecordQuery("products", (Condition("colour", "=", "red"),)))


def test_fields_picks_and_orders_columns(ws):
    rows = list(csv.reader(io.StringIO(records(ws, "--fields", "price,sku", "-f", "active", "--csv",
                                               "--order", "sku").out)))
    assert rows[:2] == [["price", "sku", "active"], ["9.5", "A-1", "true"]]
    assert json.loads(records(ws, "-f", "sku", "--nl", "--limit", "1").out) == {"sku": "A-1"}
    for fmt in ("--table", "--csv", "--json", "--nl"):
        bad = records(ws, "--fields", "sku,prce", fmt)
        assert bad.code == 2 and "did you mean 'price'" in bad.err, fmt


def test_records_on_a_workspace_never_made_creates_none(tmp_path):
    result = invoke("records", "products", "--json", workspace=tmp_path / "never")
    assert result.code == 0 and json.loads(result.out) == [] and not (tmp_path / "never").exists()
