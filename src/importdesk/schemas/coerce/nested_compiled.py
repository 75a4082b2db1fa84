"""The checker of one object/map/list field, written out as one flat Python function per schema.

``compile_check(spec, leaf, reference)`` returns ``check(v) -> (clean, plain)``: the same clean
value as the generic checker of ``nested.py`` (``_checker``), built in one frame — a loop per map or list
and a run of look-ups per object, leaves checked inline — instead of one call per level and per
value. It does not word problems: anything it does not accept (a wrong kind, a bad key, a
converter's error, any exception) raises, and the caller asks the generic checker, which words the
problem with its path (``price.USD.amount``), value and code exactly as before — or, for what this
function is stricter about (a dict or list subclass), gives the clean value itself.

``plain``: the clean value holds only what the fields declare (no undeclared attribute, every map
key a ``str``) and every declared leaf is text, a whole number, true/false or a decimal. Such a
value is written by msgspec exactly as ``dbvalues.json_text`` writes it (``nested.py`` uses it
for the stored form); anything else (floats, dates, values kept as they came) is left to
``json_text``.

``compile_as_is`` returns ``as_is(v) -> bool``, the same walk building nothing: True when ``v``
is already what ``check`` would return and plain (every leaf clean as it is: its converter gives
the very object back, no default to fill in, no undeclared attribute) — the usual value of a JSON
source, which msgspec then writes as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..codegen import compile_functions

if TYPE_CHECKING:
    from ..field_spec import FieldSpec

__all__ = ["compile_as_is", "compile_check"]

# Leaf types whose clean values msgspec writes as json_text does (str, int, bool, finite Decimal:
# msgspec refuses a non-finite one, and json_text is asked then).
_PLAIN_LEAVES = frozenset({"string", "enum", "email", "url", "integer", "minor_units", "boolean", "decimal"})
_PLAIN_DEFAULTS = frozenset({type(None), str, int, bool, Decimal})


class _Writer:
    """The source of one check function, with the names it reads (``env``)."""

    refusal = "raise _Refused"  # what a check does with a value it does not take

    def __init__(self, leaf: Callable[[FieldSpec], tuple[Callable, type, Any, Any]],
                 reference: Callable[[str], str]) -> None:
        self.leaf = leaf  # spec -> (converter, native class, min, max) of a leaf (nested._leaf_parts)
        self.env: dict[str, Any] = {"_ref": reference}
        self.lines: list[str] = []
        self.count = 0
        self.statically_plain = True

    def name(self, prefix: str, value: Any = None) -> str:
        self.count += 1
        name = f"{prefix}{self.count}"
        if value is not None:
            self.env[name] = value
        return name

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def value(self, spec: FieldSpec, src: str, indent: int) -> str:
        """Lines that check ``src`` (a variable) as ``spec``; the name of the clean value."""
        if spec.type == "object":
            return self._object(spec, src, indent)
        if spec.type == "map":
            return self._map(spec, src, indent)
        if spec.type == "list":
            return self._list(spec, src, indent)
        out = self.name("r")
        self.emit(indent, f"{out} = {self._leaf_expr(spec, src)}")
        return out

    def _refuse_if(self, indent: int, test: str) -> None:
        self.emit(indent, f"if {test}:")
        self.emit(indent + 1, self.refusal)

    def _known_key(self, pattern: str, k: str, indent: int) -> None:
        """A map's key checked against its pattern once: keys recur (currencies, locales)."""
        search = self.name("key_search", re.compile(pattern).search)
        good = self.name("good_keys", set())
        self.emit(indent, f"if {k} not in {good}:")
        self._refuse_if(indent + 1, f"{k}.__class__ is not str or not {search}({k})")
        self.emit(indent + 1, f"if len({good}) < 1024:")
        self.emit(indent + 2, f"{good}.add({k})")

    def _leaf_expr(self, spec: FieldSpec, src: str, parts: tuple[Callable, type, Any, Any] | None = None) -> str:
        """A leaf's clean value; ``parts`` given: the caller has tested the native class already."""
        if spec.type not in _PLAIN_LEAVES:
            self.statically_plain = False
        conv, cls, lo, hi = parts or self.leaf(spec)
        conv_name = self.name("conv", conv)
        native = None if parts else self._native_test(src, cls, lo, hi)
        return f"({src} if {native} else {conv_name}({src}))" if native else f"{conv_name}({src})"

    def _native_test(self, src: str, cls: type, lo: Any, hi: Any) -> str | None:
        if cls not in (int, bool):
            return None
        test = f"{src}.__class__ is {cls.__name__}"
        if lo is not None:
            test += f" and {self.name('lo', lo)} <= {src} <= {self.name('hi', hi)}"
        return test

    def _object(self, spec: FieldSpec, src: str, indent: int) -> str:
        out, get, seen = self.name("o"), self.name("get"), self.name("n")
        self.emit(indent, f"if {src}.__class__ is not dict:")
        self.emit(indent + 1, "raise _Refused")
        self.emit(indent, f"{out} = dict({src})")  # undeclared attributes stay
        self.emit(indent, f"{get} = {src}.get")
        self.emit(indent, f"{seen} = 0")
        for sub in spec.fields:
            x = self.name("x")
            key = repr(sub.name)
            self.emit(indent, f"{x} = {get}({key})")
            parts = self.leaf(sub) if sub.type not in ("object", "map", "list") else None
            native = self._native_test(x, *parts[1:]) if parts else None
            blank = f"{x} is None or ({x}.__class__ is str and not {x}.strip())"
            if native:
                self.emit(indent, f"if {native}:")
                self.emit(indent + 1, f"{seen} += 1")
                self.emit(indent, f"elif {blank}:")
            else:
                self.emit(indent, f"if {blank}:")
            if sub.needs_value:
                self.emit(indent + 1, "raise _Refused")
            else:
                default = sub.default if sub.has_default else None
                if default.__class__ not in _PLAIN_DEFAULTS:
                    self.statically_plain = False  # (a shaped default, a date ...: json_text writes it)
                default_name = self.name("default", default) if default is not None else "None"
                self.emit(indent + 1, f"if {key} in {src}:")
                self.emit(indent + 2, f"{seen} += 1")
                self.emit(indent + 2, f"{out}[{key}] = {default_name}")
                if default is not None:
                    self.emit(indent + 1, "else:")
                    self.emit(indent + 2, f"{out}[{key}] = {default_name}")
            self.emit(indent, "else:")
            self.emit(indent + 1, f"{seen} += 1")
            if parts:
                self.emit(indent + 1, f"{out}[{key}] = {self._leaf_expr(sub, x, parts)}")
            else:
                clean = self.value(sub, x, indent + 1)
                self.emit(indent + 1, f"{out}[{key}] = {clean}")
        self.emit(indent, f"if {seen} != len({src}):")
        self.emit(indent + 1, "plain = False")
        return out

    def _map(self, spec: FieldSpec, src: str, indent: int) -> str:
        out, k, x = self.name("o"), self.name("k"), self.name("x")
        self.emit(indent, f"if {src}.__class__ is not dict:")
        self.emit(indent + 1, "raise _Refused")
        self.emit(indent, f"{out} = {{}}")
        self.emit(indent, f"for {k}, {x} in {src}.items():")
        if spec.key_pattern:
            self._known_key(spec.key_pattern, k, indent + 1)
        self.emit(indent + 1, f"if {k}.__class__ is not str:")
        self.emit(indent + 2, "plain = False")
        clean = self.value(spec.item, x, indent + 1)
        self.emit(indent + 1, f"{out}[{k}] = {clean}")
        return out

    def _list(self, spec: FieldSpec, src: str, indent: int) -> str:
        out, x = self.name("o"), self.name("x")
        self.emit(indent, f"if {src}.__class__ is not list:")
        self.emit(indent + 1, "raise _Refused")
        if spec.min_items is not None:
            self.emit(indent, f"if len({src}) < {spec.min_items!r}:")
            self.emit(indent + 1, "raise _Refused")
        if spec.max_items is not None:
            self.emit(indent, f"if len({src}) > {spec.max_items!r}:")
            self.emit(indent + 1, "raise _Refused")
        self.emit(indent, f"{out} = []")
        self.emit(indent, f"for {x} in {src}:")
        if spec.references and spec.item.type == "object":
            self.emit(indent + 1, f"if {x}.__class__ is str:")  # a string item names a record
            self.emit(indent + 2, f"{out}.append(_ref({x}))")
            self.emit(indent + 2, "continue")
        clean = self.value(spec.item, x, indent + 1)
        self.emit(indent + 1, f"{out}.append({clean})")
        return out


class _AsIsWriter(_Writer):
    """The source of ``as_is(v) -> bool``: True when ``v`` is its own clean value and plain."""

    refusal = "return False"

    def value(self, spec: FieldSpec, src: str, indent: int) -> str:
        if spec.type == "object":
            self._object(spec, src, indent)
        elif spec.type == "map":
            self._map(spec, src, indent)
        elif spec.type == "list":
            self._list(spec, src, indent)
        else:
            self._leaf(spec, src, indent)
        return src

    def _leaf(self, spec: FieldSpec, src: str, indent: int) -> None:
        if spec.type not in _PLAIN_LEAVES:
            self.statically_plain = False
        conv, cls, lo, hi = self.leaf(spec)
        same = f"{self.name('conv', conv)}({src}) is not {src}"  # (str.strip() of clean text is itself)
        native = self._native_test(src, cls, lo, hi)
        self._refuse_if(indent, f"not ({native}) and {same}" if native else same)

    def _object(self, spec: FieldSpec, src: str, indent: int) -> None:
        self._refuse_if(indent, f"{src}.__class__ is not dict")
        get = self.name("get")
        self.emit(indent, f"{get} = {src}.get")
        present = 0  # fields that are there once checked, and the optional ones that may be
        maybe: list[str] = []
        for sub in spec.fields:
            x = self.name("x")
            self.emit(indent, f"{x} = {get}({sub.name!r})")
            inner = indent
            if not sub.needs_value:
                if sub.has_default and sub.default is not None:
                    self._refuse_if(indent, f"{x} is None")  # the default would be filled in
                else:
                    self.emit(indent, f"if {x} is not None:")  # absent stays so (null too, but refused below)
                    inner = indent + 1
                    maybe.append(f" + ({x} is not None)")
                    present -= 1
            present += 1
            self.value(sub, x, inner)
        # a key no field reads (an undeclared attribute, or a null one) is not plain
        self._refuse_if(indent, f"len({src}) != {present}{''.join(maybe)}")

    def _map(self, spec: FieldSpec, src: str, indent: int) -> None:
        k, x = self.name("k"), self.name("x")
        self._refuse_if(indent, f"{src}.__class__ is not dict")
        self.emit(indent, f"for {k}, {x} in {src}.items():")
        if spec.key_pattern:
            self._known_key(spec.key_pattern, k, indent + 1)
        else:
            self._refuse_if(indent + 1, f"{k}.__class__ is not str")
        self.value(spec.item, x, indent + 1)

    def _list(self, spec: FieldSpec, src: str, indent: int) -> None:
        x = self.name("x")
        self._refuse_if(indent, f"{src}.__class__ is not list")
        if spec.min_items is not None:
            self._refuse_if(indent, f"len({src}) < {spec.min_items!r}")
        if spec.max_items is not None:
            self._refuse_if(indent, f"len({src}) > {spec.max_items!r}")
        self.emit(indent, f"for {x} in {src}:")
        if spec.references and spec.item.type == "object":
            self.emit(indent + 1, f"if {x}.__class__ is str:")
            self._refuse_if(indent + 2, f"_ref({x}) is not {x}")
            self.emit(indent + 2, "continue")
        self.value(spec.item, x, indent + 1)


def compile_as_is(spec: FieldSpec,
                  leaf: Callable[[FieldSpec], tuple[Callable, type, Any, Any]],
                  reference: Callable[[str], str]) -> Callable[[Any], bool] | None:
    """``as_is(v) -> bool``: ``v`` is what ``compile_check``'s function returns for it, and plain
    — checked without building a copy (it may raise, for a value the converters refuse: not as
    is). None where a declared leaf is never plain (floats, dates, JSON), or too deep to compile."""
    writer = _AsIsWriter(leaf, reference)
    writer.value(spec, "v", 1)
    if not writer.statically_plain:
        return None
    source = "def as_is(v):\n" + "\n".join(writer.lines) + "\n    return True\n"
    return _compiled(source, f"nested {spec.name} as is", writer.env, "as_is")


class _Refused(Exception):
    """The compiled check does not take the value: the generic checker words why (or takes it)."""


def compile_check(spec: FieldSpec,
                  leaf: Callable[[FieldSpec], tuple[Callable, type, Any, Any]],
                  reference: Callable[[str], str]) -> Callable[[Any], tuple[Any, bool]] | None:
    """``check(v) -> (clean, plain)`` for the object/map/list field ``spec`` (see the module
    docstring), None for a schema too deep to compile. ``leaf(spec)``: a leaf's converter and the
    class, min and max of the JSON values that are clean as they are; ``reference``: a list's
    string item that names a record."""
    writer = _Writer(leaf, reference)
    writer.env["_Refused"] = _Refused
    clean = writer.value(spec, "v", 1)
    plain = "plain" if writer.statically_plain else "False"
    source = "def check(v):\n    plain = True\n" + "\n".join(writer.lines) + f"\n    return {clean}, {plain}\n"
    return _compiled(source, f"nested {spec.name}", writer.env, "check")


def _compiled(source: str, label: str, env: dict[str, Any], name: str) -> Any:
    """The function ``name`` of ``source``, or None past what Python compiles (a schema nested
    deeper than its limits on indentation and nested loops): the generic checker does it all."""
    try:
        return compile_functions(source, label, env)[name]
    except (SyntaxError, RecursionError, MemoryError):
        return None
