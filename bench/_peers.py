"""Other ways to load the same products CSV into a SQLite file, for bench/import_speed.py's table.

Each peer runs as ``python bench/_peers.py NAME CSV DB`` (so bench/_measure.py measures it like any
command) and leaves a ``products`` table in DB. `unavailable(name)` says why a peer cannot run here
(None when it can), without importing the peer's library into the caller.

  - ``pandas``: ``read_csv(dtype=str)`` + ``to_sql`` (no validation; the whole file in memory)
  - ``duckdb``: ``read_csv`` (type sniffing, no validation) into a SQLite file ATTACHed through
    DuckDB's sqlite_scanner extension, loaded from the ``duckdb-extension-sqlite-scanner`` wheel,
    which exists for one DuckDB version each (so nothing is downloaded at run time)
  - ``frictionless``: rows read and validated against a Table Schema equivalent to importdesk's
    products type (required, patterns, lengths, minimum, types); valid rows go into SQLite with
    ``executemany``, 5,000 per transaction. The one peer that validates.
  - ``sqlite-utils``: ``sqlite-utils insert --csv --no-detect-types`` (no validation), an app
    dependency, so always available; run by its own command line.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sqlite3
import sys
from pathlib import Path

PEERS = ("sqlite-utils", "pandas", "duckdb", "frictionless")
VALIDATING = ("frictionless",)
INSTALL_HINT = "pip install -c constraints.txt -c bench/constraints.txt -e '.[bench]'"
_LIBRARY = {"pandas": "pandas", "duckdb": "duckdb", "frictionless": "frictionless", "sqlite-utils": "sqlite_utils"}
BATCH = 5_000


def unavailable(name: str) -> str | None:
    if importlib.util.find_spec(_LIBRARY[name]) is None:
        return f"{_LIBRARY[name]} not installed: {INSTALL_HINT}"
    if name == "duckdb":
        return _duckdb_extension_problem()
    return None


def command(name: str, csv_path: Path, db: Path) -> list[str]:
    if name == "sqlite-utils":
        return [str(Path(sys.executable).parent / "sqlite-utils"), "insert", str(db), "products", str(csv_path),
                "--csv", "--no-detect-types"]
    return [sys.executable, __file__, name, str(csv_path), str(db)]


def _duckdb_extension_problem() -> str | None:
    duckdb_version = importlib.metadata.version("duckdb")
    try:
        wheel_version = importlib.metadata.version("duckdb-extension-sqlite-scanner")
    except importlib.metadata.PackageNotFoundError:
        return f"duckdb-extension-sqlite-scanner=={duckdb_version} not installed (no SQLite writer): {INSTALL_HINT}"
    if not _duckdb_extension_file(duckdb_version).exists():
        return (f"duckdb {duckdb_version} but duckdb-extension-sqlite-scanner {wheel_version}: the extension "
                f"must match DuckDB's version exactly ({INSTALL_HINT})")
    return None


def _duckdb_extension_file(duckdb_version: str) -> Path:
    spec = importlib.util.find_spec("duckdb_extension_sqlite_scanner")
    root = Path(spec.origin).parent if spec and spec.origin else Path("/nonexistent")
    return root / "extensions" / f"v{duckdb_version}" / "sqlite_scanner.duckdb_extension"


# --- the peers themselves (run in their own process) ----------------------------------------------

def run_pandas(csv_path: str, db: str) -> None:
    import pandas as pd

    frame = pd.read_csv(csv_path, dtype=str)
    with sqlite3.connect(db) as conn:
        frame.to_sql("products", conn, index=False)


def run_duckdb(csv_path: str, db: str) -> None:
    import duckdb

    conn = duckdb.connect()
    conn.execute(f"LOAD {_sql_text(str(_duckdb_extension_file(duckdb.__version__)))}")
    conn.execute(f"ATTACH {_sql_text(db)} AS target (TYPE sqlite)")  # ATTACH takes no parameters
    conn.execute("CREATE TABLE target.products AS SELECT * FROM read_csv(?)", [csv_path])
    conn.close()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _products_schema():
    from frictionless import Schema, fields

    return Schema(fields=[
        fields.StringField(name="sku", constraints={"required": True, "maxLength": 64,
                                                    "pattern": "[A-Za-z0-9][A-Za-z0-9._-]*"}),
        fields.StringField(name="name", constraints={"required": True, "maxLength": 200}),
        fields.StringField(name="description", constraints={"maxLength": 5000}),
        fields.StringField(name="category"),
        fields.NumberField(name="price", constraints={"required": True, "minimum": 0}),
        fields.StringField(name="currency", constraints={"pattern": "[A-Z]{3}"}),
        fields.NumberField(name="weight_kg", float_number=True, constraints={"minimum": 0}),
        fields.BooleanField(name="active"),
        fields.StringField(name="ean", constraints={"pattern": r"\d{8}|\d{12}|\d{13}"}),
        fields.DateField(name="launched_on"),
        fields.ObjectField(name="attributes"),
    ])


def _stored(value):
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def run_frictionless(csv_path: str, db: str) -> None:
    from frictionless import Resource

    schema = _products_schema()
    names = [field.name for field in schema.fields]
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute(f"CREATE TABLE products ({', '.join(names)}, PRIMARY KEY (sku))")
    insert = f"INSERT INTO products VALUES ({', '.join('?' * len(names))})"
    batch: list[tuple] = []
    with Resource(path=csv_path, schema=schema) as resource:
        for row in resource.row_stream:
            if row.valid:
                batch.append(tuple(_stored(row[name]) for name in names))
            if len(batch) == BATCH:
                _commit(conn, insert, batch)
    _commit(conn, insert, batch)
    conn.close()


def _commit(conn: sqlite3.Connection, insert: str, batch: list[tuple]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(insert, batch)
    conn.execute("COMMIT")
    batch.clear()


if __name__ == "__main__":
    peer, csv_arg, db_arg = sys.argv[1:4]
    {"pandas": run_pandas, "duckdb": run_duckdb, "frictionless": run_frictionless}[peer](csv_arg, db_arg)
