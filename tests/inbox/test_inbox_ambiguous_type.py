"""A dropped file whose columns fit several types equally: the inbox does not guess; the reason
names the candidate types and the ways to choose, and following that advice imports it."""

from __future__ import annotations

from importdesk.engine import Engine
from importdesk.inbox.events import InboxEventKind as Kind
from importdesk.models import JobStatus

from inbox_helpers import RECORDED

PEOPLE = "name,email\nAda,ada@example.com\n"
CANDIDATES = ("subscription_subscriber", "pricebook", "commercelayer_customers")  # all take name + email


def test_an_ambiguous_file_names_its_candidates_and_how_to_choose(ws, engine, watcher_factory, events):
    (ws.inbox / "people.csv").write_text(PEOPLE)
    watcher_factory()
    job = engine.get_job(events.wait_for(Kind.REJECTED)[0].job_uid)
    message = job.error_message
    assert job.status is JobStatus.ERROR and job.provider_data.kept_path.startswith("failed/")
    assert "people.csv: cannot tell the resource type: its columns fit several types about as well: " in message
    assert all(name in message for name in CANDIDATES)
    first = message.split("well: ", 1)[1].split(",", 1)[0]
    assert first in CANDIDATES
    assert f"inbox/{first}/people.csv" in message
    assert f"{first}-people.csv" in message
    assert f'people.csv.toml holding type = "{first}"' in message
    assert f"importdesk run people.csv --type {first}" in message

    # the advice works: the same bytes in the folder of the type the user means
    (ws.inbox / "commercelayer_customers").mkdir()
    (ws.inbox / "commercelayer_customers" / "people.csv").write_text(PEOPLE)
    chosen = engine.get_job(events.wait_for(*RECORDED, count=2)[1].job_uid)
    assert (chosen.status, chosen.resource_type) == (JobStatus.PENDING, "commercelayer_customers")


def test_a_name_that_starts_with_two_types_names_both(ws, watcher_factory, events):
    for name in ("widgets", "widgetes"):  # "widget" is the singular of both
        (ws.root / "schemas" / f"{name}.toml").write_text(
            f'[resource]\nname = "{name}"\nkey = ["code"]\n\n[fields.code]\ntype = "string"\nrequired = true\n')
    engine = Engine(ws)  # loads the workspace's types
    try:
        (ws.inbox / "widget.csv").write_text("colour\nred\n")
        watcher_factory(eng=engine)
        message = engine.get_job(events.wait_for(Kind.REJECTED)[0].job_uid).error_message
    finally:
        engine.close()
    listed = message.split("several types: ", 1)[1].split(". ", 1)[0].split(", ")
    assert "its name starts with the names of several types: " in message and sorted(listed) == ["widgetes", "widgets"]
    assert f"inbox/{listed[0]}/widget.csv" in message and f"--type {listed[0]}" in message
