"""The batch-writer overlap: an execute job's batches of new rows are committed by a
``store.batch_writer`` process while the runner validates the next ones.

Up to WRITER_DEPTH batches are in flight, committed in file order. Each carries the job as it was
before it and as its transaction saves it after; that ``after`` becomes the runner's job only when
the writer replies "ok". Keys that already exist make the writer commit nothing ("conflict"): that
batch and the ones after it (skipped by the writer) go back to the runner, which commits them
itself, classified. A writer that fails or dies is closed; what it did commit is read back from
the store, and the rest is committed in process (or the job stops, when the store refused it).

Raw batches: a writer that rebuilt the job's PositionalValidator (schemas/positional_recipe.py,
same fingerprint) takes some batches as raw rows and validates them itself, on its core, while
the runner reads and validates the next. The runner hands a batch over raw when the writer has
at most one request it has not answered (it has room), and validates it here otherwise, so the
two processes share the validation as their loads allow. A raw batch is committed by the writer
only when every row is valid and every key new; else ("redo", "conflict") it comes back whole,
with the batches after it, and the runner validates it as any other (errors worded here). A job
that skips bad rows has the writer word them too (engine/writer_wording.py, "worded"): its reply
says how many rows were bad, and the job after it, and after each batch behind it, is corrected
by those (the writer corrects the stored job the same way, in the same transactions).

A re-import's batch (its keys stored): the writer classifies it as well ("stored": takes_stored),
writing the rows that differ, while the runner validates the next (and hands that one over behind
it: its transaction adds the updates the ones ahead of it found, as for worded bad rows); or, one
the runner classified (a key the job saw before), the writer commits its writes
(takes_classified). A re-import known unchanged (engine/unchanged_basis.py) writes only its
counters and items, behind any batch (takes_unchanged)."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import compress
from operator import itemgetter
from typing import Any

from importdesk.engine.batch_build import Batch, TypeBatch
from importdesk.engine.batch_commit import BatchCommitter, ClassifiedBatch, Tally, count_batch
from importdesk.engine.context import EngineContext
from importdesk.engine.errors import JobFailed, StoreWriteFailed, store_fault
from importdesk.engine.unchanged_basis import UnchangedBasis
from importdesk.engine.writer_wording import tally_path
from importdesk.models import ImportJob
from importdesk.readers.csv_lines import CsvLines
from importdesk.schemas import raw_cells
from importdesk.store import seen_keys
from importdesk.store.batch_writer import BatchWriter, CannotSend, StatementRecorder

log = logging.getLogger(__name__)

WRITER_DEPTH = 2  # batches handed over and not settled: a slow commit (checkpoint) stalls nothing


def raw_rows(records: list | CsvLines) -> list | tuple[Any, ...]:
    """A raw batch as the writer is sent it: rows (raw_cells.packed), or CSV lines to parse."""
    if records.__class__ is CsvLines:
        return raw_cells.csv_lines(records.lines, records.first, records.delimiter, records.width, records.limit)
    return raw_cells.packed(records)


@dataclass
class InFlight:
    """A batch handed to the writer: the job before it and after it (as the writer's transaction
    saves it), and the batch itself, to commit it here instead."""

    before: ImportJob
    after: ImportJob
    batch: Batch
    now: datetime
    # keys of rows it classified and does not write (unchanged): the job's seen keys once it commits
    seen: list[tuple[str, str, str, int]] = field(default_factory=list)
    # a batch handed over raw: its source rows (or CSV lines), to validate them here if the writer did not commit it
    raw: list | CsvLines | None = None
    # a batch the writer classifies ("stored"): its type's name, keys and source rows; and, once
    # the writer replied, a byte per row: 1 unchanged (its key joins the seen keys), 0 updated
    stored: tuple[str, list[str], list[int]] | None = None
    unchanged: bytes = b""
    worded: bool = False  # raw rows the writer validates and words (engine/writer_wording.py)
    unchanged_basis: bool = False  # counted all unchanged (engine/unchanged_basis.py)


class WriterOverlap:
    seen_lookup = None  # the job's seen keys are on the runner's connection (dry_run_overlap.py: the writer's)

    def __init__(self, ctx: EngineContext, writer: BatchWriter, committer: BatchCommitter,
                 raw_fingerprint: str | None = None, bad_rows: Callable[[], bool] | None = None,
                 worded: str | None = None):
        """``worded``: the type whose raw batches the writer words, bad rows too (its helper is
        engine/writer_wording.py's; None: a raw batch with a bad row comes back)."""
        self.ctx = ctx
        self._worded = worded
        self._bad_rows = bad_rows  # the runner's last batch had many bad rows (BatchBuilder.many_bad_rows)
        self.committer = committer
        self._writer: BatchWriter | None = writer
        self.in_flight: deque[InFlight] = deque()  # oldest first
        self._layout: tuple[Any, tuple] | None = None  # (pv, writer_columns(pv))
        self._raw_fingerprint = raw_fingerprint  # the runner's validator's; None: no raw batches
        self._raw_pause = 0  # batches to validate here before the next raw one (after a "redo")
        self._raw_backoff = 1
        self._stored_pause = 0  # batches to classify here before the writer's next (after a "changed")
        self._stored_backoff = 1
        # set by the runner when the job's valid rows are known unchanged (engine/unchanged_basis.py);
        # None again once a batch came back because another job wrote since
        self.basis: UnchangedBasis | None = None

    @property
    def open(self) -> bool:
        return self._writer is not None

    @property
    def writer(self) -> BatchWriter | None:
        return self._writer

    def has_room(self) -> bool:
        """The writer has answered all but at most one of the requests in flight."""
        return self._writer is not None and len(self.in_flight) - self._writer.replies_waiting() < WRITER_DEPTH

    def close(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()

    def planned(self, committed: ImportJob) -> ImportJob:
        """The job as it will be once every batch in flight has committed."""
        return self.in_flight[-1].after if self.in_flight else committed

    def takes(self, batch: Batch) -> bool:
        """A batch the writer can commit: positional rows of one type, all keys new as far as the
        batch shows."""
        tb = batch.only_type()
        return (self.open and tb is not None and tb.pv is not None and bool(tb.stored)
                and self.committer.may_be_all_new(tb.rt.name) and tb.keys_unique())

    def wants_raw(self, resource_type: str) -> bool:
        """Hand the next batch over raw (``has_room_for_raw``)? Asked once per batch: after a raw
        batch came back to be validated here (a row with an error), the next 1, 2, 4 … batches
        are validated here without asking (a file with errors everywhere costs the writer little).
        False while the runner's batches have many bad rows: the next would likely come back too,
        validated twice (by the writer up to its first bad row, then here)."""
        if self._worded is None and self._bad_rows is not None and self._bad_rows():
            return False
        if self._raw_pause:
            self._raw_pause -= 1
            return False
        return self.has_room_for_raw(resource_type)

    def has_room_for_raw(self, resource_type: str) -> bool:
        """The writer validates like the runner and has answered all but at most one of the
        requests in flight; the type may still be all new."""
        writer = self._writer
        if writer is None or self._raw_fingerprint is None or not (self.committer.may_be_all_new(resource_type)
                                                                   or self._basis_for(resource_type)):
            return False
        if writer.helper != self._raw_fingerprint and writer.helper_ready() != self._raw_fingerprint:
            return False  # not loaded yet, or not the same validator
        return self.has_room()

    def hand_over_raw(self, before: ImportJob, records: list | CsvLines, rt, pv, name: str | None = None,
                      payload: list | None = None) -> bool:
        """Send a batch of raw rows (source.numbered_rows lists, or CsvLines) as one transaction after
        ``before`` (the planned job), counted as all created; the writer validates them. False:
        it could not be sent (a value marshal cannot carry, a broken record): nothing was handed
        over or counted. ``payload``: what the writer is sent instead of ``records`` (JSON lines,
        engine/json_line_rows.py; ``records`` are kept for a redo); ``name``: the type's name as
        the batch counts it (a file's wire name)."""
        ctx = self.ctx
        ctx.records.ensure_table(rt)
        now = ctx.clock()
        stamp = now.isoformat(timespec="milliseconds")
        n = len(records)
        name = name or rt.name
        batch = Batch(n, 0, [], {name: TypeBatch(rt)}, {name: n})
        after = before.model_copy(deep=True)
        if payload is None and self._basis_for(name):
            steps = self._unchanged_transaction(after, batch, [], n, now)
            steps.validate_only(raw_rows(records))
            if self._send(steps, [], InFlight(before, after, batch, now, raw=records, unchanged_basis=True)):
                return True
            self._pause_raw()
            return False
        count_batch(after, batch, [], Tally(n, n, 0, 0, {name: n}), now)
        steps = self._transaction(after)
        sql = ctx.records.insert_stored_sql(rt, pv, after.uid, stamp)
        worded = self._worded == name and payload is None
        if worded:
            steps.validate_and_word(sql, raw_rows(records), ctx.items.INSERT_SQL)
        else:
            steps.validate_and_insert(sql, raw_rows(records) if payload is None else payload, n)
        if self._send(steps, [], InFlight(before, after, batch, now, raw=records, worded=worded)):
            return True
        self._pause_raw()  # (an XLSX date cell, say: the next ones likely have them too)
        return False

    def _pause_raw(self) -> None:
        self._raw_pause, self._raw_backoff = self._raw_backoff, self._raw_backoff * 2

    def hand_over(self, before: ImportJob, batch: Batch, now: datetime | None = None) -> bool:
        """Send ``batch`` (``takes`` said yes) as one transaction after ``before`` (the planned
        job); ``now``: its time when it was handed over before. False: it could not be sent,
        nothing was handed over or counted."""
        tb = batch.only_type()
        ctx = self.ctx
        ctx.records.ensure_table(tb.rt)
        now = now or ctx.clock()
        stamp = now.isoformat(timespec="milliseconds")
        after = before.model_copy(deep=True)
        n = len(tb.stored)
        # counted under the type's name as the batch has it (a file's wire name), as in process
        count_batch(after, batch, batch.items, Tally(n, n, 0, 0, {next(iter(batch.by_type)): n}), now)
        steps = self._transaction(after)
        positions, project = self._writer_columns(tb.pv)
        rows = tb.stored if project is None else list(map(project, tb.stored))
        steps.executemany(ctx.records.insert_stored_sql(tb.rt, tb.pv, after.uid, stamp, positions), rows, expect=n)
        return self._send(steps, batch.items, InFlight(before, after, replace(batch, items=list(batch.items)), now))

    def _basis_for(self, resource_type: str) -> bool:
        return self.basis is not None and self.basis.resource_type == resource_type

    def takes_unchanged(self, batch: Batch) -> bool:
        """A batch of the one type whose valid rows are known unchanged (``basis``): nothing to
        classify or write but its items and the job, behind any batch in flight."""
        tb = batch.only_type()
        return self.open and tb is not None and self._basis_for(tb.rt.name)

    def hand_over_unchanged(self, before: ImportJob, batch: Batch, now: datetime | None = None) -> bool:
        """Send ``batch`` (``takes_unchanged`` said yes) as one transaction after ``before`` (the
        planned job): its valid rows counted unchanged, its items and the job saved, unless
        another job wrote since the basis held ("changed": it comes back, classified here). False:
        it could not be sent."""
        now = now or self.ctx.clock()
        after = before.model_copy(deep=True)
        steps = self._unchanged_transaction(after, batch, batch.items, len(batch.only_type()), now)
        return self._send(steps, batch.items, InFlight(before, after, replace(batch, items=list(batch.items)), now,
                                                       unchanged_basis=True))

    def _unchanged_transaction(self, after: ImportJob, batch: Batch, items: list, n: int,
                               now: datetime) -> StatementRecorder:
        """``after`` counted with ``batch``'s ``n`` valid rows unchanged, and the transaction that
        saves it only while the basis holds (no job that writes the type has saved its row since)."""
        count_batch(after, batch, items, Tally(n, 0, 0, n, {next(iter(batch.by_type)): n}), now)
        steps = self._transaction(after)
        steps.unless(self.ctx.jobs.WRITERS_CHANGED_SQL, self.basis.check_params())
        return steps

    def only_stored_in_flight(self) -> bool:
        """Nothing in flight but batches the writer classifies: another may follow them."""
        return all(flight.stored is not None for flight in self.in_flight)

    def takes_stored(self, batch: Batch) -> bool:
        """A batch of positional rows of a type that is no longer all new (a re-import): the
        writer can classify it against the store and write what changed, on its core,
        while the next batch is validated here. Only behind batches it classifies too (or none:
        their corrections of the counters are known to the writer, "tally"). Asked once per
        batch: after a batch came back "changed" (a key new, or one this job wrote), the next
        1, 2, 4 … are classified here without asking."""
        tb = batch.only_type()
        if not (self.open and self.only_stored_in_flight() and tb is not None and tb.pv is not None
                and bool(tb.stored) and not self.committer.may_be_all_new(tb.rt.name)):
            return False
        if self._stored_pause:
            self._stored_pause -= 1
            return False
        return True

    def hand_over_stored(self, job: ImportJob, batch: Batch, now: datetime | None = None) -> bool:
        """Send ``batch`` (``takes_stored`` said yes) to be classified by the writer, as one
        transaction after ``job`` (the planned job): counted as all unchanged, which the writer
        corrects by the rows it updates (and so does ``settle``, with its reply). False: a key
        twice, or one the job saw already or a batch in flight holds (duplicates are worded
        here), or it could not be sent."""
        ctx = self.ctx
        tb = batch.only_type()
        pv, name = tb.pv, tb.rt.name
        keys = list(map(pv.key_of, tb.stored))
        unique = set(keys)
        if (len(unique) != len(keys) or any(not unique.isdisjoint(flight.stored[1]) for flight in self.in_flight)
                or (job.summary.unchanged and seen_keys.seen(ctx.db.conn(), job.uid, name, keys))):
            return False
        ctx.records.ensure_table(tb.rt)  # (the table has the columns the writer's update sets)
        now = now or ctx.clock()
        after = job.model_copy(deep=True)
        n = len(tb.stored)
        count_batch(after, batch, batch.items, Tally(n, 0, 0, n, {next(iter(batch.by_type)): n}), now)
        rows = list(map(itemgetter(pv.tail), tb.stored))
        steps = self._transaction(after)
        steps_after = StatementRecorder()
        steps_after.write_changed(ctx.records.stored_sql(tb.rt), job.uid, keys, list(map(pv.values_of, tb.stored)),
                                  rows, ctx.records.update_sql(tb.rt), now.isoformat(timespec="milliseconds"))
        return self._send(steps, batch.items, InFlight(job, after, replace(batch, items=list(batch.items)), now,
                                                       stored=(name, keys, rows)), last=steps_after.steps)

    def _tally_stored(self, unchanged: bytes) -> None:
        """The writer's reply to a "stored" batch (the first in flight): its updates counted as
        the writer's transaction corrected them, and so in the batches after it, which counted on
        it (their transactions correct the same, "tally"); its unchanged rows' keys to join the
        job's seen keys (_committed)."""
        self.in_flight[0].unchanged = unchanged
        updated = len(unchanged) - unchanged.count(1)
        if updated:
            for job in self._counted_on_first():
                tally_updates(job, updated)

    def _tally_worded(self, bad: int, errors: int) -> None:
        """The writer's reply to a "worded" batch (the first in flight): its bad rows counted as
        the writer's transaction corrected them, and so in the batches after it, which counted on
        it (their transactions correct the same, "tally")."""
        if bad or errors:
            for job in self._counted_on_first():
                tally_bad_rows(job, self._worded, bad, errors)

    def _counted_on_first(self) -> list[ImportJob]:
        """The jobs that counted on the first batch in flight: its after, and the before and
        after of each batch behind it, each once (a batch's before is often the after of the
        one before it: the same object)."""
        first, *later = self.in_flight
        jobs = [first.after, *(job for flight in later for job in (flight.before, flight.after))]
        return list({id(job): job for job in jobs}.values())

    def takes_classified(self, batch: Batch) -> bool:
        """A batch of positional rows of a type that is no longer all new (a re-import): classified
        here against the store, its writes committed by the writer. Only with nothing in flight,
        so the store it is classified against holds every batch before it."""
        tb = batch.only_type()
        return (self.open and not self.in_flight and tb is not None and tb.pv is not None and bool(tb.stored)
                and not self.committer.may_be_all_new(tb.rt.name))

    def hand_over_classified(self, job: ImportJob, classified: ClassifiedBatch) -> bool:
        """Send the writes of a classified batch (``takes_classified`` said yes) as one transaction
        after the committed ``job``; the next batch is validated while they are written. False:
        nothing to write (unchanged rows), or it could not be sent: nothing was handed over."""
        if not classified.outcome.writes:
            return False
        steps = self._transaction(classified.after)
        self.ctx.records.upsert(steps, classified.tb.rt, classified.record_rows(job.uid))
        return self._send(steps, classified.items, InFlight(job, classified.after, classified.batch, classified.now,
                                                            classified.outcome.unwritten))

    def _transaction(self, after: ImportJob) -> StatementRecorder:
        """A batch's transaction for the writer, its first step: the job must still be this
        runner's (a late commit must never overwrite a recovered job)."""
        steps = StatementRecorder()
        self.ctx.jobs.check_still_running(steps, after)
        return steps

    def _send(self, steps: StatementRecorder, items: list, flight: InFlight, last: list | None = None) -> bool:
        """The transaction's last steps (the items, the job as ``flight.after``, then ``last``),
        sent; False: it could not be sent, nothing was handed over."""
        self.ctx.items.add_rows(steps, items)
        self.ctx.jobs.save(flight.after, steps)
        last = list(last or [])
        if any(f.worded or f.stored is not None for f in (flight, *self.in_flight)):
            tally = StatementRecorder()  # counted on "all created" or "all unchanged": corrected
            tally.tally(self.ctx.jobs.TALLY_BAD_ROWS_SQL, tally_path(self._worded) if self._worded else None,
                        self.ctx.jobs.TALLY_UPDATES_SQL, flight.after.uid, len(self.in_flight))
            last += tally.steps
        try:
            self._writer.submit(steps.steps + last)
        except CannotSend as exc:
            log.warning("job %s: a batch could not be sent to the batch writer (%s)", flight.after.uid, exc)
            return False
        self.in_flight.append(flight)
        return True

    def _committed(self, flight: InFlight) -> None:
        """The writer committed ``flight``: its unwritten keys join the job's seen keys."""
        if flight.seen:
            seen_keys.remember(self.ctx.db.conn(), flight.seen)
        if flight.stored is not None and flight.unchanged.count(1):
            name, keys, rows = flight.stored
            seen_keys.remember_keys(self.ctx.db.conn(), flight.after.uid, name,
                                    compress(zip(keys, rows, strict=True), flight.unchanged))

    def _writer_columns(self, pv) -> tuple[dict[int, int] | None, Any]:
        if self._layout is None or self._layout[0] is not pv:
            self._layout = (pv, writer_columns(pv))
        return self._layout[1]

    def settle(self, keep: int, job: ImportJob, restore) -> list[InFlight]:
        """Wait for batches in flight until ``keep`` remain; each the writer committed is passed
        to ``restore`` (its ``after`` is now the committed job). Returns the batches the runner
        must commit itself, in order (the writer committed nothing of them); raises when the
        store refused the writer's transaction (committing here would meet the same disk or lock)."""
        while len(self.in_flight) > keep:
            reply = self._writer.result()
            if isinstance(reply, tuple) and reply[0] == "stored" and self.in_flight[0].stored is not None:
                self._tally_stored(reply[1])
                reply = "ok"
            elif isinstance(reply, tuple) and reply[0] == "worded" and self.in_flight[0].worded:
                self._tally_worded(reply[1], reply[2])
                reply = "ok"
            if reply == "ok":
                flight = self.in_flight.popleft()
                restore(flight.after)  # committed by the writer
                self._committed(flight)
                continue
            failed = list(self.in_flight)  # this batch (not committed) and the ones after it
            corrected = self._worded is not None or any(flight.stored is not None for flight in failed)
            self.in_flight.clear()
            for _ in failed[1:]:
                self._writer.result()  # "skipped"
            if reply in ("conflict", "redo", "changed"):  # redo: a raw batch with a row to word, or a key twice
                self._writer.resume()
                if reply == "conflict":
                    self.committer.not_all_new(next(iter(failed[0].batch.by_type)))
                elif reply == "changed" and failed[0].unchanged_basis:  # another job wrote the type
                    self.basis = None
                elif reply == "changed":
                    # (+1: the batch sent back itself asks first)
                    self._stored_pause, self._stored_backoff = self._stored_backoff + 1, self._stored_backoff * 2
                else:
                    self._pause_raw()
                return failed
            self.close()
            committed = self.ctx.jobs.get(job.uid).metadata.data_row_index
            # the writer may have committed some before it went away (their replies lost):
            # those count; redo from the first that it did not commit
            while failed and failed[0].before.metadata.data_row_index != committed:
                flight = failed.pop(0)
                if flight.stored is not None:  # its counters as the writer corrected them (restored
                    flight.after = self.ctx.jobs.get(job.uid)  # below, as the last committed); its keys
                    # every key: which rows it updated is unknown, and an updated one is found
                    # through the records as well, so remembering it too changes nothing
                    flight.unchanged = bytes([1]) * len(flight.stored[1])
                if flight.after.metadata.data_row_index == committed:
                    restore(flight.after)
                self._committed(flight)
            if corrected:  # a worded or stored batch's correction may not have come back: the store's
                restore(self.ctx.jobs.get(job.uid))
            if not failed:
                if job.metadata.data_row_index != committed:
                    raise RuntimeError(f"batch writer: the job's checkpoint {committed} matches no batch")
                return []  # all committed before the writer went away
            if not corrected:
                restore(failed[0].before)
            if reply == "stale":
                raise JobFailed(f"{job.file_name}: the job is no longer run by this process")
            detail = reply[1] if isinstance(reply, tuple) else str(reply)
            if store_fault(detail) is not None:
                raise StoreWriteFailed(detail)
            log.warning("batch writer failed (%s); committing in this process", reply)
            return failed
        return []


def tally_bad_rows(job: ImportJob, name: str, bad: int, errors: int) -> None:
    """``job``'s counters, made counting ``bad`` rows of type ``name`` as created, corrected: as
    ``JobStore.TALLY_BAD_ROWS_SQL`` corrects the stored job."""
    job.progress.done -= bad
    job.progress.error += bad
    job.summary.create -= bad
    job.processed_count -= bad
    job.errors_count += errors
    job.type_counts.imported[name] -= bad


def tally_updates(job: ImportJob, updated: int) -> None:
    """``job``'s counters, made counting ``updated`` rows as unchanged, corrected: as
    ``JobStore.TALLY_UPDATES_SQL`` corrects the stored job."""
    job.summary.update += updated
    job.summary.unchanged -= updated
    job.processed_count += updated


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
