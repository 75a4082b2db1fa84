"""Records back out as Commerce Layer ``inputs`` (JSON array or CSV): import -> export -> import
gives identical records, with nothing declared or undeclared lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.engine.platform_exports import PlatformExportError, export_platform
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"
PARENTS = {"prices": "PlEuro0001", "stock_items": "SlMilan001"}
KINDS = ("skus", "prices", "stock_items", "customers", "addresses")


def run(engine, path, rtype, **options):
    return engine.run_job(engine.create_job(path, ImportOptions(resource_type=rtype, **options)).uid)


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("kind", KINDS)
def test_import_export_import_gives_identical_records(engine, tmp_path, kind, fmt):
    rtype = f"commercelayer_{kind}"
    run(engine, FIXTURES / f"cl_{kind}.{fmt}", rtype, parent_resource_id=PARENTS.get(kind))
    out = tmp_path / f"inputs.{fmt}"
    written = export_platform(engine, rtype, out, f"commercelayer_{fmt}")
    assert written == engine.record_count(rtype)
    fresh = Engine(Workspace.open(tmp_path / "fresh"))
    try:  # no parent this time: every item names its own price list / stock location
        job = run(fresh, out, rtype)
        assert job.status is JobStatus.DONE and job.progress.error == 0, fresh.list_items(job.uid)[:3]
        assert list(fresh.iter_records(rtype)) == list(engine.iter_records(rtype))
    finally:
        fresh.close()


def test_json_inputs_are_flat_items_with_every_attribute(engine, tmp_path):
    run(engine, FIXTURES / "cl_skus.json", "commercelayer_skus")
    out = tmp_path / "skus.json"
    export_platform(engine, "commercelayer_skus", out, "commercelayer_json")
    items = {i["code"]: i for i in json.loads(out.read_text(encoding="utf-8"))}
    source = {i["code"]: i for i in json.loads((FIXTURES / "cl_skus.json").read_text(encoding="utf-8"))}
    assert items == source  # declared or not, every attribute as the file had it; empty ones left out


def test_csv_refuses_a_price_with_two_tiers(engine, tmp_path):
    run(engine, FIXTURES / "cl_prices.json", "commercelayer_prices", parent_resource_id="PlEuro0001")
    with pytest.raises(PlatformExportError, match=r"price_tiers has 2 items.*export the inputs as JSON"):
        export_platform(engine, "commercelayer_prices", tmp_path / "p.csv", "commercelayer_csv")
    assert not (tmp_path / "p.csv").exists()
