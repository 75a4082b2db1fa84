"""A file's records counted where the user keeps it, while the job's copy of it is being made.

``importdesk run`` hands this call to its batch writer, started ahead and idle until the job
exists (engine/writer_prestart.py), before it copies and hashes the file into the workspace: the
count that the job's writer would otherwise make of the kept copy, once the job runs, is made
meanwhile on the second core. It holds for the kept copy only when it is the count the job
would ask for (the same function and arguments, the path aside) and the bytes it read, all of
them, hash as the copy's (store/batch_writer.py compares; readers/read_digest.py hashes what the
count reads, so a file that changes meanwhile fails the comparison instead of being believed).
"""

from __future__ import annotations

import importlib
from typing import Any

from . import open_source
from .base import Limits
from .read_digest import ReadDigest

#: counts that can hash what they read (their ``digest`` argument)
HASHED = frozenset({("importdesk.readers.csv_count", "count_records"),
                    ("importdesk.readers.json_source", "count_json_lines")})


def count_ahead(path: str, fmt: str | None, sheet: str | None, encoding: str | None, delimiter: str | None,
                limits: dict[str, Any]) -> tuple[str, str, tuple[Any, ...], int, str] | None:
    """(module, function, its arguments after the path, the count, the sha256 of the bytes it
    read) of ``path`` opened as a job opens its kept copy; None when there is no such count or
    it could not be made (the job's own count is made then)."""
    try:
        source = open_source(path, fmt=fmt, sheet=sheet, encoding=encoding, delimiter=delimiter,
                             limits=Limits(**limits))
    except Exception:
        return None
    try:
        call = source.count_elsewhere()
    finally:
        source.close()
    if call is None or (call[0], call[1]) not in HASHED:
        return None
    module, name, args = call
    digest = ReadDigest()
    try:
        counted = getattr(importlib.import_module(module), name)(*args, digest=digest)
    except Exception:
        return None
    if not isinstance(counted, int) or not digest.complete:
        return None
    return module, name, tuple(args[1:]), counted, digest.hexdigest()
