"""The JSON Lines count's line pass (JsonLinesSource._count_json_lines) gives the number of
records the reader yields, or steps aside for the scanner; count() is always the reader's."""

from __future__ import annotations

import random

import pytest

from importdesk.readers import ReaderError, open_source


def outcome(path, **kw):
    with open_source(path, fmt="jsonl", **kw) as src:
        try:
            read = len(list(src.records()))
        except ReaderError as exc:
            read = str(exc)
    with open_source(path, fmt="jsonl", **kw) as src:
        try:
            counted = src.count()
        except ReaderError as exc:
            counted = str(exc)
        lines = src._count_json_lines()
    return read, counted, lines


CASES = {
    "plain": (b'{"a": 1}\n{"a": 2.50}\n', True),
    "blank lines and CRLF": (b'\r\n{"a": 1}\r\n   \r\n{"a": 2}\r\n\n', True),
    "no final line break": (b'{"a": 1}\n{"a": 2}', True),
    "BOM": (b'\xef\xbb\xbf{"a": 1}\n{"a": 2}\n', True),
    "scalars and arrays are records too": (b'{"a": 1}\n5\n[1, 2]\n"x"\n', True),
    "numbers over the limits and NaN are record errors": (b'{"a": 1}\n{"a": ' + b"9" * 200 + b'}\n{"a": NaN}\n', True),
    "a byte that is not UTF-8 is a record error": (b'{"a": 1}\n{"a": "\xff"}\n', True),
    "two values on a line": (b'{"a": 1} {"a": 2}\n{"a": 3}\n', False),
    "a value over several lines": (b'{"a": 1}\n{\n  "a": 2\n}\n', False),
    "a broken line": (b'{"a": 1}\n{"a": }\n{"a": 3}\n', False),
    # a CR is JSON whitespace: the line is one value, which is how the reader reads it
    "a lone CR inside a value": (b'{"a": 1}\n{"a":\r 2}\n', True),
    "too deep": (b'{"a": 1}\n' + b'[' * 40 + b']' * 40 + b'\n', True),
}


@pytest.mark.parametrize(("content", "fast"), CASES.values(), ids=CASES.keys())
def test_the_line_pass_counts_what_the_reader_reads(write, content, fast):
    path = write("p.jsonl", content)
    read, counted, lines = outcome(path)
    assert counted == read
    assert (lines == read) if fast else lines is None


def test_the_count_made_elsewhere_is_the_reader_s(write):
    """The batch writer runs count_elsewhere()'s call in its own process: the same count."""
    import importlib

    path = write("p.jsonl", b'{"a": 1}\n\n{"a": 2}\n{"a": NaN}\n{"b": "\xff"}')
    with open_source(path, fmt="jsonl") as src:
        module, function, args = src.count_elsewhere()
        assert getattr(importlib.import_module(module), function)(*args) == 4 == len(list(src.records()))


def test_another_encoding(write):
    path = write("p.jsonl", '{"a": "\u20ac"}\n\n{"a": 2}\n', encoding="utf-16")
    assert outcome(path) == (2, 2, 2)


def test_random_files_count_alike(write):
    rnd = random.Random(15)
    tokens = ['{"a": 1}', '{"a": 1.5}', '[]', '{', '}', '"x"', ' ', '\n', '\n', '\r\n', ',', '{"b": [1, {"c": 2}]}',
              'NaN', '1e999', '\u00e9', '{"a": "\\u00e9"}']
    answered = 0
    for i in range(300):
        if i % 2:
            body = "".join(rnd.choice(tokens) for _ in range(rnd.randint(1, 20)))
        else:  # whole values, one a line (what the line pass takes)
            body = "".join(rnd.choice(tokens[:3] + tokens[5:6] + tokens[11:]) + rnd.choice(["\n", "\r\n", " \n\n"])
                           for _ in range(rnd.randint(0, 6)))
        path = write(f"r{i}.jsonl", '{"a": 0}\n' + body)
        read, counted, lines = outcome(path)
        assert counted == read, repr(body)
        assert lines is None or lines == read, repr(body)
        answered += lines is not None
    assert answered > 100  # the line pass is not merely stepping aside
