"""Raw cells through the batch writer's pipe (schemas/raw_cells.py): dates as tuples and back."""

from __future__ import annotations

import datetime as dt
import marshal

from importdesk.schemas.raw_cells import packed, unpacked


def test_dates_and_times_travel_and_come_back_the_same():
    rows = [["a", dt.date(2024, 2, 29), dt.datetime(2024, 5, 1, 13, 30, 5, 120), 7, 2],
            ["b", None, dt.date(1900, 1, 1), 1.5, 3]]
    sent = packed(rows)
    assert sent is not rows and rows[0][1] == dt.date(2024, 2, 29)   # the runner's rows stay as they were
    back = unpacked(marshal.loads(marshal.dumps(sent)))
    assert back == rows and [type(v) for r in back for v in r] == [type(v) for r in rows for v in r]


def test_rows_without_dates_are_sent_as_they_are_and_odd_values_stay():
    rows = [["a", "2024-01-01", 3]]
    assert packed(rows) is rows and packed([]) == []
    aware = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    odd = packed([[dt.date(2024, 1, 1), 1], [aware, 2], ["x", 3]])
    assert odd[1][0] is aware   # not carried: the batch cannot be sent, the runner validates it
