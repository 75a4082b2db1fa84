"""Commit and classify: one validated batch becomes one ``BEGIN IMMEDIATE … COMMIT`` in this
process — its records (execute jobs), items, counters and checkpoint together, or nothing.

A batch of all-new keys is inserted in one go (``INSERT OR IGNORE`` in a savepoint, no lookups);
otherwise rows are classified create / update / unchanged against the stored values, in file
order, so a key repeated in the file is an update of its own earlier row (the later row wins)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, repeat
from operator import eq, itemgetter, not_
from typing import Any

from importdesk.engine.batch_build import Batch, TypeBatch
from importdesk.engine.context import EngineContext
from importdesk.engine.job_items import ItemRow, count_levels, item_row
from importdesk.engine.row_groups import CONFLICT
from importdesk.engine.row_mapper import UNDECLARED, RowMapper, undeclared_message
from importdesk.models import ImportJob, ItemLevel, JobType
from importdesk.store import seen_keys

# (resource type, keys) -> the row numbers of those the job has seen
SeenLookup = Callable[[str, list[str]], dict[str, int]]
# key -> (stored values, last writing job, its source row): RecordStore.existing
Stored = dict[str, tuple[tuple[Any, ...], str, int]]


@dataclass
class Tally:
    """What a batch's commit did: the job's counters move by these."""

    done: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    imported: dict[str, int] = field(default_factory=dict)  # valid rows per type


@dataclass
class Classified:
    """The rows of one type sorted against the store, and the writes that makes."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    writes: list[tuple[str, tuple[Any, ...], int]] = field(default_factory=list)  # (key, values, row)
    # keys of the rows it does not write, for the job's seen keys: (job uid, type, key, row)
    unwritten: list[tuple[str, str, str, int]] = field(default_factory=list)


@dataclass
class ClassifiedBatch:
    """A batch of one type classified outside its transaction (the store holds every batch before
    it): what its transaction writes, and the job after it."""

    batch: Batch
    tb: TypeBatch
    items: list[ItemRow]  # the batch's, with the duplicate-key warnings
    outcome: Classified
    after: ImportJob
    now: Any

    def record_rows(self, job_uid: str) -> list[tuple[Any, ...]]:
        stamp = self.now.isoformat(timespec="milliseconds")
        return [(k, *v, job_uid, r, stamp, stamp) for k, v, r in self.outcome.writes]


def count_batch(job: ImportJob, batch: Batch, items: list[ItemRow], tally: Tally, now) -> None:
    """``job``'s counters and checkpoint after a batch (``items``: the batch's, with any added at commit)."""
    p = job.progress
    p.done += tally.done
    p.error += batch.error_rows
    p.pending = p.total - p.done - p.error
    if p.pending < 0:  # the file grew since it was counted: keep the invariant honest
        p.total -= p.pending
        p.pending = 0
    job.metadata.data_row_index += batch.consumed
    job.summary.create += tally.created
    job.summary.update += tally.updated
    job.summary.unchanged += tally.unchanged
    if job.job_type is JobType.EXECUTE:
        job.processed_count += tally.created + tally.updated
    errors, warnings = count_levels(items)
    job.errors_count += errors
    job.warnings_count += warnings
    tc = job.type_counts
    for name, n in batch.uploaded.items():
        tc.uploaded[name] = tc.uploaded.get(name, 0) + n
    for name, n in tally.imported.items():
        tc.imported[name] = tc.imported.get(name, 0) + n
    job.heartbeat_at = job.updated_at = now


class BatchCommitter:
    """Commits one job's batches in this process. Remembers per type whether a batch may still be
    tried as all new (a key that exists already ends that for the type: row by row from then on)."""

    def __init__(self, ctx: EngineContext, mapper: RowMapper):
        self.ctx = ctx
        self.mapper = mapper
        self._all_new: dict[str, bool] = {}

    def may_be_all_new(self, resource_type: str) -> bool:
        return self._all_new.get(resource_type, True)

    def not_all_new(self, resource_type: str) -> None:
        self._all_new[resource_type] = False

    def commit(self, job: ImportJob, batch: Batch, now) -> ImportJob:
        """Commit ``batch`` after the committed ``job``; returns the job as that transaction saved it."""
        after = job.model_copy(deep=True)
        ctx = self.ctx
        execute = job.job_type is JobType.EXECUTE
        stamp = now.isoformat(timespec="milliseconds")
        if execute:
            for tb in batch.by_type.values():
                ctx.records.ensure_table(tb.rt)
        with ctx.db.write() as conn:
            items = [*batch.items, *self.note_undeclared(conn, job)]  # a copy: a batch tried again adds them again
            tally = Tally()
            for name, tb in batch.by_type.items():
                tally.done += len(tb)
                tally.imported[name] = len(tb)
                if execute and self.may_be_all_new(name) and tb.keys_unique():
                    # Optimistic path for new data: no lookups, no classification. Any key that
                    # exists already makes it insert nothing, and this type goes row by row from now.
                    if self._insert_all_new(conn, job, tb, stamp):
                        tally.created += len(tb)
                        continue
                    self.not_all_new(name)
                if not execute and tb.pv is not None and self._dry_run_all_new(conn, job, tb):
                    tally.created += len(tb)
                    continue
                outcome = self._sorted_against_store(conn, job, tb, items)
                tally.created += outcome.created
                tally.updated += outcome.updated
                tally.unchanged += outcome.unchanged
                if execute and outcome.writes:
                    ctx.records.upsert(conn, tb.rt, [(k, *v, job.uid, r, stamp, stamp)
                                                     for k, v, r in outcome.writes])
            ctx.items.add_rows(conn, items)
            # counters and checkpoint, in the same transaction as the rows they describe
            count_batch(after, batch, items, tally, now)
            ctx.jobs.save(after, conn)
        return after

    def classify_batch(self, job: ImportJob, batch: Batch, now, seen: SeenLookup | None = None) -> ClassifiedBatch:
        """Classify a batch of one type after the committed ``job``, reading the store as it is
        (``seen``: where the job's seen keys are, when not on this connection)."""
        name, tb = next(iter(batch.by_type.items()))
        items = list(batch.items)
        conn = self.ctx.db.conn()
        outcome = self._sorted_against_store(conn, job, tb, items, remember=False, seen=seen)
        after = job.model_copy(deep=True)
        count_batch(after, batch, items, Tally(len(tb), outcome.created, outcome.updated, outcome.unchanged,
                                               {name: len(tb)}), now)
        return ClassifiedBatch(batch, tb, items, outcome, after, now)

    def commit_classified(self, job: ImportJob, classified: ClassifiedBatch) -> ImportJob:
        """Commit a classified batch here; returns the job as that transaction saved it."""
        outcome = classified.outcome
        with self.ctx.db.write() as conn:
            if outcome.writes:
                self.ctx.records.upsert(conn, classified.tb.rt, classified.record_rows(job.uid))
            self.ctx.items.add_rows(conn, classified.items)
            if outcome.unwritten:
                seen_keys.remember(conn, outcome.unwritten)
            self.ctx.jobs.save(classified.after, conn)
        return classified.after

    def _insert_all_new(self, conn, job: ImportJob, tb: TypeBatch, stamp: str) -> bool:
        records = self.ctx.records
        if tb.pv is not None:
            return records.insert_all_new_stored(conn, tb.rt, tb.pv, tb.stored, job.uid, stamp)
        rows = [(k, *v, job.uid, r, stamp, stamp) for k, v, r in zip(tb.keys, tb.values, tb.rows, strict=True)]
        return records.insert_all_new(conn, tb.rt, rows)

    def _dry_run_all_new(self, conn, job: ImportJob, tb: TypeBatch) -> bool:
        """A validate job's batch of positional rows whose keys are new to the store, to the job
        and to each other: every row is a "create", and its key is remembered, without taking the
        rows apart and classifying them one by one. False: classify them."""
        pv = tb.pv
        keys = list(map(pv.key_of, tb.stored))
        name = tb.rt.name
        if (len(set(keys)) != len(keys) or self.ctx.records.any_exists(conn, tb.rt, keys)
                or seen_keys.seen(conn, job.uid, name, keys)):
            return False
        seen_keys.remember(conn, zip(repeat(job.uid), repeat(name), keys, map(itemgetter(pv.tail), tb.stored)))
        return True

    def _sorted_against_store(self, conn, job: ImportJob, tb: TypeBatch, items: list[ItemRow], *,
                              remember: bool = True, seen: SeenLookup | None = None) -> Classified:
        """All stored at once where it can be, else row by row. The stored records of positional
        rows are read once for both (a changed re-import read them twice: a sixth of its time)."""
        stored = None
        if tb.pv is not None and tb.stored:
            stored = self.ctx.records.existing(conn, tb.rt, list(map(tb.pv.key_of, tb.stored)))
            outcome = self._all_stored(conn, job, tb, stored, remember=remember, seen=seen)
            if outcome is not None:
                return outcome
        tb.unpack()
        return self.classify(conn, job, tb, items, remember=remember, seen=seen, stored=stored)

    def _all_stored(self, conn, job: ImportJob, tb: TypeBatch, stored: Stored, *,
                    remember: bool = True, seen: SeenLookup | None = None) -> Classified | None:
        """A batch of positional rows whose keys are unique, all stored (``stored``: their records)
        by another job, and not seen by this one — a re-import's batch: each row is "unchanged"
        when its values are the stored ones and an update otherwise, as ``classify`` finds them
        (no row can be new or a duplicate), sorted by C-level maps instead of row by row. None:
        classify them."""
        pv = tb.pv
        keys = list(map(pv.key_of, tb.stored))
        if len(stored) != len(keys):  # a new key, or a key twice
            return None
        uid = job.uid
        olds = list(map(stored.__getitem__, keys))
        if uid in map(itemgetter(1), olds):
            return None
        name = tb.rt.name
        if ((job.job_type is not JobType.EXECUTE or job.summary.unchanged)
                and (seen or partial(seen_keys.seen, conn, uid))(name, keys)):
            return None
        values = list(map(pv.values_of, tb.stored))
        same = list(map(eq, map(itemgetter(0), olds), values))
        rows = list(map(itemgetter(pv.tail), tb.stored))
        out = Classified(unchanged=same.count(True))
        out.updated = len(same) - out.unchanged
        if out.updated:  # (key, values, row): a write as classify makes it
            out.writes = list(compress(zip(keys, values, rows, strict=True), map(not_, same)))
        unwritten = zip(repeat(uid), repeat(name), keys, rows)
        # an execute job writes its updates; a dry run writes nothing, and remembers every key
        out.unwritten = list(compress(unwritten, same) if job.job_type is JobType.EXECUTE else unwritten)
        if remember and out.unwritten:
            seen_keys.remember(conn, out.unwritten)
        return out

    def note_undeclared(self, conn, job: ImportJob) -> list[ItemRow]:
        """Attributes the type does not declare: one warning per job, type and attribute, whose
        value is the number of records that had it (updated in each batch's transaction). Returns
        the warnings new to the job, to add to the batch's items."""
        new, more = self.mapper.undeclared_changes()
        if more:
            self.ctx.items.set_counts(conn, job.uid, UNDECLARED,
                                      [(rt, name, n, undeclared_message(rt, n)) for rt, name, n in more])
        return [*(item_row(job.uid, row, ItemLevel.WARNING, name, str(n), UNDECLARED, undeclared_message(rt, n),
                           None, rt)
                  for row, rt, name, n in new),
                *(item_row(job.uid, row, ItemLevel.WARNING, name, value, CONFLICT, message, None, rt, key)  # row_groups
                  for row, rt, name, value, message, key in self.mapper.notes)]

    def classify(self, conn, job: ImportJob, tb: TypeBatch, items: list[ItemRow], *,
                 remember: bool = True, seen: SeenLookup | None = None, stored: Stored | None = None) -> Classified:
        """Create / update / unchanged against the store, applying the file's rows in order, so a
        key repeated in the file is an update of its own earlier row (the later row wins).

        A key this job saw in an earlier batch is found through the records table (it wrote the
        record: `_job_uid`), or, for rows it did not write (validate jobs, unchanged rows), through
        the job's seen keys (store/seen_keys.py), which stay few for an execute job of new or
        changed data. ``remember``: add the unwritten rows' keys to them now (else the caller
        does, once the batch has committed). ``seen``: the seen keys' lookup, when they are not
        on ``conn`` (a dry run's, in the batch writer: engine/dry_run_overlap.py). ``stored``: the
        batch's stored records, when already read; taken over and changed here."""
        uid = job.uid
        execute = job.job_type is JobType.EXECUTE
        out = Classified()
        if stored is None:
            stored = self.ctx.records.existing(conn, tb.rt, tb.keys)
        earlier: dict[str, int] = {}
        if not execute or job.summary.unchanged:
            earlier = (seen or partial(seen_keys.seen, conn, uid))(tb.rt.name, tb.keys)
        for key, (_values, writer, row) in stored.items():
            if writer == uid:
                earlier[key] = row
        remembered: dict[str, int] = {}
        unwritten = out.unwritten
        for key, values, row in zip(tb.keys, tb.values, tb.rows, strict=True):
            previous_row = remembered.get(key) or earlier.get(key)
            if previous_row is not None:
                shown = key.replace("\x1f", " / ")
                items.append(item_row(
                    uid, row, ItemLevel.WARNING, ",".join(tb.rt.key), shown, "duplicate_key",
                    f"the same key is on row {previous_row}; this later row (row {row}) wins",
                    None, tb.rt.name, shown))
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
        if remember and unwritten:
            seen_keys.remember(conn, unwritten)
        return out
