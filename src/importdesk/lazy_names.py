"""A package's names, each imported from its module on first use (PEP 562).

The command line starts a process per command, the batch writer one per job: a package whose
``__init__`` imported all its modules would make ``importdesk jobs`` import the schemas and the
validators with pydantic-core, and a writer every schema module, when each needs one light module.
A package lists where its names live and hands ``__getattr__`` over::

    _WHERE = lazy_names.where({"importdesk.schemas.errors": ("SchemaError", ...), ...})
    __getattr__ = lazy_names.loader(__name__, _WHERE)

Submodules are still imported as submodules (``from importdesk.exports import cells``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def where(modules: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Each name -> the module it is defined in."""
    return {name: module for module, names in modules.items() for name in names}


def loader(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """``package``'s module ``__getattr__``: imports a listed name's module, keeps the value in the
    package (the next lookup is a plain attribute) and returns it."""

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(names[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
