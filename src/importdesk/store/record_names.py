"""Which of some names a records table holds in one field: how references to records that
earlier jobs wrote are resolved (see ``engine/references.py``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

from importdesk.store.records import LOOKUP_CHUNK, _exists, quote, read_columns, table_name

if TYPE_CHECKING:
    from importdesk.schemas import ResourceType


def names_present(conn: sqlite3.Connection, rt: ResourceType, field: str, names: Iterable[str]) -> set[str]:
    """The ``names`` that some record of ``rt`` has as its ``field`` (a single-field key is
    looked up through the primary key)."""
    names = list(dict.fromkeys(names))
    table = table_name(rt.name)
    if not names or not _exists(conn, table):
        return set()
    column = "_key" if rt.key == (field,) else quote(read_columns(conn, rt, [field])[0])
    found: set[str] = set()
    for i in range(0, len(names), LOOKUP_CHUNK):
        chunk = json.dumps(names[i:i + LOOKUP_CHUNK])
        found.update(r[0] for r in conn.execute(
            f"SELECT {column} FROM {quote(table)} WHERE {column} IN (SELECT value FROM json_each(?))", (chunk,)))
    return found
