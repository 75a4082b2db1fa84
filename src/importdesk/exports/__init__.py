"""Export writers: a job's failed rows (CSV/XLSX, to fix and import again) and clean records
(CSV/XLSX/JSONL). Streamed, constant memory apart from XLSX cell comments (capped).

- ``neutralise`` / ``unneutralise``: OWASP formula neutralisation and its exact inverse.
- ``write_failed_rows(items, path, fmt)``: original headers + ``_source_row`` + ``_errors``.
- ``write_records(rows, columns, path, fmt, types=...)``, ``export_records(engine, type, path, fmt)``.

The names below are loaded on first use (PEP 562), as the engine package's are: the command line
formats its cells with ``exports.cells``, and importing that one light module must not import the
writers with the models and openpyxl (a quarter of ``importdesk jobs``'s start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from importdesk import lazy_names

# standard library only, and named like its module: imported now, or the first import of the
# module ``importdesk.exports.neutralise`` would leave the package's ``neutralise`` the module
from importdesk.exports.neutralise import FORMULA_CHARS, is_formula_like, neutralise, unneutralise

if TYPE_CHECKING:
    from importdesk.exports.failed_rows import (
        ERRORS_COLUMN,
        MARKER_COLUMNS,
        SOURCE_ROW_COLUMN,
        export_failed_rows,
        write_failed_rows,
    )
    from importdesk.exports.records import export_records, write_records
    from importdesk.exports.xlsx import TooManyRows

_WHERE = lazy_names.where({
    "importdesk.exports.failed_rows": ("ERRORS_COLUMN", "MARKER_COLUMNS", "SOURCE_ROW_COLUMN", "export_failed_rows",
                                       "write_failed_rows"),
    "importdesk.exports.records": ("export_records", "write_records"),
    "importdesk.exports.xlsx": ("TooManyRows",),
})
__getattr__ = lazy_names.loader(__name__, _WHERE)

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
