"""Crashes at every step leave each file in the inbox or claimed by exactly one job; restarts reconcile."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from importdesk.engine import inbox_claim as claims
from importdesk.engine.pipeline import BATCH_ROWS
from importdesk.inbox import InboxEventKind as Kind
from importdesk.models import JobStatus
from importdesk.store.files import sha256_of

from inbox_helpers import RECORDED, all_jobs, inbox_files, product_csv, wait_until
from waiting import held_after_batch, wait_for_scans

ROOT = Path(__file__).resolve().parents[2]


def _dead_owner() -> str:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}:deadbeef"


def test_crash_between_final_commit_and_move_is_reconciled(ws, engine, watcher_factory, events):
    (ws.inbox / "products-c.csv").write_text(product_csv(3, "C"))
    watcher = watcher_factory(workers=0)
    job = engine.get_job(events.wait_for(*RECORDED)[0].job_uid)
    watcher.stop()
    done = engine.run_next()  # the job finishes; the process "dies" before moving the file
    assert done.status is JobStatus.DONE
    assert done.provider_data.kept_path == f"processing/{job.uid}/products-c.csv"
    # restart: its start reconciles processing/ before its first scan (the move reports no event)
    wait_for_scans(watcher_factory(workers=0), 1)
    kept = engine.get_job(job.uid).provider_data.kept_path
    assert kept == f"archive/{job.uid}/products-c.csv" and (ws.root / kept).exists()
    assert not (ws.processing / job.uid).exists()
    assert engine.ctx.files.get(done.provider_data.sha256).kept_path == kept
    assert len(all_jobs(engine)) == 1


def test_crash_between_move_and_its_commit_is_repaired(ws, engine, watcher_factory, events):
    (ws.inbox / "products-m.csv").write_text(product_csv(2, "M"))
    watcher = watcher_factory(workers=0)
    job = engine.get_job(events.wait_for(*RECORDED)[0].job_uid)
    watcher.stop()
    engine.run_next()
    os.rename(ws.processing / job.uid, ws.archive / job.uid)  # moved, but the commit never happened
    wait_for_scans(watcher_factory(workers=0), 1)  # its start repairs before its first scan
    kept = f"archive/{job.uid}/products-m.csv"
    repaired = engine.get_job(job.uid)
    assert repaired.provider_data.kept_path == kept and repaired.status is JobStatus.DONE
    assert ws.absolute(kept).read_text() == product_csv(2, "M")
    assert [j.uid for j in all_jobs(engine)] == [job.uid]  # the moved file was not taken as a new one


def test_claimed_file_without_a_job_is_recovered_once(ws, engine, watcher_factory, events):
    folder = ws.inbox / "products"
    folder.mkdir()
    src = folder / "orphan.csv"
    src.write_text(product_csv(2, "ORPH"))
    uid = engine.ctx.new_uid()
    # a watcher (now dead) claimed the file, then crashed before inserting the job
    claims.claim(ws.processing, uid, src, ("products", "orphan.csv"), owner=_dead_owner())
    assert not src.exists()
    watcher = watcher_factory(workers=1)
    # reported finished after its final commit and its file's move to archive/
    job = engine.get_job(events.wait_for(Kind.FINISHED)[0].job_uid)
    assert job.uid == uid and job.resource_type == "products" and job.status is JobStatus.DONE
    assert job.provider_data.kept_path == f"archive/{uid}/orphan.csv"
    wait_for_scans(watcher)
    assert len(all_jobs(engine)) == 1


@pytest.mark.sqlite_only("the claim's owner process decides, on the file system: no job is written")
def test_live_claimer_is_left_alone(ws, engine, watcher_factory):
    src = ws.inbox / "products-live.csv"
    src.write_text(product_csv(1, "LIVE"))
    uid = engine.ctx.new_uid()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        # another live process is between its rename and its insert
        claims.claim(ws.processing, uid, src, ("products-live.csv",), owner=f"{socket.gethostname()}:{other.pid}:x")
        watcher = watcher_factory(workers=0, rescan_interval=0.2)
        wait_for_scans(watcher, 3)
        assert all_jobs(engine) == [] and (ws.processing / uid / "products-live.csv").exists()
    finally:
        other.kill()
        other.wait()


def test_claim_folder_without_its_file_is_removed(ws, engine, watcher_factory, events):
    uid = engine.ctx.new_uid()
    (ws.processing / uid).mkdir()
    claims.write_note(ws.processing / uid, {"uid": uid, "source": ["products-x.csv"], "owner": _dead_owner(),
                                            "recorded": False})
    (ws.inbox / "products-x.csv").write_text(product_csv(1, "X"))  # the rename never happened
    watcher_factory(workers=0)
    events.wait_for(*RECORDED)  # its start removed the empty claim before the scan that took the file
    assert len(all_jobs(engine)) == 1
    assert not (ws.processing / uid).exists()
    assert all_jobs(engine)[0].uid != uid


def test_file_of_a_deleted_job_is_kept_not_reimported(ws, engine, watcher_factory, events):
    (ws.inbox / "products-del.csv").write_text(product_csv(1, "DEL"))
    watcher = watcher_factory(workers=0)
    job = engine.get_job(events.wait_for(*RECORDED)[0].job_uid)
    watcher.stop()
    engine.delete(job.uid)
    watcher_factory(workers=0)
    events.wait_for(Kind.NOTICE, where=lambda e: job.uid in e.message)  # after the move
    assert (ws.archive / "deleted-jobs" / job.uid / "products-del.csv").exists()
    assert all_jobs(engine) == []


def test_shutdown_interrupts_at_a_batch_boundary_and_the_next_start_resumes(ws, engine, watcher_factory, events):
    """Stopped while its worker's job is held after batch 1 (so the stop lands mid-file every time): the
    job ends interrupted at that batch, tagged for the next start, which resumes it from there."""
    rows = 3 * BATCH_ROWS
    (ws.inbox / "products-big.csv").write_text(product_csv(rows, "BIG"))
    with held_after_batch(1) as held:
        watcher = watcher_factory(workers=1)
        uid, checkpoint = held.reached()
        started = time.monotonic()
        watcher.stop(timeout=5)
    assert time.monotonic() - started < 5 and not watcher.alive
    job = engine.get_job(uid)
    assert job.status is JobStatus.INTERRUPTED and job.metadata.data_row_index == checkpoint == BATCH_ROWS
    assert job.error_message.startswith("interrupted: the watch service stopped")
    assert job.progress.total == rows and job.provider_data.kept_path.startswith("processing/")
    assert engine.record_count("products") == BATCH_ROWS
    watcher_factory(workers=1)
    # reported finished after its final commit and its file's move to archive/
    events.wait_for(Kind.FINISHED, job_uid=job.uid, where=lambda e: e.message.endswith(": done"))
    final = engine.get_job(job.uid)
    assert final.status is JobStatus.DONE
    assert final.progress.done == rows and engine.record_count("products") == rows
    assert final.provider_data.kept_path.startswith("archive/")


def test_user_interrupt_is_not_resumed_automatically(ws, engine, watcher_factory, events):
    (ws.inbox / "products-u.csv").write_text(product_csv(2, "U"))
    watcher = watcher_factory(workers=0)
    job = engine.get_job(events.wait_for(*RECORDED)[0].job_uid)
    engine.interrupt(job.uid)
    watcher.stop()
    wait_for_scans(watcher_factory(workers=1))
    assert engine.get_job(job.uid).status is JobStatus.INTERRUPTED
    engine.cancel(job.uid)  # a canceled job's file is archived by the next reconcile
    # the one store poll left here: a reconcile's move reports no event, and the periodic reconcile
    # follows the rescan timer, not a scan count
    wait_until(lambda: engine.get_job(job.uid).provider_data.kept_path.startswith("archive/"), 20)


WATCH_SCRIPT = """
import sys, threading, signal
from importdesk.inbox import run_watch_service
sys.exit(run_watch_service(sys.argv[1], workers=int(sys.argv[2]), stability=0.2, rescan_interval=0.5,
                           on_event=None))
"""


def test_two_watch_processes_never_claim_the_same_file(ws, engine, tmp_path):
    # the watchers are other processes (their events stay there): the store and the disk are what this
    # test can see, so it waits on them (as the SIGTERM test below does)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    procs = [subprocess.Popen([sys.executable, "-c", WATCH_SCRIPT, str(ws.root), "1"], env=env,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        from importdesk.inbox import inbox_status

        wait_until(lambda: inbox_status(ws).watching, 30, message="watchers up")
        folder = ws.inbox / "products"
        folder.mkdir()
        count = 150
        for i in range(count):
            (folder / f"two-{i:03d}.csv").write_text(product_csv(2, f"T{i}"))
        wait_until(lambda: len([j for j in all_jobs(engine) if j.status.is_final]) >= count, 60,
                   message="all jobs done")
        # every claim settled, none in flight: the jobs listed now are all there will be
        wait_until(lambda: not [d for d in ws.processing.iterdir() if claims.UID_RE.match(d.name)], 10,
                   message="processing/ empty")
        jobs = all_jobs(engine)
        assert len(jobs) == count and len({j.file_name for j in jobs}) == count
        assert all(j.status is JobStatus.DONE for j in jobs), {j.error_message for j in jobs}
        assert engine.record_count("products") == 2 * count
        assert inbox_files(ws) == []
    finally:
        stopped = time.monotonic()
        for proc in procs:
            proc.terminate()
        codes = [proc.wait(timeout=10) for proc in procs]
    assert time.monotonic() - stopped < 5
    assert codes == [0, 0], [p.stderr.read() for p in procs]


@pytest.mark.sqlite_only("the service's signal handling: its store part is the in-process shutdown test's, on both")
def test_service_stops_on_sigterm_and_resumes_its_job(ws, engine):
    """SIGTERM while a job runs: it stops after its batch in flight, tagged for the next service,
    which resumes it from there (held after batch 1, so the stop lands mid-file every time)."""
    rows = 3 * BATCH_ROWS
    (ws.inbox / "products-svc.csv").write_text(product_csv(rows, "SVC"))
    cmd = [sys.executable, "-c", WATCH_SCRIPT, str(ws.root), "2"]
    with held_after_batch(1) as held:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
        try:
            uid, checkpoint = held.reached()
        finally:
            started = time.monotonic()
            proc.terminate()
            code = proc.wait(timeout=10)
    assert code == 0 and time.monotonic() - started < 5
    job = engine.get_job(uid)
    assert job.status is JobStatus.INTERRUPTED and job.metadata.data_row_index == checkpoint == BATCH_ROWS
    assert job.error_message.startswith("interrupted: the watch service stopped after 5000 rows")
    assert engine.record_count("products") == BATCH_ROWS
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: engine.get_job(uid).status is JobStatus.DONE
                   and engine.get_job(uid).provider_data.kept_path.startswith("archive/"), 30)
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    assert engine.record_count("products") == rows
    kept = ws.root / engine.get_job(uid).provider_data.kept_path
    assert sha256_of(kept) == engine.get_job(uid).provider_data.sha256
    assert json.loads((kept.parent / ".claim.json").read_text())["recorded"] is True
