"""CSV column families (``Variant Price EUR``, ``Variant Option 2 Value``) gathered into a map or
list field, and table columns that fill no field kept with each record in ``_extra``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.models import ItemLevel, JobStatus
from importdesk.schemas import EXTRA, SchemaError, load_text

from support import FixedClock, counting_uids

OFFER_TYPE = """
[resource]
name = "offer"
key = ["code"]

[fields.code]
type = "string"

[fields.prices]
type = "map"
values = "decimal"
key_pattern = '^[A-Z]{3}$'
key_message = "must be a 3-letter ISO currency code in capitals"
columns = "Price {key}"

[fields.options]
type = "list"
items = "object"
columns = "Option {n} {field}"
[fields.options.fields.name]
type = "string"
required = true
[fields.options.fields.value]
type = "string"
required = true

[fields.images]
type = "list"
items = "url"
columns = "Image {n}"
"""


@pytest.fixture
def engine(workspace):
    (workspace.schemas / "offer.toml").write_text(OFFER_TYPE, encoding="utf-8")
    eng = Engine(workspace, clock=FixedClock(), uid_factory=counting_uids())
    yield eng
    eng.close()


def run(engine, path, **options):
    return engine.run_job(engine.create_job(path, ImportOptions(**options)).uid)


def write(tmp_path, text, name="offers.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_families_gather_columns_into_a_map_and_lists(engine, tmp_path):
    path = write(tmp_path, (
        "code,Price EUR,price_USD,Option 2 Name,Option 2 Value,Option 1 Name,Option 1 Value,Image 2,Image 1\n"
        "A,19.50,21,Colour,Red,Size,S,https://x.test/2.png,https://x.test/1.png\n"
        "B,5,,Size,M,,,,\n"))
    job = run(engine, path, resource_type="offer")
    assert job.status is JobStatus.DONE and job.progress.error == 0 and job.progress.done == 2
    records = {r["code"]: r for r in engine.iter_records("offer")}
    a = records["A"]
    assert a["prices"] == {"EUR": Decimal("19.50"), "USD": Decimal("21")}  # headers ignore case and _
    assert a["options"] == [{"name": "Size", "value": "S"}, {"name": "Colour", "value": "Red"}]
    assert a["images"] == ["https://x.test/1.png", "https://x.test/2.png"]
    b = records["B"]
    assert b["prices"] == {"EUR": Decimal("5")}  # an empty cell is no entry
    assert b["options"] == [{"name": "Size", "value": "M"}] and b["images"] is None
    assert engine.list_items(job.uid, code="unknown_column") == []


def test_a_bad_key_names_row_column_and_path(engine, tmp_path):
    path = write(tmp_path, "code,Price EUR,Price Eu\nA,1,2\nB,3,\n")
    job = run(engine, path, resource_type="offer", skip_errors=True)
    assert job.progress.done == 1 and job.progress.error == 1
    [err] = engine.list_items(job.uid, level=ItemLevel.ERROR)
    assert (err.row_number, err.field, err.code) == (2, "prices.Eu", "invalid_key")
    assert "column 'Price Eu'" in err.message


def test_a_bad_item_names_its_column(engine, tmp_path):
    path = write(tmp_path, "code,Option 1 Name,Option 1 Value,Option 2 Name,Option 2 Value,Image 1\n"
                           "A,Size,S,Colour,,https://x.test/1.png\nB,,,,,ftp://x\n")
    job = run(engine, path, resource_type="offer", skip_errors=True)
    errors = sorted((e.row_number, e.field, e.message) for e in engine.list_items(job.uid, level=ItemLevel.ERROR))
    assert errors[0][:2] == (2, "options[1].value") and "column 'Option 2 Value'" in errors[0][2]
    assert errors[1][:2] == (3, "images[0]") and "column 'Image 1'" in errors[1][2]


def test_unknown_columns_are_kept_in_extra_and_warned_once(engine, tmp_path):
    path = write(tmp_path, "code,Price EUR,Internal note,price eur\nA,1,call back,9\nB,2,,\n")
    job = run(engine, path, resource_type="offer")
    assert job.status is JobStatus.DONE and job.progress.done == 2
    records = {r["code"]: r for r in engine.iter_records("offer")}
    assert records["A"][EXTRA] == {"Internal note": "call back", "price eur": "9"}
    assert records["A"]["prices"] == {"EUR": Decimal("1")}  # the first column of a slot fills it
    assert records["B"][EXTRA] is None  # empty cells: nothing to keep
    [warning] = engine.list_items(job.uid, code="unknown_column")
    assert warning.value == "Internal note" and warning.message.endswith("is not a field of offer: kept in _extra")
    [duplicate] = engine.list_items(job.uid, code="duplicate_column")
    assert duplicate.value == "price eur" and duplicate.message.endswith("already fills: kept in _extra")


def test_products_keep_an_unknown_column(workspace, tmp_path):
    engine = Engine(workspace, clock=FixedClock(), uid_factory=counting_uids())
    try:
        path = write(tmp_path, "sku,name,price,shelf\nS1,Tea,2.5,B4\n", "products.csv")
        job = run(engine, path, resource_type="products")
        assert job.status is JobStatus.DONE
        [record] = engine.iter_records("products")
        assert record[EXTRA] == {"shelf": "B4"}
    finally:
        engine.close()


@pytest.mark.parametrize(("columns", "problem"), [
    ('"Price"', "a map's template needs {key}"),
    ('"Price {n}"', "{n} is for lists"),
    ('"Price {key} {colour}"', "unknown placeholder {colour}"),
    ('"{key}"', "needs some fixed text"),
    ("3", "must be a header template"),
])
def test_template_mistakes_are_reported_at_load_time(columns, problem):
    text = OFFER_TYPE.replace('columns = "Price {key}"', f"columns = {columns}")
    with pytest.raises(SchemaError) as caught:
        load_text(text, "offer.toml")
    assert problem in str(caught.value) and "field 'prices': columns" in str(caught.value)


def test_list_templates_are_checked_against_their_items():
    text = OFFER_TYPE.replace('columns = "Option {n} {field}"', 'columns = "Option {n}"').replace(
        'columns = "Image {n}"', 'columns = "Image {field}"')
    with pytest.raises(SchemaError) as caught:
        load_text(text, "offer.toml")
    assert "field 'options': columns: the values are objects: the template needs {field}" in str(caught.value)
    assert "field 'images': columns: {field} is for values that are objects" in str(caught.value)
