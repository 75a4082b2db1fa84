"""Readers given what they should refuse: codecs that are not file encodings; spreadsheet error
cells (issue 12: --encoding unicode_escape let NUL and ESC into records; #N/A was reported as
"is required")."""

from __future__ import annotations

import pytest


@pytest.fixture
def write(tmp_path):
    def _write(name: str, content: str):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8", newline="")
        return path
    return _write


@pytest.mark.parametrize("encoding", ["rot13", "base64", "unicode_escape", "raw_unicode_escape", "zlib", "idna"])
def test_codecs_that_are_not_file_encodings_are_refused(write, encoding):
    """unicode_escape let NUL and ESC from a file's text into records (issue 12)."""
    from importdesk.readers import ReaderError, open_source

    path = write("p.csv", "sku,name\nA-1,escapes \\x00 and \\x1b[31m\n")  # as text in the file
    with pytest.raises(ReaderError, match="is not a text encoding"):
        open_source(path, encoding=encoding)


def test_an_unsuitable_encoding_is_a_usage_error_before_any_job(engine, tmp_path):
    from importdesk.engine import ImportOptions, UsageError

    path = tmp_path / "p.csv"
    path.write_text("sku,name\nA-1,x\n")
    with pytest.raises(UsageError, match="'unicode_escape' is not a text encoding"):
        engine.create_job(path, ImportOptions(resource_type="products", encoding="unicode_escape"))
    assert engine.list_jobs() == []
