"""Run one claimed job: read → map → coerce → validate → classify → write → report, batch by batch.

Each batch is one `BEGIN IMMEDIATE … COMMIT`: records, job items, counters and the checkpoint
(`metadata.data_row_index`) land together or not at all, so a crash loses at most the batch in
flight and a resume continues after the last committed row with exact counts.

The runner's job (``self.job``, what it reports and finally saves) is always the committed one:
a batch's counters are worked out on a copy, and that copy becomes the job only once the
transaction holding the batch has committed — here, or in the batch writer. A batch that fails
for any reason (disk full, I/O error, a lock held too long, a value the writer cannot be sent)
leaves the job where the store says it is.

This module is the loop and the job's start and end; the steps live beside it: batch_build.py
(validate a batch), batch_commit.py (commit and classify it here), batch_overlap.py (commit it in
the batch writer while the next is validated, or have the writer validate it), job_failures.py
(how a job that fails ends, in words), job_items.py (the items' bounded rows).

The total is known before the first commit: counted first, or — a new CSV job for the writer —
counted by the writer while the first batches are validated and held (_read_ahead).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import deque
from itertools import islice, repeat
from typing import Any

from importdesk.engine import job_failures, unchanged_basis, writer_wording
from importdesk.engine.batch_build import Batch, BatchBuilder
from importdesk.engine.batch_commit import BatchCommitter
from importdesk.engine.batch_gate import BatchGate
from importdesk.engine.batch_overlap import WRITER_DEPTH, WriterOverlap
from importdesk.engine.context import EngineContext
from importdesk.engine.date_order import DateOrderWatch
from importdesk.engine.dry_run_overlap import DryRunOverlap, dry_run_may_use_writer
from importdesk.engine.errors import JobFailed, JobStopped, StoreWriteFailed, store_fault
from importdesk.engine.events import Throttle
from importdesk.engine.held_batches import HeldBatch, HeldRows
from importdesk.engine.job_items import ItemRow, item_row
from importdesk.engine.json_line_rows import JsonLineRows
from importdesk.engine.record_rows import RecordRows
from importdesk.engine.references import ReferenceCheck
from importdesk.engine.row_mapper import UNDECLARED, RowMapper
from importdesk.engine.sources import open_job_source
from importdesk.engine.writer_start import estimated_rows, start_writer, writer_may_help
from importdesk.models import ImportJob, ItemLevel, JobStatus, JobType
from importdesk.readers import ReaderError
from importdesk.readers.csv_lines import CsvLines
from importdesk.schemas import SchemaError, get_rules, positional_recipe
from importdesk.store import seen_keys
from importdesk.store.backends import LeaseLost, StoreUnavailable
from importdesk.store.batch_writer import BatchWriter

log = logging.getLogger(__name__)

BATCH_ROWS = 5000
# From this many rows on, batches of new rows are committed by a BatchWriter process while the
# next batch is validated (below, starting it costs more than it saves).
WRITER_MIN_ROWS = 4 * BATCH_ROWS
# Batches validated while the writer counts the file, and while it works off those (held packed,
# ~0.6 MB each: engine/held_batches.py): the count of 1M rows takes about as long as validating
# ~35 batches here (quiet machine: 0.9 s against ~27 ms a batch). (A dry run validates a batch in
# ~15 ms: holding 66, 1M rows did not wait for the count, 4% faster, but 5M rows then peaked at
# 152 MB, its writer holding 25 MB of key prints: over the 150 MB the process tree may take.)
HELD_BATCHES = 40
# Of those, batches read after the count and held unvalidated while the ones validated before it
# are worked off (HeldRows, ~1 MB each): the writer validates them when it has room. With this many
# held and the writer still busy, the first of them is validated here rather than waited behind
# (a 30%-invalid import waited ~0.3 s there; 1M rows 4-5% faster, fresh imports too).
HELD_ROWS = 8


class JobRunner:
    def __init__(self, ctx: EngineContext, job: ImportJob, cancel: threading.Event | None = None,
                 throttle: Throttle | None = None):
        self.ctx = ctx
        self.job = job
        self.cancel = cancel or threading.Event()
        self.throttle = throttle or Throttle(None)
        self._overlap: WriterOverlap | None = None
        self._writer: BatchWriter | None = None  # started before the count, for the overlap
        self._counting = False  # the writer counts the new job's rows (its total not yet known)
        self._threshold_stop = False  # a batch validated again here crossed the error threshold
        self._stopped_by: Batch | None = None  # that batch (committed; none after it)
        self._gate = BatchGate.from_environment()  # a test hook; None outside tests
        self._held_done = False  # the file's last batch is held (_hold_more)

    # ---- entry point -------------------------------------------------------------------------
    def run(self) -> ImportJob:
        job = self.job
        try:
            with open_job_source(self.ctx, job) as source:
                self._prepare(source)
                self.throttle.report(job, force=True)
                self._process(source)
        except (ReaderError, SchemaError, JobFailed) as exc:
            self._end(JobStatus.ERROR, job_failures.unreadable(self.ctx, job, exc, isinstance(exc, ReaderError)))
        except JobStopped as exc:
            self._end(JobStatus.INTERRUPTED, str(exc))
        except (StoreWriteFailed, sqlite3.OperationalError) as exc:
            self._end(*self._store_failure(exc))
        except LeaseLost as exc:  # (PostgreSQL) this runner stalled past its lease: the job is another's now
            log.warning("job %s: %s", job.uid, exc)
            self.job = self.ctx.jobs.get(job.uid)
        except StoreUnavailable as exc:  # (PostgreSQL) the server restarted, the connection was cut
            log.warning("job %s: %s", job.uid, exc)
            self._end(JobStatus.INTERRUPTED, job_failures.connection_lost(self.job, exc))
        except Exception as exc:  # a bug must not kill the worker or leave the job "processing"
            log.exception("job %s failed unexpectedly", job.uid)
            self._end(JobStatus.ERROR, job_failures.internal_error(exc))
        finally:
            self._close_writer()
        self.throttle.report(self.job, force=True)
        return self.job

    def _store_failure(self, exc: Exception) -> tuple[JobStatus, str]:
        """The status and message of a job whose batch the store refused to write."""
        fault = job_failures.refused_write(exc)
        if fault is None:
            log.error("job %s: the store failed: %s", self.job.uid, exc, exc_info=exc)
        else:
            log.warning("job %s: the store refused a write: %s", self.job.uid, exc)
        return job_failures.store_failure(self.job, exc, fault)

    def _copy(self) -> ImportJob:
        return self.job.model_copy(deep=True)

    # ---- first start: count, map headers -----------------------------------------------------
    def _prepare(self, source) -> None:
        self.mapper = RowMapper(self.ctx.registry, self.job, source.info)
        progress = self.job.progress
        fresh = self.job.metadata.data_row_index == 0 and progress.total == 0 and progress.processed == 0
        self._start_writer(source, count=fresh)  # its start (and its validator's) overlap the count
        if fresh and not self._counting:
            self._record_start(source, source.count())
        if self.job.metadata.data_row_index:  # resumed: undeclared attributes counted so far
            self.mapper.undeclared = dict(self.ctx.items.counted(self.job.uid, UNDECLARED))
        self.mapper.check_required()  # raises JobFailed naming the missing columns
        self.refs = ReferenceCheck.for_job(self.ctx, self.job, source)  # None: no row of this file names others
        self.positional = self.mapper.positional() if self.refs is None else None
        self._note_recipe()
        self.record_rows = RecordRows.for_job(self.mapper, self.refs) if self.positional is None else None
        self.json_lines = JsonLineRows.for_job(self.ctx.workspace.schemas, self.job, source, self.record_rows)
        self.builder = BatchBuilder(self.job, self.mapper, self.positional, refs=self.refs,
                                    record_rows=self.record_rows)
        self.committer = BatchCommitter(self.ctx, self.mapper)
        self.dates = DateOrderWatch.for_job(self.mapper, get_rules(self.job.metadata.locale),
                                            starts_at_first_row=self.job.metadata.data_row_index == 0)

    def _note_recipe(self) -> None:
        """The job's recipe (engine/unchanged_basis.py), saved with its next commit: set by its
        first run, None once a run reads its rows another way (or not as positional rows)."""
        data = self.job.provider_data
        current = unchanged_basis.recipe(self.positional, self.mapper) if self.positional is not None else None
        if self.job.metadata.data_row_index == 0:
            data.recipe = current
        elif data.recipe != current:
            data.recipe = None

    def _record_start(self, source, total: int) -> None:
        """The first commit of a new job: its total, what was detected, the header warnings."""
        job = self._copy()
        job.progress.total = total
        job.progress.pending = total
        info = source.info
        job.format = job.provider_data.format = info.format
        job.provider_data.encoding = info.encoding
        job.provider_data.delimiter = info.delimiter
        job.provider_data.sheet = info.sheet
        warnings = self.mapper.header_warnings()
        with self.ctx.db.write() as conn:
            self.ctx.items.add_rows(conn, [self._item(None, ItemLevel.WARNING, w.field, w.value, w.code,
                                                      w.message, None, w.resource_type) for w in warnings])
            job.warnings_count += len(warnings)
            job.updated_at = self.ctx.clock()
            self.ctx.jobs.save(job, conn)
        self._restore(job)

    def _take_count(self, source, writer: BatchWriter) -> None:
        """The writer's count (waited for) as the job's total, in the job's first commit; counted
        here when the writer could not (its scan was not sure, or it went away)."""
        self._counting = False
        _, counted = writer.counted(wait=True)
        self._record_start(source, source.take_count(counted) if isinstance(counted, int) else source.count())

    # ---- the batch loop ----------------------------------------------------------------------
    def _start_writer(self, source, count: bool) -> None:
        """Start the batch writer now, for a job that will use it: its start and the loading of
        its validator (it validates raw batches too) then cost the runner nothing. A new job's
        file is counted by the writer (``count``; a CSV file, judged by its first bytes) while the
        runner reads and validates its first batches (_read_ahead)."""
        job = self.job
        if not (writer_may_help(self.ctx, job) or dry_run_may_use_writer(self.ctx, job)):
            return
        pv = self.mapper.positional()
        helper = self._wording_helper(pv)
        if pv is None:  # JSON Lines records of one shape: the writer can decode and validate them
            lines = JsonLineRows.for_job(self.ctx.workspace.schemas, job, source, RecordRows.for_job(self.mapper, None))
            if lines is None:
                return
            helper = lines.helper()
        left = job.progress.total - job.metadata.data_row_index
        if not job.progress.total and job.metadata.data_row_index == 0:
            left = estimated_rows(source)
        if left < WRITER_MIN_ROWS:
            return
        count_call = source.count_elsewhere() if count else None
        if count_call is not None and job.provider_data.sha256:  # a count made ahead holds for these bytes only
            count_call = (*count_call, job.provider_data.sha256)
        self._writer = start_writer(self.ctx, job, pv, count_call, helper)
        self._counting = self._writer is not None and count_call is not None

    def _wording_helper(self, pv) -> tuple[str, Any] | None:
        """The writer's helper when it may word bad rows too (engine/writer_wording.py), else None."""
        if pv is None or not writer_wording.applies(self.job):
            return None
        return writer_wording.helper(self.ctx.workspace.schemas, self.job, pv, self.mapper)

    def _process(self, source) -> None:
        job = self.job
        writer = self._writer
        dry_run = self.positional is not None and dry_run_may_use_writer(self.ctx, job)
        may_help = dry_run or ((self.positional is not None or self.record_rows is not None)
                               and writer_may_help(self.ctx, job))
        if (may_help
                and (self._counting or job.progress.total - job.metadata.data_row_index >= WRITER_MIN_ROWS)):
            writer = writer or start_writer(self.ctx, job, self.positional,
                                            helper=self._wording_helper(self.positional))
            if writer is not None:  # raw batches: table rows, and JSON lines of one shape
                worded = self.positional is not None and writer_wording.applies(job)
                fingerprint = (writer_wording.fingerprint(self.positional, self.mapper) if worded
                               else positional_recipe.fingerprint(self.positional) if self.positional is not None
                               else self.json_lines.fingerprint if self.json_lines is not None else None)
                self._overlap = (DryRunOverlap(self.ctx, writer, self.committer, fingerprint, job.uid,
                                               lambda: self._start_seen_keys(self._source), self._many_bad_rows)
                                 if dry_run else WriterOverlap(self.ctx, writer, self.committer, fingerprint,
                                                               self._many_bad_rows,
                                                               job.resource_type if worded else None))
                if not dry_run and self.positional is not None:
                    self._overlap.basis = unchanged_basis.find(self.ctx, job, job.provider_data.recipe)
        elif writer is not None:  # fewer rows than estimated, or they take the dict path
            if self._counting:
                self._take_count(source, writer)
            writer.close()
        self._writer = None
        self._source = source
        self._start_seen_keys(source)
        records = self._records(source, skip=job.metadata.data_row_index)
        self._batch_rows = (self.json_lines.batch_rows(BATCH_ROWS) if self.json_lines is not None
                            and self._overlap is not None and self._overlap.open else BATCH_ROWS)
        held: deque[HeldBatch | HeldRows] = deque()
        if self._counting:
            self._read_ahead(source, records, held)
        while True:
            if self._stop_requested():
                return
            if held:
                if self._hold_more(records, held):
                    continue  # the writer is busy with the batches before: this one waits behind them
                first = held.popleft()
                over_threshold = (self._commit_held(first.batch) if isinstance(first, HeldBatch)
                                  else self._run_batch(first.rows) or self._threshold_stop)
            else:
                batch = self._next_batch(records)
                if not batch:
                    self._finish(JobStatus.DONE, None)
                    return
                over_threshold = self._run_batch(batch) or self._threshold_stop
            self.throttle.report(job)
            if self._gate is not None and self._gate.count_batch():
                self._settle()  # held with exactly N batches in the store
                self._gate.hold(self.job.uid, self.job.metadata.data_row_index, self.cancel)
            if over_threshold:
                self._settle()  # the message tells committed counts
                self._finish(JobStatus.INTERRUPTED, job_failures.over_threshold(job))
                return

    def _read_ahead(self, source, records, held: deque[HeldBatch]) -> None:
        """While the writer counts the file: validate the first batches (up to HELD_BATCHES) and
        hold them, since no batch may commit before the job's total is known; then the count
        becomes the job's first commit. They are validated without the error threshold (it is
        a share of the total): _commit_held applies it."""
        writer = self._overlap.writer if self._overlap is not None else None
        while writer is not None and len(held) < HELD_BATCHES and not writer.counted()[0]:
            batch = list(islice(records, self._batch_rows))
            if self.dates is not None:
                self.dates.observe(batch)
            if not batch:
                break
            held.append(self._held_batch(batch))
        if writer is None:  # (no overlap after all: counted here)
            self._counting = False
            self._record_start(source, source.count())
        else:
            self._take_count(source, writer)

    def _hold_more(self, records, held: deque[HeldBatch | HeldRows]) -> bool:
        """After the count: while the writer has no room for the next held batch, read the next
        batch of the file and hold it too, unvalidated (HeldRows: validated when its turn comes,
        raw by the writer when it has room then), so that this process neither waits for the
        writer to work off the batches held while it counted nor validates every batch while the
        writer has room to. With HELD_ROWS of them held (or the file read to its end), the first
        of them is validated here instead of waiting: the writer is the busier process then, and
        each batch this one validates is one it will not. False when the batch held first is to
        be committed now (the writer has room, or nothing is left to read or validate)."""
        overlap = self._overlap
        if (len(held) >= HELD_BATCHES or overlap is None or not overlap.open
                or overlap.has_room() or held[0].__class__ is not HeldBatch):
            return False  # (once the batches validated while it counted are gone, none is held)
        unvalidated = sum(h.__class__ is HeldRows for h in held)
        if self._held_done or unvalidated >= HELD_ROWS:
            if not unvalidated:
                return False
            self._validate_held(held)
            return True
        batch = self._next_batch(records)
        if not batch:
            self._held_done = True
            return True
        held.append(HeldRows(batch))
        return True

    def _validate_held(self, held: deque[HeldBatch | HeldRows]) -> None:
        """Validate the first batch held unvalidated (_held_batch); dropped if its lines were all blank."""
        at = next(i for i, h in enumerate(held) if h.__class__ is HeldRows)
        rows = self._parsed(held[at].rows)
        if not rows:
            del held[at]
            return
        held[at] = self._held_batch(rows)

    def _held_batch(self, rows: list) -> HeldBatch:
        """``rows`` validated to be held: without the error threshold (a share of the total, maybe
        not known yet), which _commit_held applies."""
        self.builder.stop_at_threshold = False
        try:
            return HeldBatch(self.builder.build(rows, 0))
        finally:
            self.builder.stop_at_threshold = True

    def _next_batch(self, records) -> list | CsvLines:
        """The next batch of the file after the count: for a dry run, its lines unparsed when they
        are known to be one record each and the writer may be handed them raw (readers/csv_lines.py;
        no slash dates being watched), else its rows. (An import's writer is the busier process:
        parsing the lines there too costs it more than it saves this one.)"""
        take_lines = getattr(records, "take_lines", None)
        if take_lines is not None and (records.taking_lines or (
                self._overlap.__class__ is DryRunOverlap and self._overlap.open
                and not (self.dates and self.dates.watching))):
            lines = take_lines(self._batch_rows)
            if lines is not None:
                return lines
        batch = list(islice(records, self._batch_rows))
        if self.dates is not None:
            self.dates.observe(batch)
        return batch

    def _parsed(self, records: list | CsvLines) -> list:
        return self._source.parse_lines(records) if records.__class__ is CsvLines else records

    def _commit_held(self, batch: Batch) -> bool:
        """Commit a batch _read_ahead held, the error threshold applied now; True when it was
        crossed (by this batch, or one before it: then this one is not committed)."""
        batch, errors = self._recounted(batch, -1)
        if batch is None:
            return True
        self._commit(batch, counted_on=errors)
        return batch.over_threshold or self._threshold_stop

    def _records(self, source, skip: int):
        if self.positional is not None:
            return source.numbered_rows(skip=skip)
        if self.json_lines is not None:  # lines the writer may decode are decoded when built here
            return self.json_lines.records(source, skip)
        return source.records(skip=skip)

    def _start_seen_keys(self, source) -> None:
        """The keys this job saw before its checkpoint (a run going on after one), as far as
        duplicate detection asks for them: the rows it did not write (batch_commit.py). The run
        that read them kept them on its own connection; they are found again by reading those rows
        (validated, not committed: the batches are as they were)."""
        job = self.job
        conn = self.ctx.db.conn()
        seen_keys.prepare(conn, job.uid)
        if not job.metadata.data_row_index or (job.job_type is JobType.EXECUTE and not job.summary.unchanged):
            return
        mapper = RowMapper(self.ctx.registry, job, source.info)  # its counts of undeclared attributes stay apart
        builder = BatchBuilder(job, mapper, self.positional, refs=self.refs, stop_at_threshold=False,
                               record_rows=RecordRows.for_job(mapper, self.refs) if self.positional is None else None)
        records = self._records(source, skip=0)
        left = job.metadata.data_row_index
        try:
            while left > 0 and (chunk := list(islice(records, min(BATCH_ROWS, left)))):
                left -= len(chunk)
                for tb in builder.build(chunk, 0).by_type.values():
                    tb.unpack()
                    seen_keys.remember(conn, zip(repeat(job.uid), repeat(tb.rt.name), tb.keys, tb.rows))
        finally:
            records.close()  # its file

    def _run_batch(self, records: list | CsvLines) -> bool:
        """Validate one batch and commit it (or hand it to the batch writer raw, when it has room
        to validate it); True when the error threshold was crossed."""
        if self._hand_over_raw(records):
            return False
        if self._threshold_stop:  # settling found the job stopped before this batch
            return True
        records = self._parsed(records)
        if not records:  # (lines that were all blank)
            return False
        errors = self._planned().progress.error
        batch = self.builder.build(records, errors)
        self._commit(batch, counted_on=errors)
        return batch.over_threshold

    def _many_bad_rows(self) -> bool:
        return self.builder.many_bad_rows

    def _hand_over_raw(self, records: list | CsvLines) -> bool:
        overlap = self._overlap
        lines = self.json_lines if self.positional is None else None
        name = self.job.resource_type if lines is None else lines.rt_name
        if overlap is None or (self.positional is None and lines is None) or not overlap.wants_raw(name):
            return False
        payload = None if lines is None else lines.payload(records)
        if lines is not None and payload is None:
            return False  # a record the writer could not take as a line of the shape
        self._settle(keep=WRITER_DEPTH - 1)
        if self._threshold_stop or not overlap.has_room_for_raw(name):
            return False
        if lines is None:
            return overlap.hand_over_raw(self._planned(), records, self.mapper.resource(name), self.positional)
        return overlap.hand_over_raw(self._planned(), records, self.mapper.resource(name), lines.pv,
                                     name=name, payload=payload)

    def _again(self, flight) -> Batch | None:
        """A batch the writer did not commit, to commit here (a raw one validated now). None:
        the error threshold stopped the job before it."""
        if flight.raw is None:
            return self._recounted(flight.batch, flight.before.progress.error)[0]
        if self._threshold_stop:
            return None
        batch = self.builder.build(self._parsed(flight.raw), self._planned().progress.error)
        self._note_threshold(batch)
        return batch

    def _recounted(self, batch: Batch, counted_on: int | None) -> tuple[Batch | None, int | None]:
        """``batch``, validated counting on ``counted_on`` errors before it, as it is now that the
        batches before it have settled: a raw batch among them may have come back with errors,
        and where the error threshold could then have stopped this one sooner, it is validated
        again, read again from the file (rare: the threshold reached right there). None: the
        threshold stopped the job before it. Also returns the errors it now counts on."""
        if counted_on is None:
            return batch, None
        if self._threshold_stop:
            return (batch, counted_on) if batch is self._stopped_by else (None, None)
        errors = self._planned().progress.error
        limit = self.builder.error_limit()
        if errors == counted_on or limit is None or (not batch.over_threshold and errors + batch.error_rows <= limit):
            return batch, errors
        batch = self.builder.build(self._read_again(self._planned().metadata.data_row_index, batch.consumed), errors)
        self._note_threshold(batch)
        return batch, errors

    def _note_threshold(self, batch: Batch) -> None:
        """``batch``, validated again here, crossed the error threshold: it is the job's last."""
        if batch.over_threshold:
            self._threshold_stop = True
            self._stopped_by = batch

    def _read_again(self, skip: int, count: int) -> list:
        rows = self._records(self._source, skip=skip)
        try:
            return list(islice(rows, count))
        finally:
            rows.close()

    def _commit(self, batch: Batch, now=None, counted_on: int | None = None) -> None:
        """Hand ``batch`` to the batch writer when it can take it (new rows, rows known unchanged
        or rows it classifies, while another batch is in flight; rows classified here once the
        ones before are in), else commit it here (after
        settling every batch in flight: batches commit in file order). ``counted_on``: the
        errors before it that its validation counted on (see _recounted)."""
        overlap = self._overlap
        if overlap is not None and overlap.open:
            self._settle(keep=WRITER_DEPTH - 1)
            batch, counted_on = self._recounted(batch, counted_on)
            if batch is None:
                return
            if overlap.takes_unchanged(batch) and overlap.hand_over_unchanged(self._planned(), batch, now):
                return
            if overlap.takes(batch) and overlap.hand_over(self._planned(), batch, now):
                return
            if not overlap.only_stored_in_flight():
                self._settle()
                batch, counted_on = self._recounted(batch, counted_on)
                if batch is None:
                    return
            if overlap.takes_stored(batch) and overlap.hand_over_stored(self._planned(), batch, now):
                return
            self._settle()
            batch, counted_on = self._recounted(batch, counted_on)
            if batch is None:
                return
            if overlap.takes_classified(batch):
                classified = self.committer.classify_batch(self.job, batch, now or self.ctx.clock(),
                                                           overlap.seen_lookup)
                if not overlap.hand_over_classified(self.job, classified):
                    self._restore(self.committer.commit_classified(self.job, classified))
                    self.mapper.settle_undeclared()
                return
        self._restore(self.committer.commit(self.job, batch, now or self.ctx.clock()))  # committed
        self.mapper.settle_undeclared()

    def _planned(self) -> ImportJob:
        """The job as it will be once every batch in flight has committed."""
        return self._overlap.planned(self.job) if self._overlap is not None else self.job

    def _settle(self, keep: int = 0) -> None:
        """Wait for batches in flight until ``keep`` remain; those the writer did not commit are
        committed here, classified row by row (batch_overlap.py)."""
        overlap = self._overlap
        # a batch committed again may be handed over again (classified): settle until done
        while overlap is not None and len(overlap.in_flight) > keep:
            for flight in overlap.settle(keep, self.job, self._restore):
                batch = self._again(flight)
                if batch is not None:
                    self._commit(batch, flight.now)

    def _restore(self, snapshot: ImportJob) -> None:
        for name in type(snapshot).model_fields:
            setattr(self.job, name, getattr(snapshot, name))

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._overlap is not None:
            self._overlap.close()

    # ---- stopping ----------------------------------------------------------------------------
    def _stop_requested(self) -> bool:
        """An in-process event, or a request another process wrote into the job row."""
        request = self.ctx.jobs.request_of(self.job.uid)
        if self.cancel.is_set() and request is None:
            request = "interrupt"
        if request in ("cancel", "interrupt"):
            self._settle()  # the message tells committed counts
        if request == "cancel":
            self._finish(JobStatus.CANCELED, "canceled by the user")
            return True
        if request == "interrupt":
            self._finish(JobStatus.INTERRUPTED, job_failures.interrupted_by_user(self.job))
            return True
        return False

    def _end(self, status: JobStatus, message: str | None) -> None:
        """_finish after a failure; a failure in it too must not leave the caller with a traceback."""
        try:
            self._finish(status, message)
        except Exception:  # the stored job stays as last committed; recover_stale settles it
            log.exception("job %s: ending it failed", self.job.uid)

    def _finish(self, status: JobStatus, message: str | None) -> None:
        if self._writer is not None:  # started for a job that ended before its batches
            self._writer.close()
            self._writer = None
        if self._overlap is not None and self._overlap.open:
            try:
                self._settle()
            except Exception as exc:  # the job ends anyway; the state is what was committed
                log.warning("job %s: settling the last batch failed: %s", self.job.uid, exc,
                            exc_info=store_fault(getattr(exc, "detail", exc)) is None)
                # The counters here include batches the writer may not have committed: once it has
                # finished what it was given, the stored job is the truth (a resume must not skip rows).
                self._close_writer()
                self._restore(self.ctx.jobs.get(self.job.uid))
                if isinstance(exc, (StoreWriteFailed, sqlite3.OperationalError)) and status is not JobStatus.CANCELED:
                    status, message = self._store_failure(exc)
                elif status is JobStatus.DONE and self.job.progress.pending:
                    status, message = JobStatus.ERROR, job_failures.last_rows_lost(self.job, exc)
            self._close_writer()
        job = self.job
        if self._threshold_stop and status is JobStatus.DONE:  # a batch validated again here crossed it
            status, message = JobStatus.INTERRUPTED, job_failures.over_threshold(job)
        if status is JobStatus.DONE and job.progress.pending:
            status, message = JobStatus.ERROR, job_failures.ended_early(self.ctx, job)
        now = self.ctx.clock()
        job.status = status
        job.error_message = message
        job.updated_at = now
        job.request = None
        job.end_run(now)
        if status is JobStatus.DONE:
            job.completed_at = now
        elif status is JobStatus.ERROR:
            job.failed_at = now
        elif status is JobStatus.INTERRUPTED:
            job.interrupted_at = now
        elif status is JobStatus.CANCELED:
            job.canceled_at = now
        note = self._date_order_note() if status is JobStatus.DONE else None
        try:
            with self.ctx.db.write() as conn:
                if note is not None:
                    self.ctx.items.add_rows(conn, [note])
                    job.warnings_count += 1
                seen_keys.forget(conn, job.uid, final=status.is_final)
                self.ctx.jobs.save(job, conn, include_request=True)
        except (sqlite3.Error, StoreUnavailable) as exc:
            if note is not None:
                job.warnings_count -= 1  # the count moves only with the commit of its item
            # The store still says "processing" (by this process) with the last committed counts:
            # once this process has ended (SQLite) or the job's lease has run out (PostgreSQL), it
            # is interrupted or taken over, and goes on from there.
            log.error("job %s: its end (%s) could not be recorded: %s", job.uid, status.value, exc)
            self.ctx.jobs.let_go(job.uid)
            job.status = JobStatus.INTERRUPTED
            job.interrupted_at = now
            job.error_message = job_failures.end_not_recorded(job, message, exc, self.ctx.db.unrecorded_end)
        except BaseException:
            if note is not None:
                job.warnings_count -= 1
            raise

    def _date_order_note(self) -> ItemRow | None:
        """The one warning of a job whose slash dates all read both ways (engine/date_order.py)."""
        dates = getattr(self, "dates", None)
        warning = dates.warning() if dates is not None else None
        if warning is None:
            return None
        fields, code, message = warning
        return self._item(None, ItemLevel.WARNING, fields, None, code, message, None, self.job.resource_type)

    def _item(self, *args, **kwargs) -> ItemRow:
        return item_row(self.job.uid, *args, **kwargs)

