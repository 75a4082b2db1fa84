"""Every bad file ends as a job in error with a clear message, or with rows in error — never a traceback."""

from __future__ import annotations

import pytest

from importdesk.engine import ImportOptions
from importdesk.models import ItemLevel, JobStatus

from support import CORPUS

FATAL = {
    "empty.csv": "empty",
    "whitespace_only.csv": "empty",
    "wrong_encoding.csv": "encoding",
    "mixed_encoding.csv": "line 6",
    "unbalanced_quote.csv": "line 5",
    "binary_junk.csv": "binary",
    "not_really.xlsx": "xlsx",
    "truncated.xlsx": "truncated.xlsx",
    "zip_bomb.xlsx": "zip_bomb.xlsx",
    "deep.json": "deep",
    "many_columns.csv": "column",
}

ROW_ERRORS = {
    "ragged.csv": {4, 7, 9},
    "bad_lines.jsonl": {3, 6, 9, 11},
    "not_objects.json": {1, 2, 3},
    "multiline_cells.csv": {8},
}

FINE = {"bom_header.csv": 5, "utf16le_nobom.csv": 5, "formula_values.csv": 8, "markup.csv": 8, "header_only.csv": 0}


def _run(engine, name):
    job = engine.create_job(CORPUS / name, ImportOptions(resource_type="products", skip_errors=True))
    return engine.run_job(job.uid)


@pytest.mark.parametrize("name, needle", sorted(FATAL.items()))
@pytest.mark.sqlite_only("the readers' verdict on a bad file: the store only keeps the job's message")
def test_fatal_files_end_in_error_with_a_clear_message(engine, name, needle):
    job = _run(engine, name)
    assert job.status is JobStatus.ERROR
    message = job.error_message.lower()
    assert needle.lower() in message, job.error_message
    assert "traceback" not in message and "internal error" not in message
    assert str(engine.workspace.root) not in job.error_message  # never an absolute path
    p = job.progress
    assert p.total == p.done + p.error + p.pending


@pytest.mark.parametrize("name, rows", sorted(ROW_ERRORS.items()))
def test_broken_rows_are_row_errors(engine, name, rows):
    job = _run(engine, name)
    assert job.status is JobStatus.DONE
    bad = {i.row_number for i in engine.list_items(job.uid, level=ItemLevel.ERROR, limit=1000)}
    assert bad == rows
    assert job.progress.error == len(rows)


@pytest.mark.parametrize("name, rows", sorted(FINE.items()))
@pytest.mark.sqlite_only("the readers' verdict on an awkward file: the store's part is the import "
                         "test_engine_pipeline runs on both")
def test_awkward_but_valid_files_import(engine, name, rows):
    job = _run(engine, name)
    assert job.status is JobStatus.DONE, job.error_message
    assert (job.progress.done, job.progress.error) == (rows, 0), engine.list_items(job.uid)[:3]


def test_formula_and_markup_values_are_stored_literally(engine):
    formulas = _run(engine, "formula_values.csv")
    names = {r["name"] for r in engine.iter_records("products", job_uid=formulas.uid)}
    assert {"=SUM(A1:A3)", "+49 Travel Adapter", "-20% Bundle", "@home Desk Lamp"} <= names
    markup = _run(engine, "markup.csv")
    names = {r["name"] for r in engine.iter_records("products", job_uid=markup.uid)}
    assert {"[red]alert[/]", "[bold]", "[/]"} <= names


def test_deep_jsonl_line_is_a_row_error(engine):
    job = _run(engine, "deep.jsonl")
    assert job.status is JobStatus.DONE
    items = engine.list_items(job.uid, level=ItemLevel.ERROR)
    assert items and "deep" in items[0].message.lower()
