"""JSON Lines read line by line give exactly what the scanner gives: the same values, errors and
line numbers, whatever the file mixes in and wherever the chunks cut it."""

from __future__ import annotations

import random

import pytest

from importdesk.readers import json_source, open_source

PIECES = [
    '{"sku": "a", "price": 12345678901234567.89, "n": 7}',
    '  {"sku": "indented", "w": -0.50}  ',
    '{"sku": "crlf", "ok": true}\r',
    "",
    "   ",
    '{"sku": "b", "x": }',
    '{"a": 1} {"b": 2}',
    '{"n": ' + "9" * 101 + "}",
    '{"p": 1.5e-1001}',
    '{"p": NaN}',
    "[1, 2]",
    '"text"',
    '{"deep": ' + "[" * 40 + "]" * 40 + "}",
    '{"data": {"type": "plan", "attributes": {"name": "p"}}}',
    '{\n  "pretty": [1,\n 2]\n}',
    '{"é": "ü", "s": "\\ud800"}',
    '{"cut": "unterminated',
    '{"tab": "a\tb"}',
    '\x0c{"formfeed": 1}',
    '\ufeff{"bom": 1}',
    '{"del": "\x7f", "nul": "\\u0000"}',
    '{"e": 1.5e3, "E": -2E-2, "big": 1e2000}',
    '{"long": 0.' + "1" * 60 + "1" * 50 + "}",
    '{"ok": 1.' + "2" * 60 + '}',
    '{"n": -0, "f": -0.0, "i": ' + "7" * 40 + "}",
    '{"dup": 1, "dup": 2}',
    '{"inf": Infinity}',
]


def _records(path):
    with open_source(path) as src:
        return [(r.number, r.values, r.type, r.error) for r in src.records()]


def _scanner_records(path, monkeypatch):
    with monkeypatch.context() as m:
        # (the scanner's values carry no line: only line by line does a record keep its line)
        m.setattr(json_source._JsonBase, "_line_values", lambda self, lazy=False: ((*v, None) for v in self._values()))
        return _records(path)


@pytest.mark.parametrize("seed", range(12))
def test_line_by_line_reads_what_the_scanner_reads(write, monkeypatch, seed):
    rnd = random.Random(seed)
    clean = [PIECES[0], PIECES[1], PIECES[2], PIECES[3]]
    pieces = [rnd.choice(clean if rnd.random() < 0.7 else PIECES) for _ in range(60)]
    text = "\n".join(pieces) + rnd.choice(["", "\n"])
    path = write(f"mixed{seed}.jsonl", text)
    chunk = rnd.choice([7, 64, 200, 1 << 20])
    monkeypatch.setattr(json_source, "CHUNK_CHARS", chunk)
    expected = _scanner_records(path, monkeypatch)
    assert _records(path) == expected
    assert expected
    assert _lazy_records(path) == expected


def _lazy_records(path):
    """lazy_records(), each decoded (the import's way when the batch writer may decode lines)."""
    from importdesk.readers.json_source import LazyLine, decode_lines

    with open_source(path) as src:
        records = list(src.lazy_records())
    decode_lines(records)
    assert not any(r.__class__ is LazyLine for r in records)
    return [(r.number, r.values, r.type, r.error) for r in records]


def test_lazy_lines_decode_into_the_records_the_reader_reads(write):
    path = write("lazy.jsonl", "\n".join([PIECES[0], PIECES[1], "", PIECES[2], "[" * 40 + "]" * 40,
                                         '{"data": {"type": "t", "id": "1", "attributes": {"a": 1}}}'] * 20) + "\n")
    with open_source(path) as src:
        assert _lazy_records(path) == [(r.number, r.values, r.type, r.error) for r in src.records()]
        lazy = [r.number for r in src.lazy_records() if r.values is None]
    assert lazy and 5 not in lazy  # (the 40-deep line is decoded at once: its depth is checked)


def test_a_clean_file_is_read_without_the_scanner(write, monkeypatch):
    path = write("clean.jsonl", "\n".join([PIECES[0], PIECES[1], "", PIECES[2]] * 50) + "\n")

    def no_scanner(*args, **kwargs):
        raise AssertionError("the scanner was used")

    monkeypatch.setattr(json_source, "CHUNK_CHARS", 100)
    expected = _scanner_records(path, monkeypatch)
    monkeypatch.setattr(json_source._Scanner, "values", no_scanner)
    records = _records(path)
    assert records == expected and len(records) == 150
    assert records[1][0] == 2 and records[2][0] == 4  # the line each value is on, blank lines counted


def test_undecodable_bytes_are_an_error_of_their_line(write, monkeypatch):
    path = write("bytes.jsonl", b'{"a": "ok"}\n{"a": "caf\xe9"}\n{"a": "fine"}\n')
    expected = _scanner_records(path, monkeypatch)
    assert _records(path) == expected
    assert [(n, e) for n, _v, _t, e in expected] == [(1, None), (2, "not valid UTF-8 (byte 0xE9 at column 11)"),
                                                    (3, None)]


@pytest.mark.parametrize("piece", range(len(PIECES)))
def test_each_kind_of_line_reads_as_the_scanner_reads_it(write, monkeypatch, piece):
    """Between clean lines, in a chunk of its own or not (msgspec decodes chunks whose numbers no
    limit can refuse; anything it refuses goes to the standard library's scanner)."""
    text = "\n".join([PIECES[0], PIECES[piece], PIECES[1]]) + "\n"
    path = write("one.jsonl", text)
    for chunk in (1 << 20, len(PIECES[0]) + 1):
        monkeypatch.setattr(json_source, "CHUNK_CHARS", chunk)
        assert _records(path) == _scanner_records(path, monkeypatch)
