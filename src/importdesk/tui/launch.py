"""Entry points the command line calls: the app on a workspace, or on a fresh demo workspace."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from importdesk.engine import Engine, ImportOptions
from importdesk.models import JobType
from importdesk.workspace import Workspace

# (file, options) queued by the demo, in the order they run
DEMO_JOBS: tuple[tuple[str, ImportOptions], ...] = (
    ("products.csv", ImportOptions(resource_type="products", reference="demo")),
    ("products_with_errors.csv", ImportOptions(resource_type="products", skip_errors=True, reference="demo")),
    ("preise_de.csv", ImportOptions(resource_type="prices", locale="de", reference="demo")),
    ("customers.xlsx", ImportOptions(resource_type="customers", reference="demo")),
    ("subscriptions.jsonl", ImportOptions(reference="demo")),
    ("wines.csv", ImportOptions(resource_type="wines", job_type=JobType.VALIDATE, reference="demo")),
)


def sample_data_dir() -> Path | None:
    """The repository's sample_data (an editable install); None when it is not there."""
    candidate = Path(__file__).resolve().parents[3] / "sample_data"
    return candidate if candidate.is_dir() else None


def launch(workspace: str | None, watch: bool) -> int:
    engine = Engine(Workspace.open(workspace))
    engine.recover_stale()
    return _run(engine, watch)


def launch_demo() -> int:
    samples = sample_data_dir()
    if samples is None:
        print("importdesk demo: the sample data ships with the source repository only "
              "(sample_data/ next to src/); clone it and install with `pip install -e .`", file=sys.stderr)
        return 2
    ws = Workspace.open(tempfile.mkdtemp(prefix="importdesk-demo-"))
    queue_demo(ws, samples)
    print(f"demo workspace: {ws.root}", file=sys.stderr)
    return _run(Engine(ws), watch=False)


def queue_demo(ws: Workspace, samples: Path) -> Engine:
    for schema in sorted((samples / "schemas").glob("*.toml")):
        shutil.copy2(schema, ws.schemas / schema.name)
    engine = Engine(ws)
    for name, options in DEMO_JOBS:
        engine.create_job(samples / name, options)
    return engine


def _run(engine: Engine, watch: bool) -> int:
    from importdesk.tui.app import make_app

    app = make_app(engine, watch_inbox=watch)
    result = app.run()
    return result if isinstance(result, int) else 0
