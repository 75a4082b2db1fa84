"""Raw cells through the batch writer's pipe (schemas/raw_cells.py): dates as tuples and back."""

from __future__ import annotations

import csv
import datetime as dt
import marshal

import pytest

from importdesk.schemas.raw_cells import NotOneRowALine, csv_lines, packed, unpacked


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


def test_csv_lines_travel_as_lines_and_come_back_as_the_rows_of_each_line():
    lines = ['a,"b, c",1\r\n', 'd,"say ""hi""",2\n', "e,,3"]
    back = unpacked(marshal.loads(marshal.dumps(csv_lines(lines, 7, ",", 3, 1000))))
    assert back == [["a", "b, c", "1", 7], ["d", 'say "hi"', "2", 8], ["e", "", "3", 9]]


@pytest.mark.parametrize("lines", [
    ["a,b,1\n", ",,\n"],                  # blank: the reader skips it
    ["a,b,1\n", "\n"],                    # an empty line, too
    ["a,b,1\n", "a,b\n"],                 # ragged: the reader words it
    ['a,"b\n', 'c",1\n'],                 # a quoted cell over two lines: one record, two lines
], ids=["delimiters", "empty", "ragged", "two-lines"])
def test_csv_lines_that_are_not_one_full_row_each_are_refused(lines):
    with pytest.raises(NotOneRowALine):
        unpacked(csv_lines(lines, 2, ",", 3, 1000))


def test_csv_lines_with_bad_quoting_are_refused_by_the_csv_module():
    with pytest.raises(csv.Error):
        unpacked(csv_lines(['a,"b"x,1\n'], 2, ",", 3, 1000))
