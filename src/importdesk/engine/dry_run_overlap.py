"""A dry run on the batch writer: a validate job of positional rows shares its work with a
``store.batch_writer`` process as an import does (batch_overlap.py), and writes only what a dry
run keeps — its items, counters and checkpoint, one transaction per batch, in file order.

What the dry run must also keep while it runs, to find duplicate keys exactly, is the keys it has
seen (store/seen_keys.py). Here the *writer* keeps them, with each batch's transaction: a batch
whose keys are all new to the store, to the job and to each other (the common case) is a "keys"
step (store/batch_writer.py: a print of each key in memory, the batch's keys in one TEMP table
row — no b-tree entry per key, which cost a dry run as much as an import's record rows), else
"conflict" and the batch comes back. The runner then classifies it (and, as a re-import does,
each batch after it) reading the records table itself and asking the writer which of the batch's
keys the job saw (the writer's seen-keys TEMP table, exact from then on), and hands over the
items, counters and keys the classification gives. A raw batch (the writer validates it:
batch_overlap.py) remembers its keys the same way; it goes as its CSV lines, unparsed, once the
count has shown each line to be one record (readers/csv_lines.py).

Should the writer fail, die or not take a batch that only it could (nothing in flight then), the
seen keys become the runner's again: the writer is closed and the rows before the committed
checkpoint are read again to find them (as a job going on after a checkpoint does), and the rest
is committed in process. A dry run going on after a checkpoint stays in process (its earlier keys
are found on the runner's connection)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from operator import itemgetter

from importdesk.engine.batch_build import Batch, TypeBatch
from importdesk.engine.batch_commit import BatchCommitter, ClassifiedBatch, Tally, count_batch
from importdesk.engine.batch_overlap import InFlight, WriterOverlap, raw_rows
from importdesk.engine.context import EngineContext
from importdesk.models import ImportJob, JobType
from importdesk.readers.csv_lines import CsvLines
from importdesk.store import seen_keys
from importdesk.store.batch_writer import BatchWriter, StatementRecorder


def dry_run_may_use_writer(ctx: EngineContext, job: ImportJob) -> bool:
    """A validate job from its first row, on a SQLite store (the writer's), not in a frozen app."""
    return (job.job_type is JobType.VALIDATE and job.metadata.data_row_index == 0
            and ctx.db.batch_writer_ok and not getattr(sys, "frozen", False))


class DryRunOverlap(WriterOverlap):
    """WriterOverlap for a dry run: keys into the writer's TEMP table instead of records."""

    def __init__(self, ctx: EngineContext, writer: BatchWriter, committer: BatchCommitter,
                 raw_fingerprint: str | None, job_uid: str, keys_back: Callable[[], None],
                 bad_rows: Callable[[], bool] | None = None):
        super().__init__(ctx, writer, committer, raw_fingerprint, bad_rows)
        self._job_uid = job_uid
        # finds the job's seen keys again on the runner's connection (the job as committed)
        self._keys_back = keys_back

    def _transaction(self, after: ImportJob) -> StatementRecorder:
        steps = super()._transaction(after)
        steps.execute(seen_keys.CREATE_SQLITE)  # (the writer's connection: made by its first batch)
        return steps

    def _scope(self, resource_type: str) -> tuple[str, ...]:
        """Whose keys a "keys" step holds, and the writer's seen-keys table they go to when exact."""
        return (self._job_uid, resource_type, seen_keys.CREATE_SQLITE, seen_keys.REMEMBER_SQLITE,
                seen_keys.REMEMBER_NEW_SQLITE)

    def hand_over_raw(self, before: ImportJob, records: list | CsvLines, rt, pv) -> bool:
        """Raw rows for the writer to validate, their keys remembered if all are new (else
        "redo" / "conflict": the batch comes back); counted as all created, as in process."""
        now = self.ctx.clock()
        n = len(records)
        batch = Batch(n, 0, [], {rt.name: TypeBatch(rt)}, {rt.name: n})
        after = before.model_copy(deep=True)
        count_batch(after, batch, [], Tally(n, n, 0, 0, {rt.name: n}), now)
        steps = self._transaction(after)
        steps.validate_and_remember(self._scope(rt.name), raw_rows(records), self.ctx.records.any_exists_sql(rt),
                                    after.progress.total)
        if self._send(steps, [], InFlight(before, after, batch, now, raw=records)):
            return True
        self._pause_raw()
        return False

    def hand_over(self, before: ImportJob, batch: Batch, now: datetime | None = None) -> bool:
        """A batch validated here whose keys may all be new: its keys, items and counters."""
        tb = batch.only_type()
        now = now or self.ctx.clock()
        after = before.model_copy(deep=True)
        n = len(tb.stored)
        count_batch(after, batch, batch.items, Tally(n, n, 0, 0, {next(iter(batch.by_type)): n}), now)
        steps = self._transaction(after)
        pv = tb.pv
        steps.remember_new_keys(self._scope(tb.rt.name), list(map(pv.key_of, tb.stored)),
                                list(map(itemgetter(pv.tail), tb.stored)), self.ctx.records.any_exists_sql(tb.rt),
                                after.progress.total)
        return self._send(steps, batch.items, InFlight(before, after, replace(batch, items=list(batch.items)), now))

    def takes_stored(self, batch: Batch) -> bool:
        """Never: a dry run's batches write no record (its classified ones: takes_classified)."""
        return False

    def takes_classified(self, batch: Batch) -> bool:
        """Every batch of positional rows the writer did not take as all new: only the writer
        knows the job's keys (nothing in flight, so it holds every batch before this one)."""
        tb = batch.only_type()
        return self.open and not self.in_flight and tb is not None and tb.pv is not None and bool(tb.stored)

    def seen_lookup(self, resource_type: str, keys: list[str]) -> dict[str, int]:
        """The row numbers of those of ``keys`` the job saw (asked of the writer, nothing in flight)."""
        if self._writer is not None:
            try:
                return dict(self._writer.ask(seen_keys.ASK_SQLITE,
                                             seen_keys.ask_params(self._job_uid, resource_type, keys),
                                             before=(("exact_keys", self._scope(resource_type)),)))
            except RuntimeError:
                self._take_keys_back()
        return seen_keys.seen(self.ctx.db.conn(), self._job_uid, resource_type, keys)

    def hand_over_classified(self, job: ImportJob, classified: ClassifiedBatch) -> bool:
        """The classified batch's items, counters and keys (a dry run writes no record). False:
        it could not be sent (or the writer went while it was classified); the keys are the
        runner's again, to commit it here."""
        if self._writer is None:
            return False
        steps = self._transaction(classified.after)
        steps.exact_keys(self._scope(classified.tb.rt.name))  # (asked already, unless nothing was asked)
        if classified.outcome.unwritten:
            steps.executemany(seen_keys.REMEMBER_SQLITE, classified.outcome.unwritten)
        if self._send(steps, classified.items, InFlight(job, classified.after, classified.batch, classified.now)):
            return True
        self._take_keys_back()
        return False

    def settle(self, keep: int, job: ImportJob, restore) -> list[InFlight]:
        was_open = self.open
        failed = super().settle(keep, job, restore)
        if was_open and not self.open:  # it failed or died: what it did not commit is committed here
            self._keys_back()
        return failed

    def _take_keys_back(self) -> None:
        self.close()
        self._keys_back()
