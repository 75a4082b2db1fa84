"""Files dropped into the inbox become jobs exactly once: slow writers, temp names, many files, duplicates,
odd entries and odd names."""

from __future__ import annotations

import os
import threading
import time

import pytest

from importdesk.engine.job_loop import JobLoop
from importdesk.inbox import InboxEventKind as Kind
from importdesk.models import JobStatus, JobType

from inbox_helpers import HEADER, RECORDED, all_jobs, inbox_files, product_csv, product_rows
from waiting import wait_for_scans

# the tests of the watcher's handling of files: the store's part is what the unmarked ones check on both
FILE_SYSTEM_ONLY = pytest.mark.sqlite_only("the watcher and the file system (the store's part: the other tests)")


def _pending(engine):
    return [j for j in all_jobs(engine) if j.status is JobStatus.PENDING]


@FILE_SYSTEM_ONLY
def test_slow_writer_becomes_one_job_only_when_complete(ws, engine, watcher_factory):
    """A file still growing is never taken; once it stayed unchanged for the window, it is (one job).
    The watcher's clock is the test's: each scan sees the file after one more chunk, 0.1 s later."""
    now = [0.0]
    watcher = watcher_factory(start=False, stability=0.6, clock=lambda: now[0])
    rows = 2500
    data = (HEADER + product_rows(rows, "SLOW")).encode()
    target = ws.inbox / "products" / "slow.csv"
    target.parent.mkdir()
    chunks = 25  # a chunk every 0.1 s: less than the window
    size = len(data) // chunks + 1
    with open(target, "wb") as handle:
        for i in range(chunks):
            handle.write(data[i * size:(i + 1) * size])
            handle.flush()
            now[0] += 0.1
            watcher.scan_once()
            assert all_jobs(engine) == [], f"taken while still being written (chunk {i})"
    now[0] += 0.5  # complete, but unchanged for less than the window
    watcher.scan_once()
    assert all_jobs(engine) == []
    now[0] += 0.2  # unchanged for longer than the window now
    watcher.scan_once()
    assert [j.status for j in all_jobs(engine)] == [JobStatus.PENDING]
    job = JobLoop(engine).run_next()  # final, then (after the final commit, by design) its file moved on
    assert len(all_jobs(engine)) == 1
    assert job.status is JobStatus.DONE
    assert job.progress.total == rows and job.progress.done == rows
    assert engine.get_job(job.uid).provider_data.kept_path.startswith(f"archive/{job.uid}/")
    assert (ws.root / engine.get_job(job.uid).provider_data.kept_path).read_bytes() == data


@FILE_SYSTEM_ONLY
def test_part_file_renamed_gives_one_job(ws, engine, watcher_factory, events):
    watcher = watcher_factory()
    part = ws.inbox / "products.csv.part"
    part.write_text(product_csv(3))
    wait_for_scans(watcher)  # a .part file is never taken
    assert all_jobs(engine) == []
    os.rename(part, ws.inbox / "products.csv")
    events.wait_for(*RECORDED)
    wait_for_scans(watcher)
    jobs = all_jobs(engine)
    assert len(jobs) == 1 and jobs[0].file_name == "products.csv" and jobs[0].resource_type == "products"
    assert inbox_files(ws) == []


def test_files_present_at_start_all_become_jobs_once(ws, engine, watcher_factory, events):
    folder = ws.inbox / "products"
    folder.mkdir()
    names = {f"p{i:03d}.csv" for i in range(200)}
    for i, name in enumerate(sorted(names)):
        (folder / name).write_text(product_csv(2, f"S{i}"))
    watcher = watcher_factory(use_events=False)  # only the start scan can find them
    events.wait_for(*RECORDED, count=200)
    wait_for_scans(watcher)
    jobs = all_jobs(engine)
    assert len(jobs) == 200
    assert {j.file_name for j in jobs} == names
    assert all(j.status is JobStatus.PENDING for j in jobs)
    assert len({j.provider_data.kept_path for j in jobs}) == 200
    assert inbox_files(ws) == []


@FILE_SYSTEM_ONLY
def test_burst_of_500_files_all_become_jobs_once(ws, engine, watcher_factory, events):
    watcher = watcher_factory()
    folder = ws.inbox / "products"
    folder.mkdir()
    for i in range(500):
        (folder / f"b{i:03d}.csv").write_text(product_csv(1, f"B{i}"))
    events.wait_for(*RECORDED, count=500)
    wait_for_scans(watcher)
    jobs = all_jobs(engine)
    assert len(jobs) == 500 and len({j.file_name for j in jobs}) == 500
    assert all(j.status is JobStatus.PENDING for j in jobs)
    assert inbox_files(ws) == []
    assert len([d for d in ws.processing.iterdir() if not d.name.startswith(".")]) == 500


def test_duplicate_content_is_one_import_and_one_reported_duplicate(ws, engine, watcher_factory, events):
    content = product_csv(4, "DUP")
    (ws.inbox / "products-a.csv").write_text(content)
    watcher = watcher_factory(workers=1)
    first = engine.get_job(events.wait_for(Kind.FINISHED)[0].job_uid)
    assert first.status is JobStatus.DONE
    (ws.inbox / "products-b.csv").write_text(content)
    # the duplicate's event comes after its record was written and its file moved on
    dup = engine.get_job(events.wait_for(Kind.DUPLICATE)[0].job_uid)
    assert len(all_jobs(engine)) == 2 and dup.file_name == "products-b.csv"
    assert dup.provider_data.kept_path.startswith("archive/duplicates/")
    assert dup.status is JobStatus.CANCELED
    assert dup.error_message.startswith(f"duplicate of job {first.uid} (same content")
    assert (ws.root / dup.provider_data.kept_path).read_text() == content
    assert engine.record_count("products") == 4
    # force = true in a sidecar imports the same bytes again
    (ws.inbox / "products-c.csv.toml").write_text("force = true\n")
    (ws.inbox / "products-c.csv").write_text(content)
    # a worker's job is reported finished after its final commit and its file's move to archive/
    forced = engine.get_job(events.wait_for(Kind.FINISHED, count=2)[1].job_uid)
    assert forced.file_name == "products-c.csv" and forced.status is JobStatus.DONE
    assert forced.provider_data.kept_path.startswith("archive/")
    assert forced.progress.done == 4
    assert (ws.root / forced.provider_data.kept_path).with_name("products-c.csv.toml").exists()
    assert inbox_files(ws) == []
    assert watcher.stats["duplicates"] == 1


def test_same_content_in_one_burst_is_still_one_import(ws, engine, watcher_factory, events):
    content = product_csv(2, "TWIN")
    for i in range(5):
        (ws.inbox / f"products-{i}.csv").write_text(content)
    watcher_factory()
    events.wait_for(*RECORDED, count=5)
    statuses = sorted(j.status.value for j in all_jobs(engine))
    assert statuses == ["canceled"] * 4 + ["pending"]


@FILE_SYSTEM_ONLY
def test_symlink_is_never_followed_and_target_untouched(ws, engine, watcher_factory, events, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text(product_csv(2, "OUT"))
    before = outside.stat()
    link = ws.inbox / "products-link.csv"
    link.symlink_to(outside)
    watcher = watcher_factory(rescan_interval=0.2)
    (ws.inbox / "products-ok.csv").write_text(product_csv(1, "OK"))
    events.wait_for(*RECORDED)
    wait_for_scans(watcher, 3)
    assert [j.file_name for j in all_jobs(engine)] == ["products-ok.csv"]
    assert link.is_symlink() and outside.read_text() == product_csv(2, "OUT")
    assert outside.stat().st_mtime_ns == before.st_mtime_ns
    notices = [e for e in events if e.kind == "notice" and "products-link.csv" in e.message]
    assert len(notices) == 1 and "symbolic link" in notices[0].message


@FILE_SYSTEM_ONLY
def test_fifo_does_not_block_the_watcher(ws, engine, watcher_factory, events):
    os.mkfifo(ws.inbox / "products-pipe.csv")
    os.mkfifo(ws.inbox / "products-pipe.csv.toml.x")
    watcher = watcher_factory(rescan_interval=0.2)
    (ws.inbox / "products-after.csv").write_text(product_csv(1, "AFTER"))
    events.wait_for(*RECORDED)
    wait_for_scans(watcher)
    assert (ws.inbox / "products-pipe.csv").exists()
    assert len([e for e in events if "products-pipe.csv:" in e.message and "FIFO" in e.message]) == 1


@FILE_SYSTEM_ONLY
def test_fifo_sidecar_is_refused_without_blocking(ws, engine, watcher_factory, events):
    (ws.inbox / "products-s.csv").write_text(product_csv(1, "SIDE"))
    os.mkfifo(ws.inbox / "products-s.csv.toml")
    watcher_factory()
    job = engine.get_job(events.wait_for(*RECORDED)[0].job_uid)
    assert job.status is JobStatus.ERROR and "not a regular file" in job.error_message


@FILE_SYSTEM_ONLY
def test_directory_with_a_data_file_name_is_left_alone(ws, engine, watcher_factory, events):
    (ws.inbox / "x.csv").mkdir()
    (ws.inbox / "x.csv" / "products.csv").write_text(product_csv(1, "IN"))
    watcher = watcher_factory(rescan_interval=0.2)
    wait_for_scans(watcher, 3)
    assert all_jobs(engine) == []
    assert (ws.inbox / "x.csv" / "products.csv").exists()
    assert len([e for e in events if e.kind == "notice" and "x.csv" in e.message]) == 1


def test_zero_byte_and_unsupported_files_go_to_failed_with_a_reason(ws, engine, watcher_factory, events):
    (ws.inbox / "products-empty.csv").write_bytes(b"")
    (ws.inbox / "manual.pdf").write_bytes(b"%PDF-1.4")
    (ws.inbox / "README").write_text("hello")
    watcher_factory()
    events.wait_for(Kind.REJECTED, count=3)  # each after its record and its file's move to failed/
    by_name = {j.file_name: j for j in all_jobs(engine)}
    assert len(by_name) == 3 and all(j.provider_data.kept_path.startswith("failed/") for j in by_name.values())
    assert all(j.status is JobStatus.ERROR for j in by_name.values())
    assert "empty file" in by_name["products-empty.csv"].error_message
    assert "unsupported file type '.pdf'" in by_name["manual.pdf"].error_message
    assert "no file extension" in by_name["README"].error_message
    assert (ws.root / by_name["manual.pdf"].provider_data.kept_path).read_bytes() == b"%PDF-1.4"
    assert inbox_files(ws) == []


def test_unknown_type_goes_to_failed_with_the_reason(ws, engine, watcher_factory, events):
    (ws.inbox / "export.csv").write_text("alpha,beta\n1,2\n")
    watcher_factory()
    job = engine.get_job(events.wait_for(Kind.REJECTED)[0].job_uid)
    assert job.status is JobStatus.ERROR and job.provider_data.kept_path.startswith("failed/")
    assert "export.csv" in job.error_message and "cannot tell the resource type" in job.error_message
    # the same bytes with a sidecar naming the type are imported (a rejection is not a duplicate)
    (ws.inbox / "export2.csv.toml").write_text('type = "products"\njob = "validate"\n')
    (ws.inbox / "export2.csv").write_text("alpha,beta\n1,2\n")
    second = engine.get_job(events.wait_for(*RECORDED, count=2)[1].job_uid)
    assert second.file_name == "export2.csv"
    assert second.status is JobStatus.PENDING and second.job_type is JobType.VALIDATE


@FILE_SYSTEM_ONLY
def test_type_from_headers_when_folder_and_name_say_nothing(ws, engine, watcher_factory, events):
    (ws.inbox / "upload.csv").write_text("email,first_name,last_name\na@example.com,Ann,Lee\n")
    watcher_factory()
    job = engine.get_job(events.wait_for(*RECORDED)[0].job_uid)
    assert job.status is JobStatus.PENDING and job.resource_type == "customers"


def test_folder_defaults_and_sidecar_options_reach_the_job(ws, engine, watcher_factory, events):
    folder = ws.inbox / "prices"
    folder.mkdir()
    (folder / "_defaults.toml").write_text('locale = "de"\nparent = "PL-DE"\nskip_errors = true\n')
    (folder / "april.csv").write_text("sku,amount,currency\nA-1,\"1,50\",EUR\n")
    (folder / "may.csv").write_text("sku,amount,currency\nA-1,\"2,50\",EUR\n")
    (folder / "may.csv.toml").write_text('job = "validate"\nreference = "may run"\nthreshold = "25%"\n')
    watcher_factory()
    events.wait_for(*RECORDED, count=2)
    jobs = {j.file_name: j for j in all_jobs(engine)}
    april, may = jobs["april.csv"], jobs["may.csv"]
    assert april.resource_type == may.resource_type == "prices"
    assert april.metadata.locale == "de" and april.parent_resource_id == "PL-DE" and april.skip_errors
    assert april.job_type is JobType.EXECUTE
    assert may.job_type is JobType.VALIDATE and may.reference == "may run" and may.error_threshold == 0.25
    assert (folder / "_defaults.toml").exists()  # folder defaults stay
    assert not (folder / "may.csv.toml").exists()  # the sidecar travels with its file
    assert (ws.root / may.provider_data.kept_path).with_name("may.csv.toml").exists()


def test_bad_sidecar_sends_the_file_to_failed(ws, engine, watcher_factory, events):
    (ws.inbox / "products-x.csv").write_text(product_csv(1, "X"))
    (ws.inbox / "products-x.csv.toml").write_text("skip_error = true\n")
    watcher_factory()
    job = engine.get_job(events.wait_for(Kind.REJECTED)[0].job_uid)
    assert job.provider_data.kept_path.startswith("failed/")
    assert "unknown key 'skip_error'" in job.error_message
    assert (ws.root / job.provider_data.kept_path).with_name("products-x.csv.toml").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
@FILE_SYSTEM_ONLY
def test_unreadable_file_is_reported_and_left_until_readable(ws, engine, watcher_factory, events):
    path = ws.inbox / "products-locked.csv"
    path.write_text(product_csv(1, "LOCK"))
    path.chmod(0)
    try:
        watcher = watcher_factory(rescan_interval=0.2)
        wait_for_scans(watcher, 3)
        assert all_jobs(engine) == [] and path.exists()
        assert len([e for e in events if "products-locked.csv" in e.message]) == 1
        path.chmod(0o644)
        events.wait_for(*RECORDED)
        assert len(all_jobs(engine)) == 1
    finally:
        if path.exists():
            path.chmod(0o644)


ODD_NAMES = ["a b  c.csv", "ünïcödé-€-日本.csv", "-rf --all.csv", "x" * 230 + ".csv", "tab\there.csv",
             "semi;colon's \"quoted\".csv"]


def test_odd_file_names_work_and_are_shown_escaped(ws, engine, watcher_factory, events):
    folder = ws.inbox / "products"
    folder.mkdir()
    for i, name in enumerate(ODD_NAMES):
        (folder / name).write_text(product_csv(1, f"ODD{i}"))
    watcher_factory(workers=1)
    events.wait_for(Kind.FINISHED, count=len(ODD_NAMES))
    jobs = all_jobs(engine)
    assert all(j.status is JobStatus.DONE for j in jobs), [j.error_message for j in jobs]
    names = {j.file_name for j in jobs}
    assert "tab\\x09here.csv" in names and "-rf --all.csv" in names and "ünïcödé-€-日本.csv" in names
    assert all(not any(ord(c) < 32 for c in n) for n in names)
    for job in jobs:
        kept = ws.root / job.provider_data.kept_path
        assert kept.exists() and len(kept.name.encode()) <= 255
    assert inbox_files(ws) == []


@FILE_SYSTEM_ONLY
def test_status_snapshot(ws, engine, watcher_factory):
    from importdesk.inbox import inbox_status

    assert inbox_status(ws).watching is False
    watcher = watcher_factory(stability=30)  # nothing becomes stable during this test
    (ws.inbox / "products-1.csv").write_text(product_csv(1, "W1"))
    (ws.inbox / "products-2.csv").write_text(product_csv(1, "W2"))
    (ws.inbox / "ignored.csv.part").write_text("x")
    # a whole scan begun after the writes has seen both (and the heartbeat is written before the first)
    wait_for_scans(watcher, 1)
    st = watcher.status()
    assert st.inbox == "inbox" and st.watching and st.waiting == 2
    snap = inbox_status(ws)
    assert snap.watching and snap.waiting == 2 and snap.header() == "inbox: watching · 2 waiting"
    watcher.stop()
    assert not watcher.status().watching and not inbox_status(ws).watching


@FILE_SYSTEM_ONLY
def test_stop_is_prompt_and_threads_end(ws, engine, watcher_factory):
    watcher = watcher_factory(workers=2)
    wait_for_scans(watcher, 1)  # started: its threads are up
    started = time.monotonic()
    watcher.stop(timeout=5)
    assert time.monotonic() - started < 2
    assert not watcher.alive
    assert not [t for t in threading.enumerate() if t.name.startswith("inbox-") and t.is_alive()
                and t in watcher._threads]


@FILE_SYSTEM_ONLY
def test_a_file_another_watcher_claimed_is_not_reported_unreadable(ws, engine, watcher_factory, events):
    """Between this watcher's scan and its claim, another watcher took the file (issue 12: three
    watchers on one inbox gave 2,015 false "cannot read it (permissions)" notices in five runs)."""
    from importdesk.inbox.scan import scan

    path = ws.inbox / "products-raced.csv"
    path.write_text(product_csv(3, "RACE"))
    watcher = watcher_factory(start=False)
    candidate = scan(ws.inbox).candidates["products-raced.csv"]
    path.rename(ws.processing / "taken-by-another-watcher.csv")
    watcher._take(candidate)
    assert [e.message for e in events] == []
    assert all_jobs(engine) == []
