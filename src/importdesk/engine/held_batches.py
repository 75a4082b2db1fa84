"""Validated batches held before they can commit (while the batch writer counts a new file, and
while it works off the batches held then), kept compact: a TypeBatch's stored rows as one
``marshal`` string (~0.6 MB for 5,000 products rows instead of ~4 MB of tuples), and the batch's
items (its rows' errors) as another, so that many can be held within the job's memory budget,
bad rows or not. Unpacked, the rows and items are equal to what was packed (marshal keeps str,
int, float, bool and None as they are)."""

from __future__ import annotations

import contextlib
import marshal

from importdesk.engine.batch_build import Batch
from importdesk.readers.csv_lines import CsvLines
from importdesk.schemas import raw_cells


class HeldBatch:
    """A batch whose positional rows and items are packed; ``batch`` gives it back as it was built."""

    __slots__ = ("_batch", "_items", "_packed")

    def __init__(self, batch: Batch) -> None:
        self._batch = batch
        self._packed: dict[str, bytes] = {}
        self._items: bytes | None = None
        for name, tb in batch.by_type.items():
            if tb.pv is None or not tb.stored:
                continue
            try:
                self._packed[name] = marshal.dumps(tb.stored)
            except ValueError:  # a value marshal cannot carry: held as it is
                continue
            tb.stored = []
        if batch.items:
            try:
                self._items = marshal.dumps(batch.items)
            except ValueError:  # (held as they are)
                return
            batch.items = []

    @property
    def batch(self) -> Batch:
        by_type = self._batch.by_type
        for name, data in self._packed.items():
            by_type[name].stored = marshal.loads(data)
        self._packed = {}
        if self._items is not None:
            self._batch.items = marshal.loads(self._items)
            self._items = None
        return self._batch


class HeldRows:
    """A batch read after the count, while the writer works off the batches held before it: held
    as read (its rows packed, raw_cells.packed for sheet dates), not validated, so that when its
    turn comes the process with room validates it — the writer, handed it raw, or this one
    (JobRunner._run_batch) — instead of this process always, while the writer waits for it."""

    __slots__ = ("_packed", "_rows")

    def __init__(self, rows: list | CsvLines) -> None:
        self._packed: bytes | None = None
        self._rows: list | CsvLines | None = rows
        # (records, JSON lines and CSV lines are held as they are)
        if rows.__class__ is list and all(row.__class__ is list for row in rows):
            with contextlib.suppress(ValueError):  # (a value marshal cannot carry: held as it is)
                self._packed, self._rows = marshal.dumps(raw_cells.packed(rows)), None

    @property
    def rows(self) -> list | CsvLines:
        if self._packed is None:
            return self._rows  # type: ignore[return-value]
        return raw_cells.unpacked(marshal.loads(self._packed))
