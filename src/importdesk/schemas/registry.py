"""Registry: the built-in resource types plus the workspace's own.

``Registry.load(user_dir)`` reads the built-in ``schemas/builtin/*.toml`` (package data) and then
``user_dir/*.toml`` (sorted by file name; ``None`` or a missing folder: built-ins only). A user
file may add new types. ``Registry.load_for(user_dir, name)`` is for a process that validates one
job's rows (the batch writer): a built-in type and the built-in types it names, without reading
the other definitions (a built-in names no user type; a user type gets the whole registry).
Broken files do not stop the app: each one becomes a ``SchemaError`` in ``reg.errors`` (naming the
file and the problems) and its type is simply not available.

A user file may not redefine a built-in type (or a type an earlier user file defined): that is an
error in ``reg.errors`` and the first definition stays. Reason: a type's name is its records
table, and the engine, exports and compare views of every workspace rely on the built-in types
meaning the same thing; to change one, copy its file under a new name.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

from .errors import SchemaError, UnknownResourceType
from .references import check_references, references_of
from .spec import ResourceType
from .toml_loader import load_file, load_text

__all__ = ["Registry"]


class Registry:
    def __init__(self, types: dict[str, ResourceType] | None = None,
                 errors: list[SchemaError] | None = None) -> None:
        self._types: dict[str, ResourceType] = dict(types or {})
        # the name a platform's file gives a type ("product-price") -> the type (product_price)
        self._wire: dict[str, ResourceType] = {rt.wire_name: rt for rt in self._types.values() if rt.wire_name}
        self.errors: list[SchemaError] = list(errors or [])

    @classmethod
    def load(cls, user_dir: str | Path | None = None) -> Registry:
        builtins, errors = _builtins()
        reg = cls(builtins, errors)
        if user_dir is not None:
            folder = Path(user_dir)
            if folder.exists() and not folder.is_dir():
                reg.errors.append(SchemaError("is not a folder; no user resource types loaded", file=folder))
            elif folder.is_dir():
                for path in sorted(folder.glob("*.toml")):
                    if path.name.startswith(".") or not path.is_file():
                        continue
                    try:
                        reg._add(load_file(path))
                    except SchemaError as exc:
                        reg.errors.append(exc)
        reg._drop_broken_references()
        return reg

    @classmethod
    def load_for(cls, user_dir: str | Path | None, name: str) -> Registry:
        """A registry in which ``get(name)`` is what it is in ``load(user_dir)``."""
        files = dict(_builtin_files())
        if f"{name}.toml" not in files:
            return cls.load(user_dir)
        types: dict[str, ResourceType] = {}
        wanted = [name]
        while wanted:
            file = f"{wanted.pop()}.toml"
            if file not in files:
                continue  # a missing target: _drop_broken_references words it, as load does
            rt = _builtin_type(file, files[file])
            if rt.name not in types:
                types[rt.name] = rt
                wanted += [ref.target for ref in references_of(rt)] + ([rt.rows] if rt.rows else [])
        reg = cls(types)
        reg._drop_broken_references()
        return reg

    def _drop_broken_references(self) -> None:
        """A type whose references name a type or field that is not loaded is not offered (its
        file's error says which); types that name it in turn follow."""
        while True:
            broken = {name: problems for name, rt in self._types.items()
                      if (problems := check_references(rt, self._types))}
            if not broken:
                return
            for name, problems in broken.items():
                rt = self._types.pop(name)
                if rt.wire_name:
                    self._wire.pop(rt.wire_name, None)
                self.errors.append(SchemaError(problems, file=rt.source))

    def _add(self, rt: ResourceType) -> None:
        old = self._types.get(rt.name) or self._wire.get(rt.name)
        if rt.wire_name and old is None:
            old = self._types.get(rt.wire_name) or self._wire.get(rt.wire_name)
        if old is not None:
            what = "a built-in type" if old.builtin else f"already defined in {Path(old.source or '').name}"
            raise SchemaError(
                f"resource type {rt.name!r} is {what}; give this file's type another name "
                f"(e.g. {rt.name + '_custom'!r})",
                file=rt.source,
            )
        self._types[rt.name] = rt
        if rt.wire_name:
            self._wire[rt.wire_name] = rt

    # -- lookups -------------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Type names, built-ins first (in file order), then user types."""
        return list(self._types)

    def get(self, name: str) -> ResourceType:
        """The type by its name, or by the name a platform's file gives it (``wire_name``)."""
        rt = self._types.get(name) or self._wire.get(name)
        if rt is None:
            raise UnknownResourceType(name, self.names())
        return rt

    def types(self) -> list[ResourceType]:
        return list(self._types.values())

    def __contains__(self, name: object) -> bool:
        return name in self._types or name in self._wire

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def suggest(self, headers: Sequence[str], limit: int | None = None) -> list[tuple[str, float]]:
        """(type name, score) for ``headers``, best first (score > 0 only)."""
        scored = [(rt.name, rt.score_headers(headers)) for rt in self._types.values()]
        scored = sorted((s for s in scored if s[1] > 0), key=lambda s: -s[1])
        return scored[:limit] if limit else scored

    def __repr__(self) -> str:
        return f"Registry({self.names()!r}, errors={len(self.errors)})"


@functools.lru_cache(maxsize=1)
def _builtin_types() -> tuple[tuple[ResourceType, ...], tuple[SchemaError, ...]]:
    """Parsed once per process: ResourceType objects are immutable, and sharing them keeps
    their validator caches warm across Registry.load calls."""
    types: list[ResourceType] = []
    errors: list[SchemaError] = []
    for name, text in _builtin_files():
        try:
            types.append(_builtin_type(name, text))
        except SchemaError as exc:
            errors.append(exc)
    return tuple(types), tuple(errors)


@functools.cache
def _builtin_type(file_name: str, text: str) -> ResourceType:
    return load_text(text, source=f"builtin/{file_name}", builtin=True)


def _builtins() -> tuple[dict[str, ResourceType], list[SchemaError]]:
    types, errors = _builtin_types()
    out: dict[str, ResourceType] = {}
    errs = list(errors)
    for rt in types:
        if rt.name in out:
            errs.append(SchemaError(f"resource type {rt.name!r} is defined twice", file=rt.source))
        else:
            out[rt.name] = rt
    return out, errs


def _builtin_files() -> list[tuple[str, str]]:
    folder = resources.files("importdesk.schemas").joinpath("builtin")
    out = []
    for entry in folder.iterdir():
        if entry.name.endswith(".toml") and entry.is_file():
            out.append((entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)
