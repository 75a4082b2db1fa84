"""Run one claimed job: read → map → coerce → validate → classify → write → report, batch by batch.

Each batch is one `BEGIN IMMEDIATE … COMMIT`: records, job items, counters and the checkpoint
(`metadata.data_row_index`) land together or not at all, so a crash loses at most the batch in
flight and a resume continues after the last committed row with exact counts.

The runner's job (``self.job``, what it reports and finally saves) is always the committed one:
a batch's counters are worked out on a copy, and that copy becomes the job only once the
transaction holding the batch has committed — here, or in the batch writer. A batch that fails
for any reason (disk full, I/O error, a lock held too long, a value the writer cannot be sent)
leaves the job where the store says it is.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import threading
from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any

from importdesk.engine.batch_gate import BatchGate
from importdesk.engine.context import EngineContext
from importdesk.engine.date_order import DateOrderWatch
from importdesk.engine.errors import JobFailed, JobStopped, StoreWriteFailed, store_fault
from importdesk.engine.events import Throttle
from importdesk.engine.references import ReferenceCheck, reference_error
from importdesk.engine.row_groups import CONFLICT
from importdesk.engine.row_mapper import UNDECLARED, RowMapper, record_key, undeclared_message
from importdesk.engine.sources import changed_file_message, kept_file_change, open_job_source
from importdesk.models import ImportJob, ItemLevel, JobStatus, JobType
from importdesk.readers import ReaderError, Record
from importdesk.schemas import ResourceType, RowInvalid, SchemaError, get_rules
from importdesk.store import seen_keys
from importdesk.store.batch_writer import BatchWriter, CannotSend, StatementRecorder
from importdesk.store.database import BUSY_TIMEOUT_MS, PRAGMAS

log = logging.getLogger(__name__)

BATCH_ROWS = 5000
# From this many rows on, batches of new rows are committed by a BatchWriter process while the
# next batch is validated (below, starting it costs more than it saves).
WRITER_MIN_ROWS = 4 * BATCH_ROWS
WRITER_DEPTH = 2  # batches handed over and not settled: a slow commit (checkpoint) stalls nothing
ITEM_VALUE_CHARS = 500  # the item's rejected value and record key: a bounded excerpt
# A failed row's raw row is kept for fixing and retrying, within bounds: a 50 MB line must not
# go into the database whole. Longer values are cut with a marker, and the row says which.
RAW_ROW_CHARS = 100_000
RAW_VALUE_CHARS = 10_000
TRUNCATED = "_truncated"  # in a capped raw row: the names of the fields that were cut


@dataclass
class _TypeBatch:
    """The valid rows of one resource type in a batch, in file order."""

    rt: ResourceType
    keys: list[str] = field(default_factory=list)
    values: list[tuple[Any, ...]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    # or, from a PositionalValidator: its output rows (stored values by file column, row number last)
    pv: Any = None
    stored: list[tuple[Any, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.stored) if self.pv is not None else len(self.keys)

    def unpack(self) -> None:
        """Positional rows -> keys, values in column order, rows (for classification)."""
        if self.pv is not None and self.stored:
            split = self.pv.split
            for key, values, row in map(split, self.stored):
                self.keys.append(key)
                self.values.append(values)
                self.rows.append(row)
            self.pv, self.stored = None, []


@dataclass
class _InFlight:
    """A batch handed to the writer: the job before it and after it (as the writer's transaction
    saves it), and what ``_commit`` needs to commit it here instead."""

    before: ImportJob
    after: ImportJob
    args: tuple


class JobRunner:
    def __init__(self, ctx: EngineContext, job: ImportJob, cancel: threading.Event | None = None,
                 throttle: Throttle | None = None):
        self.ctx = ctx
        self.job = job
        self.cancel = cancel or threading.Event()
        self.throttle = throttle or Throttle(None)
        self._try_all_new: dict[str, bool] = {}  # per type: may this batch be inserted without lookups?
        self._writer: BatchWriter | None = None
        # batches the writer has, oldest first
        self._in_flight: deque[_InFlight] = deque()
        self._writer_layout: tuple[Any, tuple] | None = None  # (pv, writer_columns(pv))
        self._gate = BatchGate.from_environment()  # a test hook; None outside tests

    # ---- entry point -------------------------------------------------------------------------
    def run(self) -> ImportJob:
        job = self.job
        try:
            with open_job_source(self.ctx, job) as source:
                self._prepare(source)
                self.throttle.report(job, force=True)
                self._process(source)
        except (ReaderError, SchemaError, JobFailed) as exc:
            message = str(exc)
            if isinstance(exc, ReaderError) and (change := kept_file_change(self.ctx, job, content=False)):
                message = changed_file_message(job, change)  # cut while being read: say that, not "unbalanced quote"
            self._end(JobStatus.ERROR, message)
        except JobStopped as exc:
            self._end(JobStatus.INTERRUPTED, str(exc))
        except (StoreWriteFailed, sqlite3.OperationalError) as exc:
            self._end(*self._store_failure(exc))
        except Exception as exc:  # a bug must not kill the worker or leave the job "processing"
            log.exception("job %s failed unexpectedly", job.uid)
            self._end(JobStatus.ERROR, f"internal error: {type(exc).__name__}: {exc} (details in the log)")
        finally:
            self._close_writer()
        self.throttle.report(self.job, force=True)
        return self.job

    def _store_failure(self, exc: Exception) -> tuple[JobStatus, str]:
        """The status and message of a job whose batch the store refused to write."""
        fault = store_fault(exc.detail if isinstance(exc, StoreWriteFailed) else exc)
        if fault is None:
            log.error("job %s: the store failed: %s", self.job.uid, exc, exc_info=exc)
            return JobStatus.ERROR, f"internal error: {type(exc).__name__}: {exc} (details in the log)"
        log.warning("job %s: the store refused a write: %s", self.job.uid, exc)
        kind, words = fault
        job = self.job
        kept = f"the first {job.metadata.data_row_index:,} rows are in, nothing of the batch being written was kept"
        if kind == "locked":
            return JobStatus.INTERRUPTED, (
                f"{job.file_name}: {words} (waited {BUSY_TIMEOUT_MS / 1000:g} s); {kept}. Resume when the other "
                f"process is done: importdesk resume {job.short_uid}")
        fix = {"full": "free some disk space", "readonly": "make the workspace writable"}.get(kind, "check the disk")
        return JobStatus.ERROR, (f"{job.file_name}: {words} ({exc}); {kept}. {fix.capitalize()}, then continue: "
                                 f"importdesk retry {job.short_uid}")

    def _copy(self) -> ImportJob:
        return self.job.model_copy(deep=True)

    # ---- first start: count, map headers -----------------------------------------------------
    def _prepare(self, source) -> None:
        self.mapper = RowMapper(self.ctx.registry, self.job, source.info)
        if self.job.metadata.data_row_index == 0 and self.job.progress.total == 0 and self.job.progress.processed == 0:
            job = self._copy()
            total = source.count()
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
        if self.job.metadata.data_row_index:  # resumed: undeclared attributes counted so far
            self.mapper.undeclared = dict(self.ctx.items.counted(self.job.uid, UNDECLARED))
        self.mapper.check_required()  # raises JobFailed naming the missing columns
        self.refs = ReferenceCheck.for_job(self.ctx, self.job, source)  # None: no row of this file names others
        self.positional = self.mapper.positional() if self.refs is None else None
        self.dates = DateOrderWatch.for_job(self.mapper, get_rules(self.job.metadata.locale),
                                            starts_at_first_row=self.job.metadata.data_row_index == 0)

    # ---- the batch loop ----------------------------------------------------------------------
    def _process(self, source) -> None:
        job = self.job
        if (self.positional is not None and job.job_type is JobType.EXECUTE
                and job.progress.total - job.metadata.data_row_index >= WRITER_MIN_ROWS
                and not getattr(sys, "frozen", False)):  # a frozen app cannot run the writer script
            try:
                self._writer = BatchWriter(str(self.ctx.db.path), list(PRAGMAS))
            except Exception as exc:  # an optimisation: without it, commits are made here
                log.warning("no batch writer (%s); committing in this process", exc)
        if self.positional is not None:
            records = source.numbered_rows(skip=job.metadata.data_row_index)
        else:
            records = source.records(skip=job.metadata.data_row_index)
        while True:
            if self._stop_requested():
                return
            batch = list(islice(records, BATCH_ROWS))
            if self.dates is not None:
                self.dates.observe(batch)
            if not batch:
                self._finish(JobStatus.DONE, None)
                return
            over_threshold = self._run_batch(batch)
            self.throttle.report(job)
            if self._gate is not None and self._gate.count_batch():
                self._settle()  # held with exactly N batches in the store
                self._gate.hold(self.job.uid, self.job.metadata.data_row_index, self.cancel)
            if over_threshold:
                self._settle()  # the message tells committed counts
                p = job.progress
                self._finish(
                    JobStatus.INTERRUPTED,
                    f"interrupted: {p.error} of {p.total} rows failed, over the "
                    f"{job.error_threshold:.0%} error threshold. Fix the file, or resume skipping errors "
                    f"(importdesk resume {job.short_uid} --skip-errors; r in the app).",
                )
                return

    def _ended_early(self) -> str:
        """The rows ran out before the count made when the job started: the file is not the one
        that was counted (cut, replaced) — never "done" with rows pending."""
        job = self.job
        change = kept_file_change(self.ctx, job)
        if change is not None:
            return changed_file_message(job, change)
        return (f"{job.file_name}: the file ended after {job.metadata.data_row_index:,} rows, but "
                f"{job.progress.total:,} were counted when the job started; "
                f"{job.progress.pending:,} rows were not imported")

    def _run_batch(self, batch: list) -> bool:
        """Validate one batch and commit it; True when the error threshold was crossed."""
        if self.positional is not None:
            return self._run_batch_positional(batch)
        job = self.job
        limit = None if job.skip_errors else job.error_threshold * job.progress.total
        errors_so_far = self._planned().progress.error
        items: list[tuple[Any, ...]] = []
        by_type: dict[str, _TypeBatch] = {}
        uploaded: dict[str, int] = {}
        consumed = error_rows = 0
        over = False
        mapper = self.mapper
        plans: dict[str, tuple] = {}  # type -> (validate, key_of, to_db, keys.append, values.append, rows.append)
        # the common case — one type, tabular, no shared data — skips the general mapping
        fast_to_raw = mapper.to_raw if (mapper.tabular and mapper.mapping is not None and not mapper.shared) else None
        job_type_name = job.resource_type
        for rec in batch:
            consumed += 1
            if fast_to_raw is not None and rec.error is None and rec.type is None:
                rt_name, raw, problem = job_type_name, fast_to_raw(rec.values), None
            else:
                rt_name, raw, problem = mapper.map(rec)
                uploaded[rt_name] = uploaded.get(rt_name, 0) + 1
            if problem is not None:
                error_rows += 1
                items.append(self._item(rec.number, ItemLevel.ERROR, None, None, problem[0], problem[1],
                                        mapper.raw_row(rec), rt_name))
            else:
                plan = plans.get(rt_name)
                if plan is None:
                    rt = mapper.resource(rt_name)
                    tb = by_type[rt_name] = _TypeBatch(rt)
                    plan = plans[rt_name] = (mapper.validator(rt_name), rt.key_of, rt.to_db,
                                             tb.keys.append, tb.values.append, tb.rows.append)
                try:
                    clean = plan[0](raw)
                    if self.refs is not None and (unresolved := reference_error(self.refs, rt_name, clean)):
                        raise unresolved
                except RowInvalid as invalid:
                    error_rows += 1
                    raw_row = mapper.raw_row(rec)
                    key = record_key(mapper.resource(rt_name), raw)
                    for err in invalid.errors:
                        items.append(self._item(rec.number, ItemLevel.ERROR, err.field, _text(err.value),
                                                err.code, err.message, raw_row, rt_name, key))
                else:
                    plan[3](plan[1](clean))
                    plan[4](plan[2](clean))
                    plan[5](rec.number)
                    continue
            if limit is not None and errors_so_far + error_rows > limit:
                over = True
                break
        if fast_to_raw is not None:  # rows that took the fast path were not counted one by one
            uploaded[job_type_name] = consumed - sum(n for name, n in uploaded.items() if name != job_type_name)
        self._commit(consumed, error_rows, items, by_type, uploaded)
        return over

    def _run_batch_positional(self, batch: list) -> bool:
        """_run_batch for rows of one type from a table (the common case): each row list goes
        through the PositionalValidator, its output is what the INSERT binds."""
        job = self.job
        mapper = self.mapper
        pv = self.positional
        rt_name = job.resource_type
        rt = mapper.resource(rt_name)
        limit = None if job.skip_errors else job.error_threshold * job.progress.total
        errors_so_far = self._planned().progress.error
        items: list[tuple[Any, ...]] = []
        tb = _TypeBatch(rt, pv=pv)
        validate = pv.validate_or_raise
        invalid_row = pv.Invalid
        width = len(pv.columns) + 1  # the cells and the row number (source.numbered_rows)
        stored = tb.stored
        consumed = error_rows = malformed = 0
        over = False
        end = len(batch)
        rows = iter(batch)
        while consumed < end:
            # Valid rows in one C-level run: extend() keeps what map() produced before a row
            # raised, so the count of rows that passed tells which one it was; the next run
            # goes on after it (map took it from the shared iterator).
            before = len(stored)
            try:
                stored.extend(map(validate, rows))
            except invalid_row as exc:
                consumed += len(stored) - before
                row = batch[consumed]
                consumed += 1
                if row.__class__ is list and len(row) == width:
                    rec = Record(row.pop(), row)
                    error_rows += 1
                    raw_row = mapper.raw_row(rec)
                    key = record_key(rt, mapper.to_raw(row))
                    for err in pv.errors_of(exc, row):
                        items.append(self._item(rec.number, ItemLevel.ERROR, err.field, _text(err.value),
                                                err.code, err.message, raw_row, rt_name, key))
                else:  # a broken record (readers flag it), or a row list of another width
                    if row.__class__ is list:
                        row = Record(row[-1], row[:-1], None,
                                     f"row has {len(row) - 1} values, the header has {width - 1}")
                    error_rows += 1
                    malformed += 1
                    items.append(self._item(row.number, ItemLevel.ERROR, None, None, "malformed_row", row.error,
                                            mapper.raw_row(row), rt_name))
                if limit is not None and errors_so_far + error_rows > limit:
                    over = True
                    break
            else:
                consumed = end
        # The records are done with: dropping them leaves the validated values referenced once,
        # which marshal (BatchWriter) dumps ~3x faster than values it must check for sharing.
        batch.clear()
        # a type with rows that reached validation is in by_type, even if none was valid
        self._commit(consumed, error_rows, items, {rt_name: tb} if consumed > malformed else {},
                     {rt_name: consumed})
        return over

    def _commit(self, consumed: int, error_rows: int, items: list[tuple[Any, ...]],
                by_type: dict[str, _TypeBatch], uploaded: dict[str, int], now=None) -> None:
        if self._writer is not None and self._commit_overlapped(consumed, error_rows, items, by_type, uploaded):
            return
        job = self.job  # committed: nothing is in flight here
        after = self._copy()
        ctx = self.ctx
        execute = job.job_type is JobType.EXECUTE
        now = now or ctx.clock()
        stamp = now.isoformat(timespec="milliseconds")
        for tb in by_type.values():
            if execute:
                ctx.records.ensure_table(tb.rt)
        with ctx.db.write() as conn:
            items = [*items, *self._note_undeclared(conn)]  # a copy: a batch tried again adds them again
            done = created = updated = unchanged = 0
            imported: dict[str, int] = {}
            for name, tb in by_type.items():
                done += len(tb)
                imported[name] = len(tb)
                if tb.pv is not None:
                    if (execute and self._try_all_new.get(name, True)
                            and len(set(map(tb.pv.key_of, tb.stored))) == len(tb.stored)):
                        if ctx.records.insert_all_new_stored(conn, tb.rt, tb.pv, tb.stored, job.uid, stamp):
                            created += len(tb.stored)
                            continue
                        self._try_all_new[name] = False
                    tb.unpack()
                if execute and self._try_all_new.get(name, True) and len(set(tb.keys)) == len(tb.keys):
                    # Optimistic path for new data: no lookups, no classification. Any key that
                    # exists already makes it insert nothing, and this type goes row by row from now.
                    rows = [(k, *v, job.uid, r, stamp, stamp)
                            for k, v, r in zip(tb.keys, tb.values, tb.rows, strict=True)]
                    if ctx.records.insert_all_new(conn, tb.rt, rows):
                        created += len(rows)
                        continue
                    self._try_all_new[name] = False
                outcome = self._classify(conn, tb, items)
                created += outcome.created
                updated += outcome.updated
                unchanged += outcome.unchanged
                if execute and outcome.writes:
                    ctx.records.upsert(conn, tb.rt, [(k, *v, job.uid, r, stamp, stamp)
                                                     for k, v, r in outcome.writes])
            ctx.items.add_rows(conn, items)
            # counters and checkpoint, in the same transaction as the rows they describe
            self._count(after, consumed, error_rows, items, done, (created, updated, unchanged), imported,
                        uploaded, now)
            ctx.jobs.save(after, conn)
        self._restore(after)  # committed
        self.mapper.settle_undeclared()

    def _note_undeclared(self, conn) -> list[tuple[Any, ...]]:
        """Attributes the type does not declare: one warning per job, type and attribute, whose
        value is the number of records that had it (updated in each batch's transaction). Returns
        the warnings new to the job, to add to the batch's items."""
        new, more = self.mapper.undeclared_changes()
        if more:
            self.ctx.items.set_counts(conn, self.job.uid, UNDECLARED,
                                      [(rt, name, n, undeclared_message(rt, n)) for rt, name, n in more])
        return [*(self._item(row, ItemLevel.WARNING, name, str(n), UNDECLARED, undeclared_message(rt, n), None, rt)
                  for row, rt, name, n in new),
                *(self._item(row, ItemLevel.WARNING, name, value, CONFLICT, message, None, rt, key)  # row_groups
                  for row, rt, name, value, message, key in self.mapper.notes)]

    @staticmethod
    def _count(job: ImportJob, consumed: int, error_rows: int, items: list[tuple[Any, ...]], done: int,
               outcome: tuple[int, int, int], imported: dict[str, int], uploaded: dict[str, int], now) -> None:
        """``job``'s counters and checkpoint after a batch."""
        created, updated, unchanged = outcome
        p = job.progress
        p.done += done
        p.error += error_rows
        p.pending = p.total - p.done - p.error
        if p.pending < 0:  # the file grew since it was counted: keep the invariant honest
            p.total -= p.pending
            p.pending = 0
        job.metadata.data_row_index += consumed
        job.summary.create += created
        job.summary.update += updated
        job.summary.unchanged += unchanged
        if job.job_type is JobType.EXECUTE:
            job.processed_count += created + updated
        job.errors_count += sum(1 for i in items if i[3] == "error")
        job.warnings_count += sum(1 for i in items if i[3] == "warning")
        tc = job.type_counts
        for name, n in uploaded.items():
            tc.uploaded[name] = tc.uploaded.get(name, 0) + n
        for name, n in imported.items():
            tc.imported[name] = tc.imported.get(name, 0) + n
        job.heartbeat_at = job.updated_at = now

    # ---- commits overlapped with validation (BatchWriter) ------------------------------------
    def _commit_overlapped(self, consumed: int, error_rows: int, items: list[tuple[Any, ...]],
                           by_type: dict[str, _TypeBatch], uploaded: dict[str, int]) -> bool:
        """Hand a batch of new rows (positional, all keys new as far as the batch shows) to the
        batch writer and return while it is written: the same transaction, run by the writer
        process. False: commit it here (after settling every batch in flight)."""
        self._settle(keep=WRITER_DEPTH - 1)
        tb = next(iter(by_type.values())) if len(by_type) == 1 else None
        if (self._writer is None or tb is None or tb.pv is None or not tb.stored
                or not self._try_all_new.get(tb.rt.name, True)
                or len(set(map(tb.pv.key_of, tb.stored))) != len(tb.stored)):
            self._settle()  # batches commit in file order
            return False
        ctx = self.ctx
        ctx.records.ensure_table(tb.rt)
        now = ctx.clock()
        stamp = now.isoformat(timespec="milliseconds")
        before = self._planned()
        after = before.model_copy(deep=True)
        n = len(tb.stored)
        self._count(after, consumed, error_rows, items, n, (n, 0, 0), {tb.rt.name: n}, uploaded, now)
        steps = StatementRecorder()
        # the job must still be this runner's (a late commit must never overwrite a recovered job)
        steps.check("SELECT 1 FROM jobs WHERE uid = ? AND status = ? AND worker IS ?",
                    (after.uid, JobStatus.PROCESSING.value, after.worker))
        positions, project = self._writer_columns(tb.pv)
        rows = tb.stored if project is None else list(map(project, tb.stored))
        steps.executemany(ctx.records.insert_stored_sql(tb.rt, tb.pv, after.uid, stamp, positions), rows, expect=n)
        ctx.items.add_rows(steps, items)
        ctx.jobs.save(after, steps)
        try:
            self._writer.submit(steps.steps)
        except CannotSend as exc:  # nothing was handed over or counted: this batch is committed here
            log.warning("job %s: a batch could not be sent to the batch writer (%s)", after.uid, exc)
            self._settle()
            return False
        self._in_flight.append(_InFlight(before, after, (consumed, error_rows, list(items), by_type, uploaded, now)))
        return True

    def _writer_columns(self, pv) -> tuple[dict[int, int] | None, Any]:
        if self._writer_layout is None or self._writer_layout[0] is not pv:
            self._writer_layout = (pv, writer_columns(pv))
        return self._writer_layout[1]

    def _planned(self) -> ImportJob:
        """The job as it will be once every batch in flight has committed."""
        return self._in_flight[-1].after if self._in_flight else self.job

    def _settle(self, keep: int = 0) -> None:
        """Wait for batches in flight until ``keep`` remain. Keys that exist already (nothing
        was written): that batch and those after it (skipped by the writer) are committed here,
        classified row by row. A writer that failed: carry on without it."""
        while len(self._in_flight) > keep:
            reply = self._writer.result()
            if reply == "ok":
                self._restore(self._in_flight.popleft().after)  # committed by the writer
                continue
            failed = list(self._in_flight)  # this batch (not committed) and the ones after it
            self._in_flight.clear()
            for _ in failed[1:]:
                self._writer.result()  # "skipped"
            if reply == "conflict":
                self._writer.resume()
                self._try_all_new[next(iter(failed[0].args[3]))] = False
            else:
                self._close_writer()
                committed = self.ctx.jobs.get(self.job.uid).metadata.data_row_index
                # the writer may have committed some before it went away (their replies lost):
                # those count; redo from the first that it did not commit
                while failed and failed[0].before.metadata.data_row_index != committed:
                    if failed[0].after.metadata.data_row_index == committed:
                        self._restore(failed[0].after)
                    failed.pop(0)
                if not failed:
                    if self.job.metadata.data_row_index != committed:
                        raise RuntimeError(f"batch writer: the job's checkpoint {committed} matches no batch")
                    return  # all committed before the writer went away
                self._restore(failed[0].before)
                if reply == "stale":
                    raise JobFailed(f"{self.job.file_name}: the job is no longer run by this process")
                detail = reply[1] if isinstance(reply, tuple) else str(reply)
                if store_fault(detail) is not None:  # committing here would meet the same disk or lock
                    raise StoreWriteFailed(detail)
                log.warning("batch writer failed (%s); committing in this process", reply)
            for batch in failed:
                self._commit(*batch.args)
            return

    def _restore(self, snapshot: ImportJob) -> None:
        for name in type(snapshot).model_fields:
            setattr(self.job, name, getattr(snapshot, name))

    def _close_writer(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()

    @dataclass
    class _Outcome:
        created: int = 0
        updated: int = 0
        unchanged: int = 0
        writes: list[tuple[str, tuple[Any, ...], int]] = field(default_factory=list)

    def _classify(self, conn, tb: _TypeBatch, items: list[tuple[Any, ...]]) -> JobRunner._Outcome:
        """Create / update / unchanged against the store, applying the file's rows in order, so a
        key repeated in the file is an update of its own earlier row (the later row wins).

        A key this job saw in an earlier batch is found through the records table (it wrote the
        record: `_job_uid`), or, for rows it did not write (validate jobs, unchanged rows), through
        `job_keys`, which stays small for an execute job of new or changed data."""
        job = self.job
        uid = job.uid
        execute = job.job_type is JobType.EXECUTE
        out = JobRunner._Outcome()
        stored = self.ctx.records.existing(conn, tb.rt, tb.keys)
        earlier: dict[str, int] = {}
        if not execute or job.summary.unchanged:
            earlier = seen_keys.seen(conn, uid, tb.rt.name, tb.keys)
        for key, (_values, writer, row) in stored.items():
            if writer == uid:
                earlier[key] = row
        remembered: dict[str, int] = {}
        unwritten: list[tuple[str, str, str, int]] = []
        for key, values, row in zip(tb.keys, tb.values, tb.rows, strict=True):
            previous_row = remembered.get(key) or earlier.get(key)
            if previous_row is not None:
                items.append(self._item(
                    row, ItemLevel.WARNING, ",".join(tb.rt.key), key.replace("\x1f", " / "), "duplicate_key",
                    f"the same key is on row {previous_row}; this later row (row {row}) wins",
                    None, tb.rt.name, key.replace("\x1f", " / ")))
            remembered[key] = row
            old = stored.get(key)
            if old is None and previous_row is None:
                out.created += 1
            elif old is not None and old[0] == values:
                out.unchanged += 1
                unwritten.append((uid, tb.rt.name, key, row))
                continue
            else:
                out.updated += 1
            stored[key] = (values, uid, row)
            out.writes.append((key, values, row))
            if not execute:
                unwritten.append((uid, tb.rt.name, key, row))
        if unwritten:
            seen_keys.remember(conn, unwritten)
        return out

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
            self._finish(JobStatus.INTERRUPTED,
                         f"interrupted by the user after {self.job.metadata.data_row_index} rows; resume to continue")
            return True
        return False

    def _end(self, status: JobStatus, message: str | None) -> None:
        """_finish after a failure; a failure in it too must not leave the caller with a traceback."""
        try:
            self._finish(status, message)
        except Exception:  # the stored job stays as last committed; recover_stale settles it
            log.exception("job %s: ending it failed", self.job.uid)

    def _finish(self, status: JobStatus, message: str | None) -> None:
        if self._writer is not None:
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
                    status = JobStatus.ERROR
                    message = (f"the last rows could not be committed ({exc}); "
                               f"retry to continue after row {self.job.metadata.data_row_index}")
            self._close_writer()
        job = self.job
        if status is JobStatus.DONE and job.progress.pending:
            status, message = JobStatus.ERROR, self._ended_early()
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
                if status.is_final:
                    seen_keys.forget(conn, job.uid)
                self.ctx.jobs.save(job, conn, include_request=True)
        except sqlite3.Error as exc:
            if note is not None:
                job.warnings_count -= 1  # the count moves only with the commit of its item
            # The store still says "processing" (by this process) with the last committed counts:
            # once this process has ended, recover_stale makes it interrupted, and resume goes on.
            log.error("job %s: its end (%s) could not be recorded: %s", job.uid, status.value, exc)
            fault = store_fault(exc)
            job.status = JobStatus.INTERRUPTED
            job.interrupted_at = now
            # what happened (our messages say it before the first ". "), then the one way on
            cause = f"{message.split('. ')[0]}. " if message else ""
            job.error_message = (
                f"{cause}The end of the job could not be recorded ({fault[1] if fault else exc}): it shows as "
                f"processing until this process ends, then as interrupted; resume it then "
                f"(importdesk resume {job.short_uid})")
        except BaseException:
            if note is not None:
                job.warnings_count -= 1
            raise

    def _date_order_note(self) -> tuple[Any, ...] | None:
        """The one warning of a job whose slash dates all read both ways (engine/date_order.py)."""
        dates = getattr(self, "dates", None)
        warning = dates.warning() if dates is not None else None
        if warning is None:
            return None
        fields, code, message = warning
        return self._item(None, ItemLevel.WARNING, fields, None, code, message, None, self.job.resource_type)

    def _item(self, row: int | None, level: ItemLevel, field_name: str | None, value: str | None,
              code: str, message: str, raw_row: str | None, resource_type: str | None,
              key: str | None = None) -> tuple[Any, ...]:
        if value is not None and len(value) > ITEM_VALUE_CHARS:
            value = value[:ITEM_VALUE_CHARS] + "…"
        if key is not None and len(key) > ITEM_VALUE_CHARS:
            key = key[:ITEM_VALUE_CHARS] + "…"
        if raw_row is not None and len(raw_row) > RAW_ROW_CHARS:
            raw_row = capped_raw_row(raw_row)
        return (self.job.uid, row, key, level.value, field_name, value, code, message, raw_row, resource_type)


def capped_raw_row(raw_row: str) -> str:
    """A raw row (JSON object text) of at most about RAW_ROW_CHARS: each value longer than
    RAW_VALUE_CHARS is cut to that with a marker saying how long it was, fields past the bound
    are left out, and TRUNCATED lists what was cut (a retry refuses such a row: the file has it)."""
    data = json.loads(raw_row)
    out: dict[str, Any] = {}
    cut: list[str] = []
    budget = RAW_ROW_CHARS - 2_000  # room for the marker
    for name, value in data.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if len(text) > RAW_VALUE_CHARS:
            value = f"{text[:RAW_VALUE_CHARS]}… [cut: {len(text):,} characters]"
            cut.append(name)
        size = len(json.dumps(value, ensure_ascii=False)) + len(name) + 6
        if size > budget:
            cut.append(name)
            continue
        budget -= size
        out[name] = value
    out[TRUNCATED] = sorted(set(cut), key=cut.index)[:100]
    return json.dumps(out, ensure_ascii=False)


def writer_columns(pv) -> tuple[dict[int, int] | None, Any]:
    """What the writer needs of a positional row: only the cells that fill a field (and the row
    number). A column that fills no field can hold anything (an XLSX date, which ``marshal``
    cannot send): it is left behind. (None, None) when every cell is needed; else (new position
    by old, a function that picks the needed cells of a row)."""
    needed = sorted({p for p in pv.layout if isinstance(p, int)} | {i for i, _ in pv.key} | {pv.tail})
    if len(needed) == pv.tail + 1:
        return None, None
    positions = {old: new for new, old in enumerate(needed)}
    project = itemgetter(*needed) if len(needed) > 1 else (lambda row, i=needed[0]: (row[i],))
    return positions, project


def _text(value: Any) -> str | None:
    """A rejected value as text; maps and lists as JSON (a Python repr is not what the file said)."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value if isinstance(value, str) else str(value)
