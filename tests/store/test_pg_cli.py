"""The command line on a PostgreSQL store: --store (or $IMPORTDESK_STORE) picks it; two workspaces on two
"machines" see the same jobs and records."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from importdesk.cli import exit_codes as ec

from support import write_products


def _importdesk(*args: str, env_store: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "IMPORTDESK_STORE"}
    if env_store:
        env["IMPORTDESK_STORE"] = env_store
    return subprocess.run([sys.executable, "-m", "importdesk", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_two_workspaces_share_one_postgresql_store(tmp_path, pg_url):
    path = write_products(tmp_path / "p.csv", 30, bad_every=10)
    ran = _importdesk("--store", pg_url, "run", str(path), "--type", "products", "--skip-errors", "--json",
                      "-w", str(tmp_path / "machine-a"))
    assert ran.returncode == ec.ROW_ERRORS, ran.stderr  # done, 3 rows rejected
    job = json.loads(ran.stdout)
    listed = _importdesk("jobs", "--json", "-w", str(tmp_path / "machine-b"), env_store=pg_url)
    assert listed.returncode == 0, listed.stderr
    assert [j["uid"] for j in json.loads(listed.stdout)["data"]] == [job["uid"]]
    errors = _importdesk("errors", job["uid"], "--json", "-w", str(tmp_path / "machine-b"), env_store=pg_url)
    assert [e["row_number"] for e in json.loads(errors.stdout)] == [11, 21, 31]
    assert not (tmp_path / "machine-b" / "importdesk.db").exists()  # nothing went to SQLite


def test_a_store_url_of_no_known_kind_is_refused_saying_why(tmp_path):
    ran = _importdesk("--store", "mysql://x/y", "jobs", "-w", str(tmp_path / "ws"))
    assert ran.returncode == ec.USAGE and "neither postgresql://" in ran.stderr and "Traceback" not in ran.stderr


def test_the_same_content_is_refused_the_second_time_as_on_sqlite(tmp_path, pg_url):
    path = write_products(tmp_path / "p.csv", 5)
    first = _importdesk("--store", pg_url, "run", str(path), "--type", "products", "-w", str(tmp_path / "a"))
    again = _importdesk("--store", pg_url, "run", str(path), "--type", "products", "-w", str(tmp_path / "b"))
    assert first.returncode == ec.OK, first.stderr
    assert again.returncode == ec.USAGE and "the same content is already in job" in again.stderr
