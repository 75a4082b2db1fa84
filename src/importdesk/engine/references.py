"""Resolving references (``schemas/references.py``): a name resolves when a valid record of the
named type in the same file has it, in any order, or a record in the store does; values of the
platform's id form are accepted unchecked. An unresolved name is a row error naming the path,
the name and what it should name.

Why a first pass over the file instead of holding rows back until their targets have been
seen: every row is then decided in its own batch, so rows are never half-written, counters move
only with the rows they count, and a crash or an interrupt loses nothing held in memory (a held
row would be past the checkpoint). The pass reads only what references need: records of the
types that are named, validated like in the job, and their own references, so that a record
that names something missing does not make its referrers look valid (followed to a fixed point:
subscription -> offering -> product). It runs only when a row names something the store does
not have (a file whose names are all in the store, or that has no such rows, is read once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from importdesk.engine.import_options import MIXED
from importdesk.engine.row_mapper import RowMapper
from importdesk.schemas import FieldError, RowInvalid
from importdesk.schemas.references import Reference, names_in, referenced_fields, references_of
from importdesk.store.record_names import names_present

__all__ = ["UNRESOLVED", "ReferenceCheck"]

UNRESOLVED = "unresolved_reference"
_STORE_CACHE = 100_000  # names looked up in the store and remembered per job


class ReferenceCheck:
    """``errors(type, clean)`` -> the row's unresolved references as FieldErrors (empty: all resolve)."""

    def __init__(self, ctx, refs: dict[str, tuple[Reference, ...]], read_file: Callable[[], Iterable] | None = None,
                 mapper: RowMapper | None = None):
        self.ctx = ctx
        self.refs = refs
        self._read_file, self._mapper = read_file, mapper
        # (type, field) -> names valid records of the file give it; None until a name is not in the store
        self.in_file: dict[tuple[str, str], set[str]] | None = None if read_file is not None else {}
        self._in_store: dict[tuple[str, str], dict[str, bool]] = {}

    @classmethod
    def for_job(cls, ctx, job, source) -> ReferenceCheck | None:
        """None when no row of the job's file can hold a reference (nothing to do). The first pass
        over the file runs only once a name is met that the store does not have."""
        registry = ctx.registry
        possible = registry.types() if job.resource_type == MIXED else [registry.get(job.resource_type)]
        refs = {rt.name: r for rt in possible if (r := references_of(rt))}
        refs.update({rt.wire_name: refs[rt.name] for rt in possible if rt.wire_name and rt.name in refs})
        if not refs:
            return None
        return cls(ctx, refs, lambda: source.records(), RowMapper(registry, job, source.info))

    def errors(self, rt_name: str, clean: dict[str, Any]) -> list[FieldError]:
        refs = self.refs.get(rt_name)
        if refs is None:
            return []
        out = []
        for ref in refs:
            for path, name in names_in(ref, clean):
                if not self._resolves(ref, name):
                    out.append(FieldError(path, name, UNRESOLVED,
                                          f"names {ref.target} {name!r} ({ref.target_field}), which is neither in "
                                          "this file nor in the store"))
        return out

    # -- resolving ---------------------------------------------------------------------------

    def _resolves(self, ref: Reference, name: str) -> bool:
        if self.in_file is not None and name in self.in_file.get((ref.target, ref.target_field), ()):
            return True
        if ref.is_platform_id(name) or self._stored(ref, [name])[name]:
            return True
        if self.in_file is None:  # the first name the store does not have: read the file for them all
            self.in_file = {}
            self.in_file = self._names_in_file(self._mapper, self._read_file())
            return name in self.in_file.get((ref.target, ref.target_field), ())
        return False

    def _stored(self, ref: Reference, names: Iterable[str]) -> dict[str, bool]:
        cache = self._in_store.setdefault((ref.target, ref.target_field), {})
        missing = [n for n in names if n not in cache]
        if missing:
            rt = self.ctx.registry.get(ref.target)
            found = names_present(self.ctx.db.conn(), rt, ref.target_field, missing)
            if len(cache) > _STORE_CACHE:
                cache.clear()
            cache.update((n, n in found) for n in missing)
        return {n: cache[n] for n in names}

    # -- the first pass ----------------------------------------------------------------------

    def _names_in_file(self, mapper: RowMapper, records) -> dict[tuple[str, str], set[str]]:
        """(type, field) -> the names that valid records of the file give that field, leaving out
        records whose own references do not resolve."""
        wanted = referenced_fields({rt.name: rt for rt in mapper.registry.types()})
        # (type, field) -> name -> per record giving it: the (reference, name) pairs it needs
        providers: dict[tuple[str, str], dict[str, list[list[tuple[Reference, str]]]]] = {}
        registry = mapper.registry
        for rec in records:
            if rec.type is not None and (rec.type not in registry or registry.get(rec.type).name not in wanted):
                continue  # a record of a type nothing names: not read further
            rt_name, raw, problem = mapper.map(rec)
            if problem is not None:
                continue
            rt = mapper.resource(rt_name)
            fields = wanted.get(rt.name)
            if not fields:
                continue
            try:
                clean = mapper.validator(rt_name)(raw)
            except RowInvalid:
                continue
            needs = [(ref, name) for ref in self.refs.get(rt.name, ()) for _path, name in names_in(ref, clean)]
            for field in fields:
                value = clean.get(field)
                if isinstance(value, str):
                    providers.setdefault((rt.name, field), {}).setdefault(value, []).append(needs)
        self.in_file = {target: set(names) for target, names in providers.items()}
        changed = True
        while changed:  # drop names whose every record needs a name that does not resolve
            changed = False
            for target, names in providers.items():
                for name, givers in names.items():
                    if name in self.in_file[target] and not any(
                            all(self._resolves(ref, n) for ref, n in needs) for needs in givers):
                        self.in_file[target].discard(name)
                        changed = True
        return self.in_file


def reference_error(check: ReferenceCheck | None, rt_name: str, clean: dict[str, Any]) -> RowInvalid | None:
    """The pipeline's hook: a RowInvalid for a row whose references do not all resolve."""
    if check is None:
        return None
    errors = check.errors(rt_name, clean)
    return RowInvalid(errors) if errors else None
