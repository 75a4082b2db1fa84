"""The CSV count's byte scan (readers/csv_count.py) gives the number of records the reader
yields, or steps aside; the count a user sees, and any fatal message, stay the reader's."""

from __future__ import annotations

import random

import pytest

from importdesk.readers import Limits, ReaderError, open_source
from importdesk.readers.csv_count import count_records


def outcome(path, **kw):
    """(records yielded or the fatal message, what count() says or raises)."""
    with open_source(path, **kw) as src:
        try:
            read = len(list(src.records()))
        except ReaderError as exc:
            read = str(exc)
    with open_source(path, **kw) as src:
        try:
            counted = src.count()
        except ReaderError as exc:
            counted = str(exc)
    return read, counted


def scan(path, **kw):
    with open_source(path, **kw) as src:
        return count_records(src.path, src._encoding, src._delimiter, src._header_line,
                             len(src.info.headers), src.limits.max_cell_chars)


CASES = {
    "plain": "sku,name\nA,x\nB,y\n",
    "no final line break": "sku,name\nA,x\nB,y",
    "final CR": "sku,name\r\nA,x\r\nB,y\r",
    "crlf": "sku,name\r\nA,x\r\nB,y\r\n",
    "quoted with delimiters and doubled quotes": 'sku,name\nA,"a, ""b"""\n"B","{""k"":1}"\n',
    "blank lines of every kind": 'sku,name\n\nA,x\n,\n   \n"",""\n\r\nB,y\n\n',
    "a quote alone is content": 'sku,name\n""""\nA,x\n',
    "spaces with a delimiter are a record": "sku,name\n , \nA,x\n",
    "non-ASCII first bytes": "sku,name\nÄ,x\n\u00a0\nB,\u00e9\n",
    "ragged rows count": "sku,name\nA\nB,y,z\n",
    "header only": "sku,name\n",
    "header only, no line break": "sku,name",
    "excel sep line": "sep=;\nsku;name\nA;x,y\n",
    "quoted header over two lines": 'sku,"long\nname"\nA,x\n',
}


@pytest.mark.parametrize("content", CASES.values(), ids=CASES.keys())
def test_the_scan_counts_what_the_reader_reads(write, content):
    path = write("p.csv", content)
    read, counted = outcome(path)
    assert counted == read
    assert scan(path) == read  # these are all within the scan's reach


STEPS_ASIDE = {
    "a field over two lines": 'sku,name\nA,"x\ny"\nB,z\n',
    "a quote inside an unquoted field": 'sku,name\nA,5" screen\n',
    "a lone CR line end": "sku,name\rA,x\rB,y\r",
    "text after a closing quote": 'sku,name\nA,"x"y\n',
    "an unbalanced quote": 'sku,name\nA,x\nB,"y\nC,z\n',
}


@pytest.mark.parametrize("content", STEPS_ASIDE.values(), ids=STEPS_ASIDE.keys())
def test_what_the_scan_cannot_be_sure_of_is_counted_by_the_reader(write, content):
    path = write("p.csv", content)
    read, counted = outcome(path)
    assert counted == read
    assert scan(path) is None


def test_a_bad_byte_far_into_the_file_keeps_its_message(write):
    rows = "".join(f"A-{i},name {i}\n" for i in range(100_000))
    path = write("p.csv", ("sku,name\n" + rows).encode() + b"B,\xff\xfe\n")
    with pytest.raises(ReaderError, match=r"line 100002"), open_source(path) as src:
        src.count()


def test_a_field_over_the_cell_limit_keeps_its_message(write):
    path = write("p.csv", "sku,name\n" + "A,x\n" * 10 + "B," + "y" * 700_000 + "\n")
    limits = Limits(max_cell_chars=600_000)
    with pytest.raises(ReaderError, match="longer than 600,000 characters"), open_source(path, limits=limits) as src:
        src.count()


def test_other_encodings_and_delimiters(write):
    path = write("p.csv", "sku;name\r\nA;Gr\u00fc\u00dfe\r\n\r\nB;\u20ac\r\n", encoding="cp1252")
    assert outcome(path) == (2, 2) and scan(path) == 2
    path = write("p.tsv", "sku\tname\n\t\nA\tx\n \nB\ty\n")
    assert outcome(path) == (2, 2) and scan(path) == 2
    path = write("p16.csv", "sku,name\nA,x\n", encoding="utf-16")
    assert outcome(path) == (1, 1) and scan(path) is None  # not ASCII-compatible: the reader counts


def test_random_files_count_alike(write):
    """Files of delimiters, quotes, line breaks, spaces and letters: whatever the scan answers
    is what the reader reads, and count() is always the reader's answer."""
    rnd = random.Random(15)
    wild = ['a', 'b', ',', ',', '"', '""', '\n', '\n', '\r\n', '\r', ' ', '\u00e9', '\u00a0']
    fields = ['', '', 'a', '\u00e9 x', '"a"', '""', '"x,""y"""', ' ', '\u00a0', '\t', '""""']
    answered = 0
    for i in range(600):
        if i % 2:
            body = "".join(rnd.choice(wild) for _ in range(rnd.randint(0, 60)))
        else:  # records the scan can take: fields unquoted or quoted, on one line each
            body = "".join(",".join(rnd.choice(fields) for _ in range(rnd.randint(1, 3))) + rnd.choice(["\n", "\r\n"])
                           for _ in range(rnd.randint(0, 8)))
        path = write(f"r{i}.csv", "sku,name\n" + body)
        read, counted = outcome(path)
        assert counted == read, repr(body)
        fast = scan(path)
        assert fast is None or fast == read, repr(body)
        answered += fast is not None
    assert answered > 200  # the scan is not merely stepping aside
