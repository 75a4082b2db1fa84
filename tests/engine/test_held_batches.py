"""Batches held packed (engine/held_batches.py): unpacked, each is the batch that was built."""

from __future__ import annotations

import copy
from datetime import date

from importdesk.engine.batch_build import Batch, TypeBatch
from importdesk.engine.held_batches import HeldBatch


def _batch(stored: list[tuple]) -> Batch:
    return Batch(len(stored), 0, [], {"products": TypeBatch(rt=None, pv=object(), stored=stored)},
                 {"products": len(stored)})


def test_a_held_batch_gives_back_its_rows_with_their_types():
    stored = [("SKU-1", "Käse", "9.50", 1.25, True, None, 7, "2024-01-02", 2),
              ("SKU-2", "", "0.10", -0.0, False, None, 10**20, "{\"a\":1}", 3)]
    expected = copy.deepcopy(stored)
    held = HeldBatch(_batch(stored))
    batch = held.batch
    rows = batch.by_type["products"].stored
    assert rows == expected
    assert [[type(v) for v in r] for r in rows] == [[type(v) for v in r] for r in expected]
    assert (batch.consumed, batch.uploaded) == (2, {"products": 2})


def test_a_value_marshal_cannot_carry_is_held_as_it_is():
    stored = [("SKU-1", date(2024, 1, 2), 2)]
    batch = HeldBatch(_batch(stored)).batch
    assert batch.by_type["products"].stored == [("SKU-1", date(2024, 1, 2), 2)]


def test_a_held_batch_gives_back_its_items():
    from importdesk.engine.job_items import item_row
    from importdesk.models import ItemLevel

    stored = [("SKU-1", "Käse", "9.50", 2)]
    items = [item_row("JOB", 3, ItemLevel.ERROR, "price", "-1", "negative", "must be 0 or more",
                      '{"sku": "SKU-2", "price": "-1"}', "products", "SKU-2")]
    batch = _batch(copy.deepcopy(stored))
    batch.items = copy.deepcopy(items)
    held = HeldBatch(batch)
    assert batch.items == []  # packed while held
    back = held.batch
    assert back.items == items and back.by_type["products"].stored == stored
