"""The resource types a workspace knows, without opening its store (shell completion asks this)."""

from __future__ import annotations

from pathlib import Path

from importdesk.schemas import Registry


def type_titles(schemas_dir: Path | None) -> dict[str, str]:
    """Name -> title of the built-in types and the ones in ``schemas_dir`` (None or missing: built-ins)."""
    registry = Registry.load(schemas_dir if schemas_dir and schemas_dir.is_dir() else None)
    return {name: registry.get(name).title for name in registry.names()}
