"""Records export: CSV/XLSX/JSONL of clean records, rendered to import back identically."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from importdesk.engine import Engine
from importdesk.engine.service import ImportOptions
from importdesk.exports import export_records, neutralise, unneutralise, write_records
from importdesk.exports.cells import csv_text
from importdesk.workspace import Workspace

from support import SAMPLES, FixedClock, counting_uids

ENGINES = [pytest.param("xlsxwriter", marks=pytest.mark.skipif(
    importlib.util.find_spec("xlsxwriter") is None, reason="XlsxWriter not installed")), "openpyxl"]
NUMERIC = {"decimal", "integer", "float"}


def load(engine: Engine, name: str, rtype: str) -> None:
    job = engine.run_job(engine.create_job(SAMPLES / name, ImportOptions(resource_type=rtype)).uid)
    assert job.progress.error == 0


def read_csv(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def rendered(rt, rec: dict) -> list[str]:
    """What a record's CSV line must hold: each value's text, neutralised unless numeric."""
    out = []
    for c in rt.columns:
        ftype = rt.fields[c].type
        v = rec[c]
        text = "" if v is None else csv_text(v, ftype)
        out.append(text if ftype in NUMERIC else neutralise(text))
    return out


@pytest.mark.parametrize(("sample", "rtype"), [("products.csv", "products"), ("customers.xlsx", "customers")])
def test_csv_holds_the_records_rendered(engine, tmp_path, sample, rtype):
    load(engine, sample, rtype)
    rt = engine.registry.get(rtype)
    out = tmp_path / f"{rtype}.csv"
    n = export_records(engine, rtype, out, "csv")
    rows = read_csv(out)
    records = list(engine.iter_records(rtype))
    assert n == len(records) == len(rows) - 1
    assert rows[0] == list(rt.columns)
    assert rows[1:] == [rendered(rt, r) for r in records]


def test_csv_values_parse_back_to_the_records(engine, tmp_path):
    load(engine, "products.csv", "products")
    out = tmp_path / "p.csv"
    export_records(engine, "products", out, "csv")
    rows = read_csv(out)
    header = rows[0]
    for line, rec in zip(rows[1:], engine.iter_records("products"), strict=True):
        got = dict(zip(header, line, strict=True))
        assert got["sku"] == rec["sku"]
        assert Decimal(got["price"]) == rec["price"] and got["price"] == format(rec["price"], "f")
        assert float(got["weight_kg"]) == rec["weight_kg"]
        assert got["active"] == ("true" if rec["active"] else "false")
        assert got["ean"] == (rec["ean"] or "")  # leading zeros kept
        assert dt.date.fromisoformat(got["launched_on"]) == rec["launched_on"]
        assert json.loads(got["attributes"]) == rec["attributes"]


def test_customers_phone_numbers_are_neutralised(engine, tmp_path):
    load(engine, "customers.xlsx", "customers")
    out = tmp_path / "c.csv"
    export_records(engine, "customers", out, "csv")
    rows = read_csv(out)
    phone = rows[0].index("phone")
    phones = [r[phone] for r in rows[1:] if r[phone]]
    assert phones and all(p.startswith("'+") for p in phones)
    originals = [r["phone"] for r in engine.iter_records("customers") if r["phone"]]
    assert [unneutralise(p) for p in phones] == originals
    signed = rows[0].index("signed_up_at")
    assert dt.datetime.fromisoformat(rows[1][signed]) == next(engine.iter_records("customers"))["signed_up_at"]


@pytest.mark.parametrize("sample,rtype", [("products.csv", "products"), ("customers.xlsx", "customers")])
def test_csv_round_trip_into_an_empty_workspace(engine, tmp_path, sample, rtype):
    """The re-import rule: unneutralise every cell of our export, then import as usual."""
    load(engine, sample, rtype)
    out = tmp_path / "export.csv"
    export_records(engine, rtype, out, "csv")
    fixed = tmp_path / "reimport.csv"
    with fixed.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([[unneutralise(v) for v in r] for r in read_csv(out)])
    other = Engine(Workspace.open(tmp_path / "ws2"), clock=FixedClock(), uid_factory=counting_uids("02JOB"))
    try:
        job = other.run_job(other.create_job(fixed, ImportOptions(resource_type=rtype)).uid)
        assert job.progress.error == 0
        assert list(other.iter_records(rtype)) == list(engine.iter_records(rtype))
    finally:
        other.close()


@pytest.mark.parametrize("xlsx_engine", ENGINES)
def test_xlsx_typed_cells(engine, tmp_path, xlsx_engine):
    load(engine, "products.csv", "products")
    load(engine, "customers.xlsx", "customers")
    for rtype in ("products", "customers"):
        rt = engine.registry.get(rtype)
        out = tmp_path / f"{rtype}.xlsx"
        columns = list(rt.columns)
        types = {c: rt.fields[c].type for c in columns}
        write_records(engine.iter_records(rtype), columns, out, "xlsx", types=types, xlsx_engine=xlsx_engine)
        ws = openpyxl.load_workbook(out).active
        assert [c.value for c in ws[1]] == columns and ws.freeze_panes == "A2"
        for row, rec in zip(ws.iter_rows(min_row=2), engine.iter_records(rtype), strict=True):
            for c, cell in zip(columns, row, strict=True):
                v, t = rec[c], types[c]
                if v is None:
                    assert cell.value is None
                elif t == "decimal":
                    assert cell.data_type == "s" and Decimal(cell.value) == v
                elif t in ("float", "integer"):
                    assert cell.data_type == "n" and cell.value == v
                elif t == "boolean":
                    assert cell.data_type == "b" and cell.value is v
                elif t == "date":
                    assert cell.is_date and cell.value.date() == v
                elif t == "datetime":
                    assert cell.is_date and cell.value == v
                elif t == "json":
                    assert json.loads(cell.value) == v
                else:
                    assert cell.data_type == "s" and cell.value == v  # "+49 …" as text, no apostrophe
        assert ws.max_row == engine.record_count(rtype) + 1


def test_jsonl_native_values(engine, tmp_path):
    load(engine, "products.csv", "products")
    out = tmp_path / "p.jsonl"
    export_records(engine, "products", out, "jsonl")
    lines = out.read_text(encoding="utf-8").splitlines()
    records = list(engine.iter_records("products"))
    assert len(lines) == len(records)
    for line, rec in zip(lines, records, strict=True):
        obj = json.loads(line, parse_float=Decimal)
        assert list(obj) == [c for c in rec if c != "_extra"]  # no undeclared attributes here
        assert obj["price"] == rec["price"]  # an exact number
        assert float(obj["weight_kg"]) == rec["weight_kg"] and obj["active"] is rec["active"]
        assert obj["launched_on"] == rec["launched_on"].isoformat()
        assert obj["attributes"] == rec["attributes"]


def test_rendering_edge_cases(tmp_path):
    columns = ["s", "d", "i", "f", "b", "dt", "j", "n"]
    types = {"s": "string", "d": "decimal", "i": "integer", "f": "float", "b": "boolean", "dt": "datetime",
             "j": "json", "n": "string"}
    aware = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    rows = [
        {"s": "-x", "d": Decimal("-5.50"), "i": -3, "f": -0.1, "b": False, "dt": aware, "j": "abc", "n": None},
        {"s": "=A1", "d": Decimal("1E+2"), "i": 2**60, "f": 1e-05, "b": True, "dt": None, "j": -5, "n": "ok"},
        {"s": "@x", "d": Decimal("0.0000001"), "i": 0, "f": 2.5, "b": None, "dt": None, "j": {"a": Decimal("1.10")}},
    ]
    out = tmp_path / "r.csv"
    assert write_records(rows, columns, out, "csv", types=types) == 3
    assert read_csv(out)[1:] == [
        ["'-x", "-5.50", "-3", "-0.1", "false", "2026-01-02T03:04:05+01:00", '"abc"', ""],
        ["'=A1", "100", str(2**60), "1e-05", "true", "", "'-5", "ok"],
        ["'@x", "0.0000001", "0", "2.5", "", "", '{"a":"1.10"}', ""],
    ]
    # without types: numbers are recognised by their Python type
    write_records(rows, columns, out, "csv")
    assert read_csv(out)[1][:4] == ["'-x", "-5.50", "-3", "-0.1"]

    out = tmp_path / "r.xlsx"
    write_records(rows, columns, out, "xlsx", types=types)
    ws = openpyxl.load_workbook(out).active
    assert [c.value for c in ws[2]] == ["-x", "-5.50", -3, -0.1, False, "2026-01-02T03:04:05+01:00", '"abc"', None]
    assert [c.value for c in ws[3]][:3] == ["=A1", "100", str(2**60)]  # past 2**53: text, exact
    assert ws["A3"].data_type == "s"

    out = tmp_path / "r.jsonl"
    write_records(rows, columns, out, "jsonl", types=types)
    objs = [json.loads(line, parse_float=Decimal) for line in out.read_text().splitlines()]  # numbers exact
    assert objs[0] == {"s": "-x", "d": Decimal("-5.50"), "i": -3, "f": Decimal("-0.1"), "b": False,
                       "dt": "2026-01-02T03:04:05+01:00", "j": "abc", "n": None}
    assert objs[2]["j"] == {"a": Decimal("1.10")} and objs[1]["i"] == 2**60


def test_progress_every_n_rows_and_at_the_end(tmp_path):
    calls = []
    rows = ({"a": i} for i in range(250))
    assert write_records(rows, ["a"], tmp_path / "a.jsonl", "jsonl", progress=calls.append, every=100) == 250
    assert calls == [100, 200, 250]
    calls.clear()
    write_records(({"a": i} for i in range(200)), ["a"], tmp_path / "a.csv", "csv", progress=calls.append, every=100)
    assert calls == [100, 200]


def test_failed_export_leaves_no_file(tmp_path):
    def rows():
        yield {"a": 1}
        raise RuntimeError("boom")

    out = tmp_path / "a.csv"
    with pytest.raises(RuntimeError, match=r"^boom$"):
        write_records(rows(), ["a"], out, "csv")
    assert not out.exists() and not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match="unknown export format"):
        write_records([], ["a"], tmp_path / "a.txt", "txt")
