"""The demo: the sample files shipped inside the package, queued as jobs on a workspace."""

from __future__ import annotations

import shutil
from pathlib import Path

from importdesk.engine import Engine, ImportOptions
from importdesk.models import ImportJob, JobType
from importdesk.workspace import Workspace

# Written by scripts/make_sample_data.py; package data, so every installation has them.
SAMPLES = Path(__file__).resolve().parent / "sample_data"

# (file, options) queued by the demo, in the order they run
DEMO_JOBS: tuple[tuple[str, ImportOptions], ...] = (
    ("products.csv", ImportOptions(resource_type="products", reference="demo")),
    ("products_with_errors.csv", ImportOptions(resource_type="products", skip_errors=True, reference="demo")),
    ("preise_de.csv", ImportOptions(resource_type="prices", locale="de", reference="demo")),
    ("customers.xlsx", ImportOptions(resource_type="customers", reference="demo")),
    ("subscriptions.jsonl", ImportOptions(reference="demo")),
    ("wines.csv", ImportOptions(resource_type="wines", job_type=JobType.VALIDATE, reference="demo")),
)


def open_demo(ws: Workspace, **engine_options) -> tuple[Engine, list[ImportJob]]:
    """The workspace's engine, with the sample files queued — unless it already has jobs.

    A workspace with jobs (a demo opened again with --workspace, or someone's real one) is left as
    it is: queueing the samples a second time would only add copies of the same jobs.
    """
    engine = Engine(ws, **engine_options)
    if engine.count_jobs():
        return engine, []
    engine.close()
    for schema in sorted((SAMPLES / "schemas").glob("*.toml")):  # the user-defined type wines.csv needs
        if not (ws.schemas / schema.name).exists():
            shutil.copy2(schema, ws.schemas / schema.name)
    engine = Engine(ws, **engine_options)
    return engine, [engine.create_job(SAMPLES / name, options) for name, options in DEMO_JOBS]
