"""Import options for a dropped file: folder defaults (``_defaults.toml``) and a sidecar (``x.csv.toml``).

Each layer overrides the one before, key by key: ``inbox/_defaults.toml`` → ``inbox/<folder>/_defaults.toml``
(every folder level down to the file's) → the sidecar ``<file name>.toml`` next to the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importdesk.engine import ImportOptions
from importdesk.engine.threshold import parse_threshold
from importdesk.inbox.naming import DEFAULTS_FILE, SIDECAR_SUFFIX, display
from importdesk.models import JobType

MAX_CONFIG_BYTES = 64 * 1024

# key in the TOML file -> attribute of ImportOptions (None: handled specially)
KEYS: dict[str, str | None] = {
    "type": "resource_type",
    "job": "job_type",
    "job_type": "job_type",
    "locale": "locale",
    "skip_errors": "skip_errors",
    "threshold": "error_threshold",
    "parent": "parent_resource_id",
    "parent_resource_id": "parent_resource_id",
    "shared": "shared_entity_data",
    "shared_entity_data": "shared_entity_data",
    "reference": "reference",
    "reference_origin": "reference_origin",
    "external_ref": "external_ref",
    "format": "format",
    "sheet": "sheet",
    "encoding": "encoding",
    "delimiter": "delimiter",
    "force": None,
}
_STRINGS = {"resource_type", "locale", "parent_resource_id", "reference", "reference_origin", "external_ref",
            "format", "sheet", "encoding", "delimiter"}


class OptionsError(ValueError):
    """A sidecar or defaults file that cannot be used; the message names the file and the key."""


@dataclass
class InboxOptions:
    values: dict[str, Any] = field(default_factory=dict)  # ImportOptions attribute -> value
    force: bool = False
    sources: list[str] = field(default_factory=list)  # files that contributed (inbox-relative)

    @property
    def resource_type(self) -> str | None:
        return self.values.get("resource_type")

    def import_options(self, resource_type: str | None = None) -> ImportOptions:
        values = dict(self.values)
        if resource_type is not None:
            values["resource_type"] = resource_type
        return ImportOptions(**values)


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_config(path: Path, label: str) -> dict[str, Any]:
    """A TOML table from a regular file (never a FIFO or a symlink), bounded in size."""
    import os
    import stat as st

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return {}
    if not st.S_ISREG(info.st_mode):
        raise OptionsError(f"{label}: not a regular file")
    if info.st_size > MAX_CONFIG_BYTES:
        raise OptionsError(f"{label}: too large for an options file ({info.st_size} bytes)")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise OptionsError(f"{label}: cannot read it ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise OptionsError(f"{label}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise OptionsError(f"{label}: not valid TOML ({exc})") from None


def _threshold(value: Any, label: str) -> float:
    """The command line's rule (engine/threshold.py): "10%" or a fraction below 1; a bare 5 is refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise OptionsError(f"{label}: threshold must be a number like 0.1 or \"10%\"")
    try:
        return parse_threshold(str(value))
    except ValueError as exc:
        raise OptionsError(f"{label}: threshold {exc}") from None


def apply(options: InboxOptions, table: dict[str, Any], label: str) -> None:
    """Merge one file's keys into ``options`` (raises OptionsError for unknown keys and wrong types)."""
    for key, value in table.items():
        if key not in KEYS:
            known = ", ".join(k for k in KEYS if k not in ("job_type", "parent_resource_id", "shared_entity_data"))
            raise OptionsError(f"{label}: unknown key {display(key)!r} (known: {known})")
        attr = KEYS[key]
        if attr is None:  # force
            if not isinstance(value, bool):
                raise OptionsError(f"{label}: force must be true or false")
            options.force = value
        elif attr == "job_type":
            try:
                options.values[attr] = JobType(str(value).lower())
            except ValueError:
                raise OptionsError(f"{label}: job must be \"validate\" or \"execute\" (got {value!r})") from None
        elif attr == "skip_errors":
            if not isinstance(value, bool):
                raise OptionsError(f"{label}: skip_errors must be true or false")
            options.values[attr] = value
        elif attr == "error_threshold":
            options.values[attr] = _threshold(value, label)
        elif attr == "shared_entity_data":
            if not isinstance(value, dict):
                raise OptionsError(f"{label}: shared must be a table, like shared = {{ currency = \"EUR\" }}")
            options.values[attr] = _plain(value)
        elif attr in _STRINGS:
            if not isinstance(value, str) or not value.strip():
                raise OptionsError(f"{label}: {key} must be a non-empty string")
            options.values[attr] = value.strip() if attr != "delimiter" else value
    options.sources.append(label)


def _plain(value: Any) -> Any:
    """TOML dates and times become ISO strings (shared data is stored as JSON)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def options_for(inbox: Path, rel_parts: tuple[str, ...], sidecar: Path | None) -> InboxOptions:
    """The merged options for a file at ``inbox/<rel_parts...>`` with an optional sidecar path."""
    options = InboxOptions()
    folder = inbox
    levels = [inbox] + [inbox.joinpath(*rel_parts[: i + 1]) for i in range(len(rel_parts) - 1)]
    for folder in levels:
        defaults = folder / DEFAULTS_FILE
        label = "inbox/" + "/".join([*folder.relative_to(inbox).parts, DEFAULTS_FILE])
        table = read_config(defaults, display(label))
        if table:
            apply(options, table, display(label))
    if sidecar is not None:
        label = display("inbox/" + "/".join([*rel_parts[:-1], sidecar.name]))
        table = read_config(sidecar, label)
        apply(options, table, label)
    return options
