"""A table cell of JSON is stored as its compact text; that text is memoised by the cell's text
(attribute cells recur) and the memo stops where cells do not repeat. Neither may change what
is stored or how a bad cell is worded."""

from __future__ import annotations

import pytest
from pydantic_core import SchemaValidator
from pydantic_core import core_schema as cs
from test_schemas_validate import ALL_TYPES

from importdesk.schemas import load_text
from importdesk.schemas.coerce.memo import CACHE_SIZE
from importdesk.schemas.dbvalues import plain_json_text
from importdesk.schemas.errors import RowInvalid

CELLS = ['{"color":"red","size":"M"}', ' { "b" : [1, 2.50, -0, 0.1e1, 1e400] } ', '{"a":1,"a":2}', '"é"',
         "123456789012345678901234567890", "NaN", '{"z":null}', "null", "[]", '"\\u00e9\\n"']
BAD = ['{"a":1} x', "[1,2,]", '"\\ud800"', "{", "{bad json"]


@pytest.fixture(scope="module")
def rt():
    return load_text(ALL_TYPES, source="everything.toml")


def _stored(pv, cell: str):
    return pv.validate(["AB-1", "n", cell, 2])[2]  # (the cells in column order, then the row number)


def _as_parsed_then_written(cell: str):
    """What the stored text is without a memo: pydantic-core's JSON, then plain_json_text."""
    return plain_json_text(SchemaValidator(cs.json_schema()).validate_python(cell))


def test_a_json_cell_is_stored_the_same_however_often_it_repeats(rt):
    pv = rt.validator("en").positional(["code", "note", "extra"])
    expected = [_as_parsed_then_written(c) for c in CELLS]
    for _ in range(3):  # the second and third time from the memo
        assert [_stored(pv, c) for c in CELLS] == expected
    assert expected[0] == '{"color":"red","size":"M"}' and expected[2] == '{"a":2}'


def test_cells_that_never_repeat_stop_the_memo_and_are_stored_the_same(rt):
    pv = rt.validator("en").positional(["code", "note", "extra"])
    unique = [f'{{"n": {i}, "tag": "t{i}"}}' for i in range(2 * CACHE_SIZE + 10)]
    assert [_stored(pv, c) for c in unique] == [f'{{"n":{i},"tag":"t{i}"}}' for i in range(len(unique))]
    assert [_stored(pv, c) for c in CELLS] == [_as_parsed_then_written(c) for c in CELLS]


@pytest.mark.parametrize("cell", BAD)
def test_a_cell_that_is_not_json_is_worded_as_ever_first_time_or_again(rt, cell):
    pv = rt.validator("en").positional(["code", "note", "extra"])
    for _ in range(2):
        with pytest.raises(RowInvalid) as info:
            pv.validate(["AB-1", "n", cell, 2])
        (error,) = info.value.errors
        assert (error.field, error.value, error.code) == ("extra", cell, "invalid_json")
        assert error.message.startswith("is not valid JSON")
