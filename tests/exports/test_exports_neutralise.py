"""Formula neutralisation (OWASP CSV injection) and its exact inverse."""

from __future__ import annotations

import itertools

import pytest

from importdesk.exports import FORMULA_CHARS, is_formula_like, neutralise, unneutralise


@pytest.mark.parametrize("char", FORMULA_CHARS)
def test_every_formula_character_gets_the_prefix_and_comes_back(char):
    value = f"{char}cmd|' /C calc'!A0"
    assert neutralise(value) == "'" + value
    assert unneutralise(neutralise(value)) == value


def test_formula_chars_are_the_owasp_six():
    assert set(FORMULA_CHARS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize(("value", "exported"), [
    ("", ""),
    ("-5.00", "'-5.00"),          # OWASP: negative numbers in text get the prefix too
    ("+49 30 123456", "'+49 30 123456"),
    ("=1+1", "'=1+1"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("plain", "plain"),
    ("a=b", "a=b"),               # only the first character counts
    (" =x", " =x"),
    ("'abc", "'abc"),             # an apostrophe then a letter: left alone
    ("'", "'"),
    ("''", "''"),
    ("'=x", "''=x"),              # documented: one more apostrophe, so re-import gives "'=x" back
    ("''-1", "'''-1"),
])
def test_edge_cases(value, exported):
    assert neutralise(value) == exported
    assert unneutralise(exported) == value


def test_unneutralise_leaves_foreign_values_alone():
    assert unneutralise("'abc") == "'abc"
    assert unneutralise("-5.00") == "-5.00"
    assert unneutralise("=x") == "=x"
    assert unneutralise("") == ""


def test_round_trip_is_exact_and_output_is_never_a_formula():
    alphabet = ["'", "=", "-", "\t", "a", " ", "1"]
    for n in range(5):
        for chars in itertools.product(alphabet, repeat=n):
            v = "".join(chars)
            out = neutralise(v)
            assert unneutralise(out) == v, repr(v)
            assert not is_formula_like(out), repr(v)
