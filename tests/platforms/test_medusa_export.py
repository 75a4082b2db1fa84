"""Products and variants back out in Medusa's product CSV: import -> export -> import gives
identical records, in the v2 template's headers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from importdesk.engine import Engine, ImportOptions
from importdesk.engine.platform_exports import PlatformExportError, export_platform
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"
TYPES = ("medusa_product", "medusa_variant")


def run(engine, path, **options):
    return engine.run_job(engine.create_job(path, ImportOptions(**options)).uid)


def snapshot(engine):
    return {t: sorted(engine.iter_records(t), key=repr) for t in TYPES}


def round_trip(engine, tmp_path):
    out = tmp_path / "medusa-export.csv"
    written = export_platform(engine, "medusa_product", out, "medusa_csv")
    fresh = Engine(Workspace.open(tmp_path / "fresh"))
    try:
        job = run(fresh, out, resource_type="medusa_product")
        assert job.status is JobStatus.DONE and job.progress.error == 0, fresh.list_items(job.uid)[:3]
        return out, written, snapshot(fresh), job
    finally:
        fresh.close()


def test_import_export_import_gives_identical_records(engine, tmp_path):
    run(engine, FIXTURES / "medusa_products.csv", resource_type="medusa_product")
    out, written, again, job = round_trip(engine, tmp_path)
    assert written == 4
    assert again == snapshot(engine)
    assert job.type_counts.imported == {"medusa_product": 2, "medusa_variant": 4}
    with out.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:3] == ["Product Handle", "Product Id", "Product Title"]
    for column in ("Variant Sku", "Variant Price EUR", "Variant Price Europe [EUR]", "Variant Option 2 Value",
                   "Product Image 2", "Product Tag 1", "Product Created At"):
        assert column in header
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    large = next(r for r in rows if r["Variant Title"] == "L / Sand")
    assert (large["Product Title"], large["Variant Allow Backorder"], large["Variant Price EUR"]) == (
        "Linen Shirt", "TRUE", "41.90")


def test_a_conflicting_value_comes_back_on_its_row(engine, tmp_path):
    path = tmp_path / "conflict.csv"
    path.write_text("Product Handle,Product Title,Variant Title\ntee,Tee,S\ntee,Tee shirt,L\n", encoding="utf-8")
    run(engine, path, resource_type="medusa_product")
    out, _written, again, _job = round_trip(engine, tmp_path)
    assert again == snapshot(engine)
    assert [r["Product Title"] for r in csv.DictReader(out.open(encoding="utf-8"))] == ["Tee", "Tee shirt"]


def test_a_product_without_variants_is_refused(engine, tmp_path):
    (engine.workspace.root / "p.json").write_text('[{"handle": "lonely", "title": "Lonely"}]', encoding="utf-8")
    run(engine, engine.workspace.root / "p.json", resource_type="medusa_product")
    with pytest.raises(PlatformExportError, match="'lonely' has no variants"):
        export_platform(engine, "medusa_product", tmp_path / "x.csv", "medusa_csv")
    assert not (tmp_path / "x.csv").exists()
