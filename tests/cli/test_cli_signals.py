"""Ctrl-C on a command that runs a job: the job stops after the batch in flight and resumes from there."""

from __future__ import annotations

import signal
import subprocess
import sys

from importdesk.cli import exit_codes
from importdesk.engine import Engine
from importdesk.engine.pipeline import BATCH_ROWS
from importdesk.models import JobStatus
from importdesk.workspace import Workspace

from support import write_products
from waiting import WAIT_LIMIT, held_after_batch


def test_ctrl_c_on_run_stops_after_the_batch_in_flight_and_the_job_resumes(tmp_path):
    ws_dir = tmp_path / "ws"
    rows = 3 * BATCH_ROWS
    source = write_products(tmp_path / "big.csv", rows)
    with held_after_batch(1) as held:
        proc = subprocess.Popen([sys.executable, "-m", "importdesk", "--workspace", str(ws_dir), "run",
                                 str(source), "--type", "products"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            uid, checkpoint = held.reached()
            proc.send_signal(signal.SIGINT)  # held: the job sees the request at this batch boundary
            _out, err = proc.communicate(timeout=WAIT_LIMIT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    assert proc.returncode == exit_codes.SIGINT, err
    assert "stopping after the batch in flight; its job stays resumable (Ctrl-C again to stop now)" in err
    assert f"to continue: importdesk resume {uid}" in err
    engine = Engine(Workspace.open(ws_dir))
    try:
        job = engine.get_job(uid)
        assert job.status is JobStatus.INTERRUPTED
        assert job.metadata.data_row_index == checkpoint == BATCH_ROWS == engine.record_count("products")
        engine.resume(uid)
        assert engine.run_job(uid).progress.done == rows == engine.record_count("products")
    finally:
        engine.close()
