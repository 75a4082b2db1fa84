"""Record exports in a platform's own format, so a file staged and fixed here can be uploaded
there: Medusa's product CSV (``medusa_csv``: a type with ``rows``, its records and their rows'
records, e.g. medusa_product with its medusa_variant rows) and Commerce Layer import ``inputs``
(``commercelayer_json`` / ``commercelayer_csv``: any type, one item per record).

``export_platform(engine, resource_type, path, fmt)`` writes the file (under a temporary name,
renamed when complete) and returns the number of items/rows written. A type or record that the
format cannot hold is a ``PlatformExportError`` saying which and why.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from importdesk.exports.commercelayer import CommerceLayerExportError, write_inputs
from importdesk.exports.medusa_csv import MedusaExportError, write_medusa_csv

__all__ = ["PLATFORM_FORMATS", "PlatformExportError", "export_platform"]

PLATFORM_FORMATS = ("medusa_csv", "commercelayer_json", "commercelayer_csv")


class PlatformExportError(ValueError):
    pass


def export_platform(engine: Any, resource_type: str, path: Path, fmt: str, *, progress=None) -> int:
    if fmt not in PLATFORM_FORMATS:
        raise PlatformExportError(f"unknown platform format {fmt!r}; use one of {', '.join(PLATFORM_FORMATS)}")
    rt = engine.registry.get(resource_type)
    try:
        if fmt == "medusa_csv":
            if not rt.rows:
                raise PlatformExportError(f"{resource_type}: Medusa's product CSV holds a type whose rows are "
                                          "another type's records (medusa_product); this one has none")
            rows_rt = engine.registry.get(rt.rows)
            link = _link(rt, rows_rt)
            by_group: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
            for record in engine.iter_records(rows_rt.name):
                by_group[tuple(record.get(f) for f in link.values())].append(record)
            return write_medusa_csv(engine.iter_records(rt.name),
                                    lambda group: by_group.get(tuple(group.get(k) for k in link), []),
                                    rt, rows_rt, Path(path), progress=progress)
        return write_inputs(engine.iter_records(rt.name), rt, Path(path), fmt.removeprefix("commercelayer_"),
                            progress=progress)
    except (MedusaExportError, CommerceLayerExportError) as exc:
        raise PlatformExportError(str(exc)) from None


def _link(group, rows) -> dict[str, str]:
    """Group key field -> the rows type's field read from the same column (its first header)."""
    def header(rt, name):
        spec = rt.fields[name]
        return spec.aliases[0] if spec.aliases else name

    out = {}
    for key in group.key:
        match = next((name for name in rows.fields if header(rows, name) == header(group, key)), None)
        if match is None:
            raise PlatformExportError(f"{rows.name} has no field read from {group.name}'s key column "
                                      f"{header(group, key)!r}: its records cannot be matched to their {group.name}")
        out[key] = match
    return out
