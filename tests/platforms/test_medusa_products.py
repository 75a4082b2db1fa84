"""Medusa's product CSV (v2 template): one row per variant, grouped into products by Product
Handle; both types imported from one file with their own counts, every row accounted for."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from importdesk.engine import ImportOptions
from importdesk.models import ItemLevel, JobStatus
from importdesk.schemas import EXTRA

FIXTURES = Path(__file__).parent / "fixtures"
PRODUCTS = FIXTURES / "medusa_products.csv"


def run(engine, path, **options):
    return engine.run_job(engine.create_job(path, ImportOptions(**options)).uid)


def test_products_and_variants_from_one_file(engine):
    job = run(engine, PRODUCTS, resource_type="medusa_product")
    assert job.status is JobStatus.DONE, job.error_message
    p = job.progress
    assert (p.total, p.done, p.error, p.pending) == (6, 6, 0, 0)  # 4 rows (variants) + 2 handles (products)
    assert job.type_counts.uploaded == {"medusa_product": 2, "medusa_variant": 4}
    assert job.type_counts.imported == {"medusa_product": 2, "medusa_variant": 4}
    assert engine.list_items(job.uid, level=ItemLevel.ERROR) == []
    products = {r["handle"]: r for r in engine.iter_records("medusa_product")}
    shirt = products["linen-shirt"]
    assert (shirt["title"], shirt["status"], shirt["discountable"], shirt["weight"]) == (
        "Linen Shirt", "published", True, Decimal("0.31"))
    assert shirt["images"] == ["https://cdn.example.test/linen/front.jpg", "https://cdn.example.test/linen/back.jpg"]
    assert shirt["tags"] == ["summer", "linen"]
    assert products["stoneware-mug"]["tags"] == ["kitchen"] and products["stoneware-mug"]["subtitle"] is None
    variants = {(r["product_handle"], r["title"]): r for r in engine.iter_records("medusa_variant")}
    assert len(variants) == 4  # the third shirt row comes after the mug: grouped by handle, not by place
    large = variants[("linen-shirt", "L / Sand")]
    assert large["sku"] == "LIN-L-SND" and large["allow_backorder"] is True and large["variant_rank"] == 2
    assert large["options"] == [{"name": "Size", "value": "L"}, {"name": "Colour", "value": "Sand"}]
    assert large["prices"] == {"EUR": Decimal("41.90"), "USD": Decimal("46")}  # as written: no x100 (v2)
    assert large["region_prices"] == {"Europe [EUR]": Decimal("39.5")}
    mug = variants[("stoneware-mug", "Default")]
    assert mug["options"] == [{"name": "Glaze", "value": "Sand"}] and mug["region_prices"] is None
    # a column of neither type (a v2 export's timestamp) is kept with each row's variant
    assert mug[EXTRA] == {"Product Created At": "2024-10-02T14:00:00.000Z"}
    [kept] = engine.list_items(job.uid, code="undeclared_attribute")
    assert (kept.resource_type, kept.field, kept.value) == ("medusa_variant", "Product Created At", "4")


def test_a_medusa_file_is_recognised_without_a_type(engine):
    job = run(engine, PRODUCTS, resource_type=None)
    assert (job.resource_type, job.status) == ("medusa_product", JobStatus.DONE), job.error_message
    assert job.type_counts.imported == {"medusa_product": 2, "medusa_variant": 4}


def test_a_semicolon_file_like_the_admin_template(engine, tmp_path):
    path = tmp_path / "template.csv"
    path.write_text("Product Handle;Product Title;Variant Title;Variant Sku;Variant Price EUR\n"
                    "tee;Tee;S;TEE-S;19.5\ntee;Tee;M;TEE-M;19.5\n", encoding="utf-8")
    job = run(engine, path, resource_type="medusa_product")
    assert job.status is JobStatus.DONE and job.progress.error == 0
    assert job.type_counts.imported == {"medusa_product": 1, "medusa_variant": 2}


def test_conflicting_product_fields_are_warned_naming_rows(engine, tmp_path):
    path = tmp_path / "conflict.csv"
    path.write_text("Product Handle,Product Title,Product Status,Variant Title\n"
                    "tee,Tee,draft,S\ntee,,draft,M\ntee,Tee shirt,published,L\n", encoding="utf-8")
    job = run(engine, path, resource_type="medusa_product")
    assert job.status is JobStatus.DONE and job.progress.done == 4
    conflicts = engine.list_items(job.uid, code="conflicting_group_value")
    assert sorted((c.row_number, c.field, c.value) for c in conflicts) == [
        (4, "Product Status", "published"), (4, "Product Title", "Tee shirt")]
    title = next(c for c in conflicts if c.field == "Product Title")
    assert "row 4 gives Product Title 'Tee shirt', but row 2 (the first of medusa_product tee) gave 'Tee'" \
        in title.message
    [product] = engine.iter_records("medusa_product")
    assert product["title"] == "Tee"  # the first row's, as Medusa does
    large = next(v for v in engine.iter_records("medusa_variant") if v["title"] == "L")
    assert large[EXTRA] == {"Product Title": "Tee shirt", "Product Status": "published"}  # kept, not lost
    assert job.warnings_count == len(engine.list_items(job.uid, level=ItemLevel.WARNING))


@pytest.mark.parametrize(("cells", "row", "field", "code", "words"), [
    ({"Variant Price eur": "5"}, 2, "prices.eur", "invalid_key", "column 'Variant Price eur'"),
    ({"Product Status": "live"}, 2, "status", "not_a_choice", "rejected (column 'Product Status')"),
    ({"Variant Option 1 Name": "Size"}, 2, "options[0].value", "required", "column 'Variant Option 1 Value'"),
    ({"Product Handle": ""}, 3, "product_handle", "required", "is required"),
])
def test_broken_rows_name_row_column_and_path(engine, tmp_path, cells, row, field, code, words):
    header = ["Product Handle", "Product Title", "Product Status", "Variant Title", "Variant Option 1 Name",
              "Variant Option 1 Value"]
    good = {"Product Handle": "tee", "Product Title": "Tee", "Product Status": "draft", "Variant Title": "S"}
    broken = {**good, "Variant Title": "M", **cells}
    header += [h for h in cells if h not in header]
    lines = [",".join(header)] + [",".join(r.get(h, "") for h in header) for r in (good, broken)]
    if row == 2:  # the broken values on the first row (a product field is read from it)
        lines[1], lines[2] = lines[2], lines[1]
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    job = run(engine, path, resource_type="medusa_product", skip_errors=True)
    assert job.status is JobStatus.DONE
    assert job.progress.total == job.progress.done + job.progress.error + job.progress.pending
    [err] = engine.list_items(job.uid, level=ItemLevel.ERROR)
    assert (err.row_number, err.field, err.code) == (row, field, code)
    assert words in err.message


def test_counters_are_exact_across_batches(engine, monkeypatch):
    monkeypatch.setattr("importdesk.engine.pipeline.BATCH_ROWS", 4)
    saved = []
    original = engine.ctx.jobs.save

    def save(job, conn, **kw):
        p = job.progress
        saved.append((p.total, p.done, p.error, p.pending, job.metadata.data_row_index))
        return original(job, conn, **kw)

    monkeypatch.setattr(engine.ctx.jobs, "save", save)
    job = run(engine, PRODUCTS, resource_type="medusa_product")
    assert job.status is JobStatus.DONE
    assert all(total == done + error + pending for total, done, error, pending, _i in saved)
    assert [(done, index) for _t, done, _e, _p, index in saved if index][:2] == [(4, 4), (6, 6)]


def test_a_resume_skips_records_not_rows(engine):
    from importdesk.engine.row_groups import grouped
    from importdesk.readers import open_source

    registry = engine.registry
    with open_source(PRODUCTS) as raw:
        source = grouped(raw, registry.get("medusa_product"), registry, PRODUCTS.name)
        every = [(r.number, r.type, r.values) for r in source.records()]
        assert source.count() == len(every) == 6
        assert [(n, t) for n, t, _v in every] == [
            (2, "medusa_product"), (2, "medusa_variant"), (3, "medusa_variant"),
            (4, "medusa_product"), (4, "medusa_variant"), (5, "medusa_variant")]
        for skip in range(len(every) + 1):
            assert [(r.number, r.type, r.values) for r in source.records(skip=skip)] == every[skip:]


def test_failed_rows_retry_as_their_own_types(engine, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("Product Handle,Product Title,Product Status,Variant Title,Variant Sku\n"
                    "tee,Tee,draft,S,TEE-S\ntee,Tee,draft,,TEE-M\nmug,Mug,live,One,MUG-1\n", encoding="utf-8")
    first = run(engine, path, resource_type="medusa_product", skip_errors=True)
    assert (first.progress.done, first.progress.error) == (3, 2)
    engine.edit_failed_value(first.uid, 3, "title", "M")
    engine.edit_failed_value(first.uid, 4, "status", "published")
    retry = engine.run_job(engine.retry_failed(first.uid).uid)
    assert retry.status is JobStatus.DONE and retry.progress.error == 0, engine.list_items(retry.uid)
    assert retry.type_counts.imported == {"medusa_variant": 1, "medusa_product": 1}
    assert engine.list_items(retry.uid, level=ItemLevel.WARNING) == []
    assert {r["handle"]: r["status"] for r in engine.iter_records("medusa_product")} == {
        "tee": "draft", "mug": "published"}
    assert sorted(v["title"] for v in engine.iter_records("medusa_variant")) == ["M", "One", "S"]
