"""Format detection, limits, the public API surface."""

from __future__ import annotations

import os

import pytest

from importdesk.readers import Limits, ReaderError, Record, SourceInfo, open_source


def test_public_api():
    import importdesk.readers as readers

    for name in ("open_source", "SourceInfo", "Limits", "ReaderError", "Record"):
        assert name in readers.__all__
    rec = Record(2, ["a"])
    assert (rec.number, rec.values, rec.type, rec.error) == (2, ["a"], None, None)
    assert not hasattr(rec, "__dict__")  # __slots__: millions of these per import
    assert issubclass(ReaderError, Exception)
    assert SourceInfo(format="csv").headers == []


def test_limits_defaults():
    lim = Limits()
    assert lim.max_file_bytes == 2 * 1024**3
    assert lim.max_rows == 10_000_000
    assert lim.max_columns == 1_000
    assert lim.max_cell_chars == 1_000_000
    assert lim.max_json_depth == 32
    assert lim.max_xlsx_uncompressed_bytes == 1024**3
    assert lim.max_xlsx_ratio == 200


@pytest.mark.parametrize("name, content, fmt", [
    ("a.csv", "a,b\n1,2\n", "csv"),
    ("a.tsv", "a\tb\n1\t2\n", "csv"),
    ("a.txt", "a;b\n1;2\n", "csv"),
    ("a.json", '[{"a": 1}]', "json"),
    ("a.jsonl", '{"a": 1}\n', "jsonl"),
    ("a.ndjson", '{"a": 1}\n', "jsonl"),
    ("A.CSV", "a,b\n1,2\n", "csv"),
    ("data.dat", "a,b\n1,2\n", "csv"),         # unknown extension: sniffed
    ("data.dat", '  [{"a": 1}]', "json"),
    ("data", '{"a": 1}\n{"a": 2}\n', "jsonl"),
])
def test_format_from_extension_and_content(write, name, content, fmt):
    with open_source(write(name, content)) as src:
        assert src.info.format == fmt
        assert src.count() == len(list(src.records())) >= 1


def test_xlsm_is_xlsx(make_xlsx):
    path = make_xlsx("macro.xlsm", {"S": [["a"], [1]]})
    assert open_source(path).info.format == "xlsx"


def test_fmt_overrides_the_extension(write, make_xlsx):
    path = write("export.txt", '{"a": 1}\n{"a": 2}\n')
    with open_source(path, fmt="jsonl") as src:
        assert src.info.format == "jsonl" and src.count() == 2
    book = make_xlsx("book.bin", {"S": [["a"], [1]]})
    assert open_source(book, fmt="xlsx").info.format == "xlsx"
    with pytest.raises(ReaderError) as exc:
        open_source(path, fmt="xlsx")
    assert "export.txt" in str(exc.value) and "not an XLSX workbook" in str(exc.value)
    with pytest.raises(ReaderError) as exc:
        open_source(path, fmt="parquet")
    assert "unknown format" in str(exc.value)


def test_workbook_named_csv(make_xlsx):
    path = make_xlsx("sales.csv", {"S": [["a"], [1]]})
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("sales.csv") and ".xlsx" in str(exc.value)


def test_binary_file_with_unknown_extension(write):
    path = write("blob.bin", bytes(range(256)) * 4)
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("blob.bin") and "unknown format" in str(exc.value)


def test_binary_junk_named_json(write):
    path = write("x.json", b"\x00\x01\x02garbage\xff" * 50)
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith("x.json")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ReaderError) as exc:
        open_source(tmp_path / "nope.csv")
    assert str(exc.value) == "nope.csv: file not found"
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(ReaderError) as exc:
        open_source(tmp_path / "dir.csv")
    assert "dir.csv" in str(exc.value) and str(tmp_path) not in str(exc.value)


def test_max_file_bytes(write):
    path = write("a.csv", "a,b\n1,2\n")
    with pytest.raises(ReaderError) as exc:
        open_source(path, limits=Limits(max_file_bytes=4))
    assert str(exc.value).startswith("a.csv") and "max_file_bytes=4" in str(exc.value)


def test_csv_max_columns(write):
    path = write("wide.csv", ",".join(f"c{i}" for i in range(12)) + "\n")
    with pytest.raises(ReaderError) as exc:
        open_source(path, limits=Limits(max_columns=10))
    assert "max_columns=10" in str(exc.value) and "12" in str(exc.value)


def test_csv_max_rows_in_count_and_records(write):
    path = write("rows.csv", "a\n" + "".join(f"{i}\n" for i in range(6)))
    with open_source(path, limits=Limits(max_rows=4)) as src:
        with pytest.raises(ReaderError) as exc:
            src.count()
        assert str(exc.value) == "rows.csv: more than 4 records (limit max_rows=4)"
        got = []
        records = src.records()
        with pytest.raises(ReaderError, match=r"^rows\.csv: more than 4 records \(limit max_rows=4\)$"):
            got.extend(rec.values[0] for rec in records)
        assert got == ["0", "1", "2", "3"]


def test_csv_max_rows_counts_records_not_lines(write):
    # 3 records spread over 12 lines: more lines than max_rows, but within the limit.
    path = write("sparse.csv", 'a,b\n1,"x\ny\nz"\n\n\n2,2\n\n\n\n3,"p\nq"\n')
    with open_source(path, limits=Limits(max_rows=3)) as src:
        assert [r.number for r in src.records()] == [2, 7, 11]
        assert src.count() == 3


def test_csv_max_cell_chars(write):
    path = write("long.csv", "a,b\n1," + "x" * 500 + "\n")
    with open_source(path, limits=Limits(max_cell_chars=100)) as src, pytest.raises(ReaderError) as exc:
        list(src.records())
    assert "long.csv, line 2" in str(exc.value) and "max_cell_chars=100" in str(exc.value)
    with open_source(path) as src:  # the default is far larger
        assert len(next(iter(src.records())).values[1]) == 500


def test_error_attributes(write):
    path = write("u.csv", 'a,b\n1,"x\n')
    with open_source(path) as src, pytest.raises(ReaderError) as exc:
        src.count()
    err = exc.value
    assert (err.file, err.line) == ("u.csv", 2)
    assert os.sep not in str(err).split(":")[0]


@pytest.mark.parametrize("module, name", [("csv_source", "long.csv")])
def test_line_without_line_breaks_is_refused_before_reading(write, monkeypatch, module, name):
    # csv reads a physical line into memory at once: a huge file without line breaks must be
    # refused up front (the real threshold is 64 MiB; lowered for the test). JSON streams are
    # read in chunks; one value longer than the limit is a record error (test_readers_json).
    import importlib

    monkeypatch.setattr(importlib.import_module(f"importdesk.readers.{module}"), "MAX_LINE_BYTES", 4096)
    head = "a,b\n1,2\n" if module == "csv_source" else '{"a": 1}\n{"a": 2}\n'
    path = write(name, head + "x" * 20_000 + "\n")
    with pytest.raises(ReaderError) as exc:
        open_source(path)
    assert str(exc.value).startswith(f"{name}, line 3:") and "line break" in str(exc.value)


def _first_line_too_long(data: bytes, limit: int) -> int | None:
    """Byte by byte: the number of the first physical line (counted by line feeds) longer than
    ``limit`` bytes, where CR and LF both end a line; None when there is none."""
    run = 0
    feeds_before_run = feeds = 0
    for byte in data:
        if byte in b"\r\n":
            feeds += byte == 10
            run, feeds_before_run = 0, feeds
            continue
        run += 1
        if run > limit:
            return feeds_before_run + 1
    return None


@pytest.mark.parametrize("seed", range(100))
def test_line_lengths_are_checked_as_a_byte_by_byte_reading_would(tmp_path, seed):
    # the check reads chunks from their end; lines cross chunks, end in CR, LF or CRLF, or not
    import random

    from importdesk.readers.detect import check_line_lengths

    rng = random.Random(seed)
    limit, chunk = rng.randint(8, 40), rng.randint(1, 20)
    parts = [rng.choice([b"x" * rng.randint(0, limit + 3), b"\n", b"\r", b"\r\n"]) for _ in range(rng.randint(1, 30))]
    data = b"".join(parts)
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    expected = _first_line_too_long(data, limit)
    if expected is None:
        check_line_lengths(str(path), "f.csv", limit, chunk)
        return
    with pytest.raises(ReaderError) as exc:
        check_line_lengths(str(path), "f.csv", limit, chunk)
    assert (exc.value.file, exc.value.line) == ("f.csv", expected)
