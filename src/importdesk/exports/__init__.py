"""Export writers: a job's failed rows (CSV/XLSX, to fix and import again) and clean records
(CSV/XLSX/JSONL). Streamed, constant memory apart from XLSX cell comments (capped).

- ``neutralise`` / ``unneutralise``: OWASP formula neutralisation and its exact inverse.
- ``write_failed_rows(items, path, fmt)``: original headers + ``_source_row`` + ``_errors``.
- ``write_records(rows, columns, path, fmt, types=...)``, ``export_records(engine, type, path, fmt)``.
"""

from importdesk.exports.failed_rows import (
    ERRORS_COLUMN,
    MARKER_COLUMNS,
    SOURCE_ROW_COLUMN,
    export_failed_rows,
    write_failed_rows,
)
from importdesk.exports.neutralise import FORMULA_CHARS, is_formula_like, neutralise, unneutralise
from importdesk.exports.records import export_records, write_records
from importdesk.exports.xlsx import TooManyRows

__all__ = [
    "ERRORS_COLUMN",
    "FORMULA_CHARS",
    "MARKER_COLUMNS",
    "SOURCE_ROW_COLUMN",
    "TooManyRows",
    "export_failed_rows",
    "export_records",
    "is_formula_like",
    "neutralise",
    "unneutralise",
    "write_failed_rows",
    "write_records",
]
