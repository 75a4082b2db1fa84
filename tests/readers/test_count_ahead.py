"""A file counted where the user keeps it, before the job's copy exists: the count a job's writer
would make of that copy, with the sha256 of exactly the bytes it read — and nothing when the
count did not read the whole file."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil

from importdesk.readers import Limits, open_source
from importdesk.readers.count_ahead import count_ahead
from importdesk.readers.csv_count import count_records
from importdesk.readers.json_source import count_json_lines
from importdesk.readers.read_digest import ReadDigest

from support import write_products

LIMITS = dataclasses.asdict(Limits())


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_csv_count_ahead_is_the_count_of_its_copy_with_the_hash_of_its_bytes(tmp_path):
    path = write_products(tmp_path / "products.csv", 3_000)
    with path.open("a", encoding="utf-8") as f:
        f.write(",,,,,,,,,,\n\n")  # blank records, skipped by the count and the reader alike
    kept = tmp_path / "kept" / "products.csv"
    kept.parent.mkdir()
    shutil.copyfile(path, kept)
    module, function, rest, counted, sha256 = count_ahead(str(path), None, None, None, None, LIMITS)
    with open_source(kept) as source:
        call = source.count_elsewhere()
        assert (module, function, rest) == (call[0], call[1], tuple(call[2][1:]))
        assert counted == source.count() == 3_000
    assert sha256 == _sha256(kept)


def test_a_json_lines_count_ahead_reads_as_its_count_does(tmp_path):
    path = tmp_path / "products.jsonl"
    path.write_text("".join(f'{{"sku": "SKU-{i}", "name": "Ünïcode {i}"}}\n' for i in range(500)) + "\n  \n",
                    encoding="utf-8")
    module, function, _rest, counted, sha256 = count_ahead(str(path), None, None, None, None, LIMITS)
    assert (module, function, counted) == ("importdesk.readers.json_source", "count_json_lines", 500)
    assert sha256 == _sha256(path)


def test_the_digest_covers_every_byte_a_count_read(tmp_path):
    path = write_products(tmp_path / "products.csv", 20_000)  # several chunks of the scan
    with open_source(path) as source:
        args = source.count_elsewhere()[2]
    digest = ReadDigest()
    assert count_records(*args, digest=digest) == count_records(*args) == 20_000
    assert digest.complete and digest.size == path.stat().st_size and digest.hexdigest() == _sha256(path)


def test_a_count_that_stops_before_the_end_is_not_a_count_ahead(tmp_path):
    lines = tmp_path / "many.jsonl"
    lines.write_text("".join(f'{{"sku": "S{i}"}}\n' for i in range(200_000)), encoding="utf-8")  # 3 MB
    few_rows = {**LIMITS, "max_rows": 10}
    digest = ReadDigest()
    assert count_json_lines(str(lines), "utf-8", True, 10, digest=digest) == 11  # over the limit: it stops
    assert not digest.complete and digest.size < lines.stat().st_size
    assert count_ahead(str(lines), None, None, None, None, few_rows) is None
    quoted = tmp_path / "quoted.csv"  # a field over two lines: the byte scan cannot be sure
    quoted.write_text('sku,name\nA,"two\nlines"\nB,b\n', encoding="utf-8")
    assert count_ahead(str(quoted), None, None, None, None, LIMITS) is None


def test_no_count_ahead_for_a_file_it_cannot_read_or_a_sheet(tmp_path):
    missing = tmp_path / "missing.csv"
    assert count_ahead(str(missing), None, None, None, None, LIMITS) is None
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert count_ahead(str(empty), None, None, None, None, LIMITS) is None
    sheet = tmp_path / "book.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not a workbook")
    assert count_ahead(str(sheet), None, None, None, None, LIMITS) is None
