"""JSON records of one shape take the positional path (engine/record_rows.py), committed by the
batch writer from WRITER_MIN_ROWS on: the same records (byte for byte, types included), items,
warnings and counts as the dict path gives for the same file."""

from __future__ import annotations

import json
import random
import re
import sqlite3
from decimal import Decimal

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.engine.record_rows import RecordRows
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

from support import FixedClock, counting_uids

PRICE_TYPE = '''
[resource]
name = "item_price"
wire_name = "item-price"
key = ["pricebook_external_ref", "sku"]

[fields.pricebook_external_ref]
type = "string"
source = "data.pricebook_external_ref"

[fields.sku]
type = "string"

[fields.currencies]
type = "map"
key_pattern = '^[A-Z]{3}$'
values = "object"
[fields.currencies.fields.amount]
type = "minor_units"
required = true
[fields.currencies.fields.includes_tax]
type = "boolean"
[fields.currencies.fields.tiers]
type = "map"
values = "object"
[fields.currencies.fields.tiers.fields.minimum_quantity]
type = "integer"
min = 1
required = true
[fields.currencies.fields.tiers.fields.amount]
type = "minor_units"
required = true
'''


def _product(i: int, rnd: random.Random) -> dict:
    row = {"sku": f"SKU-{i:07d}", "name": f"Product {i}", "description": "", "category": "tools",
           "price": rnd.choice(["12.50", Decimal("12.50"), 7, Decimal("12345678901234567.89"), "1E+2", 0]),
           "currency": rnd.choice(["EUR", "USD", None]), "weight_kg": rnd.choice([Decimal("0.5"), 2, None]),
           "active": rnd.choice([True, False, "yes", None]), "ean": rnd.choice(["12345678", None]),
           "launched_on": rnd.choice(["2025-01-05", "2024-02-29", None]),
           "attributes": rnd.choice([{"color": "red", "w": Decimal("1.10")}, [1, 2], None, {"é": "ü"}])}
    roll = rnd.random()
    if roll < 0.06:  # a bad value, of one kind or another
        field, value = rnd.choice([("price", -1), ("price", "abc"), ("sku", "bad sku"), ("name", ""),
                                   ("currency", "euro"), ("launched_on", "2023-02-29"), ("weight_kg", -2)])
        row[field] = value
    return row


def _json_line(value) -> str:
    """JSON with Decimals written as numbers, digits as they are."""
    text = json.dumps(value, ensure_ascii=False, default=lambda d: f"\ue000{d}\ue000")
    return re.sub('"\ue000([^\ue000]*)\ue000"', r"\1", text)


def _products_file(path, rows: int, *, odd_shapes: bool) -> None:
    rnd = random.Random(rows)
    lines = []
    for i in range(rows):
        row = _product(i, rnd)
        if odd_shapes and i in (50, 51):  # a batch with an undeclared attribute goes the dict path
            row["internal_note"] = "x"
        if odd_shapes and i == 130:
            lines.append('{"sku": "broken",')
            continue
        if odd_shapes and i == 300:  # keys in another order (another validator)
            row = dict(reversed(row.items()))
        if odd_shapes and i == 450:
            del row["description"]
        lines.append(_json_line(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _prices_file(path, rows: int) -> None:
    rnd = random.Random(rows)
    lines = []
    for i in range(rows):
        amount = rnd.randint(100, 999_999)
        currencies = {cur: {"amount": amount, "includes_tax": cur == "EUR",
                            "tiers": {"min_5": {"minimum_quantity": 5, "amount": amount * 9 // 10}}}
                      for cur in ("USD", "EUR")}
        if i % 41 == 7:
            currencies["usd"] = {"amount": 1}
        if i % 43 == 9:
            currencies["USD"]["tiers"]["min_5"]["minimum_quantity"] = 0
        if i % 47 == 11:
            currencies["EUR"]["amount"] = -5
        data = {"type": "item-price", "pricebook_external_ref": "retail",
                "attributes": {"sku": f"SKU-{i:08d}", "currencies": currencies}}
        lines.append(json.dumps({"data": data}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _tables(db_path) -> dict:
    """Every records table's rows, but their batch's time (batches of lines the batch writer
    decodes are smaller: they end at other rows; engine/json_line_rows.py)."""
    with sqlite3.connect(db_path) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'records_%'")]
        out = {}
        for name in sorted(names):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")
                       if r[1] not in ("_created_at", "_updated_at")]
            assert conn.execute(f"SELECT count(*) FROM {name} WHERE _created_at IS NULL").fetchone()[0] == 0
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {name} ORDER BY _key").fetchall()
            out[name] = (rows, [[type(v) for v in r] for r in rows])
        return out


def _outcomes(tmp_path, monkeypatch, path, modes, schema: str | None = None, **options):
    """Per mode ("writer": record rows committed by the BatchWriter, "positional": in this
    process, "dict": the dict path), the job's results after importing ``path``."""
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 64)
    results = []
    shaped = {}
    for mode in modes:
        calls = shaped[mode] = []
        with monkeypatch.context() as m:
            m.setattr("importdesk.engine.pipeline.WRITER_MIN_ROWS", 0 if mode == "writer" else 10**9)
            # few batches held while the writer counts, so that this small file's later batches go to it raw
            m.setattr("importdesk.engine.pipeline.HELD_BATCHES", 2)
            if mode == "dict":
                m.setattr(RecordRows, "for_job", staticmethod(lambda mapper, refs: None))
            else:
                real_shape = RecordRows.shape

                def counted(self, records, calls=calls, real_shape=real_shape):
                    out = real_shape(self, records)
                    calls.append(out is not None)
                    return out

                m.setattr(RecordRows, "shape", counted)
            root = tmp_path / f"ws-{mode}"
            if schema is not None:
                (root / "schemas").mkdir(parents=True)
                (root / "schemas" / "item_price.toml").write_text(schema, encoding="utf-8")
            ws = Workspace.open(root)
            eng = Engine(ws, clock=FixedClock(), uid_factory=counting_uids())
            try:
                job = eng.run_job(eng.create_job(path, ImportOptions(skip_errors=True, **options)).uid)
                p = job.progress
                assert p.total == p.done + p.error + p.pending
                items = sorted((i.row_number or 0, i.field or "", i.value or "", i.code, i.message, str(i.raw_row))
                               for i in eng.list_items(job.uid, limit=100_000))
                results.append(((job.status, job.progress, job.summary, job.type_counts, job.processed_count,
                                 job.errors_count, job.warnings_count, job.metadata.data_row_index, items),
                                _tables(ws.db_path)))
            finally:
                eng.close()
    return results, shaped


@pytest.mark.parametrize("odd_shapes", [False, True])
def test_record_rows_store_what_the_dict_path_stores(tmp_path, monkeypatch, odd_shapes):
    path = tmp_path / "products.jsonl"
    _products_file(path, 700, odd_shapes=odd_shapes)
    (writer, positional, by_dict), shaped = _outcomes(tmp_path, monkeypatch, path, ["writer", "positional", "dict"],
                                                      resource_type="products")
    assert writer == positional == by_dict
    outcome, tables = writer
    assert outcome[0] is JobStatus.DONE and outcome[1].error > 0 and tables["records_products"][0]
    # the batches took the positional path (but those with an odd record)
    assert all(shaped["writer"]) if not odd_shapes else 0 < sum(shaped["writer"]) < len(shaped["writer"])
    # a decimal written as a JSON number stays exact (price is the records table's sixth column)
    assert any(r[5] == "12345678901234567.89" for r in tables["records_products"][0])


def test_nested_envelopes_store_what_the_dict_path_stores(tmp_path, monkeypatch):
    """Elastic Path envelopes of a mixed file: a field read from beside the attributes, a map of
    objects checked to the leaf; bad leaves reported with their path, as the dict path does."""
    path = tmp_path / "prices.jsonl"
    _prices_file(path, 500)
    (writer, positional, by_dict), shaped = _outcomes(tmp_path, monkeypatch, path, ["writer", "positional", "dict"],
                                                      schema=PRICE_TYPE)
    assert writer == positional == by_dict
    assert all(shaped["writer"]) and shaped["writer"]
    items = writer[0][8]
    assert {(row, field) for row, field, *_ in items} >= {
        (8, "currencies.usd"), (10, "currencies.USD.tiers.min_5.minimum_quantity"), (12, "currencies.EUR.amount")}
    assert writer[1]["records_item_price"][0][0][1:3] == ("retail", "SKU-00000000")


def _raw_replies(monkeypatch) -> list:
    """The writer's replies to the batches handed to it as JSON lines, in order."""
    from importdesk.store.batch_writer import BatchWriter

    kinds: list[bool] = []  # per request in flight: did it carry lines to decode?
    replies: list = []
    submit, result = BatchWriter.submit, BatchWriter.result

    def spy_submit(self, steps):
        submit(self, steps)
        kinds.append(any(s[0] == "rows" and s[2] and isinstance(s[2][0], tuple) for s in steps))

    def spy_result(self):
        reply = result(self)
        if kinds.pop(0):
            replies.append(reply)
        return reply

    monkeypatch.setattr(BatchWriter, "submit", spy_submit)
    monkeypatch.setattr(BatchWriter, "result", spy_result)
    return replies


def _clean_prices(path, rows: int, extra: dict[int, str] | None = None) -> None:
    lines = []
    for i in range(rows):
        currencies = {cur: {"amount": 100 + i, "includes_tax": cur == "EUR",
                            "tiers": {"min_5": {"minimum_quantity": 5, "amount": 90 + i}}} for cur in ("USD", "EUR")}
        lines.append(json.dumps({"data": {"type": "item-price", "pricebook_external_ref": "retail",
                                          "attributes": {"sku": f"SKU-{i:08d}", "currencies": currencies}}}))
    for at, line in sorted((extra or {}).items(), reverse=True):
        lines[at:at + 1] = [line]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_json_lines_batches_are_decoded_and_validated_by_the_writer(tmp_path, monkeypatch):
    """A clean file: batches go to the writer as their lines and it commits them; what is
    stored is what the runner stores itself, byte for byte."""
    path = tmp_path / "prices.jsonl"
    _clean_prices(path, 600)
    replies = _raw_replies(monkeypatch)
    (writer, by_dict), _ = _outcomes(tmp_path, monkeypatch, path, ["writer", "dict"], schema=PRICE_TYPE)
    assert writer == by_dict
    assert writer[0][0] is JobStatus.DONE and writer[0][1].done == 600
    assert replies.count("ok") >= 3  # (others validated here meanwhile, as the loads balance)


ODD_LINES = {
    1400: '{"data": {"type": "item-price", "pricebook_external_ref": "retail", "attributes": '
          '{"sku": "SKU-00001399", "currencies": {}}}}',  # a key twice in one batch (then no more raw
    # batches: the job's rows are no longer all new)
    640: '{"data": {"type": "item-price", "pricebook_external_ref": "retail", "attributes": '
         '{"currencies": {}, "sku": "SKU-x140"}}}',  # keys in another order: another shape
    700: '{"data": {"type": "item-price", "pricebook_external_ref": "retail", "attributes": '
         '{"sku": "SKU-x200", "currencies": {"usd": {"amount": 1}}}}}',  # a bad map key
    760: '{"data": {"type": "item-price", "attributes": {"sku": "SKU-x260", "currencies": {}}}}',
    830: '{"data": {"type": "item-price", "pricebook_external_ref": "retail", "attributes": '
         '{"sku": "SKU-x330", "currencies": {"USD": {"amount": ' + "9" * 150 + '}}}}}',  # over the digit limit
    900: '{"data": {"type": "item-price", "pricebook_external_ref": "retail", "attributes": '
         '{"sku": "SKU-x400", "currencies": {"USD": {"amount": 1e3}}}}}',  # an exponent
    1450: '{"data": {"type": "item-price", "pricebook_external_ref": "retail", ',  # broken: scanned on
}


@pytest.mark.parametrize("pretty_at", [None, 1000])
def test_json_lines_the_writer_cannot_take_come_back_and_read_as_before(tmp_path, monkeypatch, pretty_at):
    """A key twice, another shape, a bad value, a number over a limit, an exponent, a broken
    line, a value over several lines (from which the reader scans): each batch that holds one
    comes back from the writer, and the job's records, items and counts are the dict path's."""
    extra = dict(ODD_LINES)
    if pretty_at is not None:
        extra[pretty_at] = json.dumps({"data": {"type": "item-price", "pricebook_external_ref": "retail",
                                                "attributes": {"sku": "SKU-pretty", "currencies": {}}}}, indent=2)
    path = tmp_path / "prices.jsonl"
    _clean_prices(path, 1500, extra)
    replies = _raw_replies(monkeypatch)
    (writer, positional, by_dict), _ = _outcomes(tmp_path, monkeypatch, path, ["writer", "positional", "dict"],
                                                 schema=PRICE_TYPE)
    assert writer == positional == by_dict
    rows_with_items = {row for row, *_ in writer[0][8]}
    assert {701, 761, 831} <= rows_with_items  # (the file's lines, 1-based)
    assert "duplicate_key" in {code for _, _, _, code, *_ in writer[0][8]}
    assert replies[0] == "ok" and "redo" in replies
