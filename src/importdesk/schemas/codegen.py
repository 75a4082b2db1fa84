"""Generated row functions: source text written for one resource type or header layout, compiled once.

``to_db`` / ``from_db`` / ``key_of`` (``dbvalues``), ``to_raw`` (``headers``) and the positional
``key_of`` / ``split`` (``positional``) are written out as Python per type or layout, so that a
row goes through one flat function (no loop over fields, no wrapper frame) on the hot path. This
is the one place such source is compiled and run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["compile_functions"]


def compile_functions(source: str, label: str, env: dict[str, Any] | None = None) -> dict[str, Any]:
    """The names ``source`` defines (its ``def``s), by name.

    ``env``: the names the generated code reads (copied: its functions' globals, in which they
    also see each other). ``label`` names the code in tracebacks: ``<importdesk.schemas LABEL>``.
    ``source`` must be built only from the program's own names and ``repr()`` of data values.
    """
    scope: dict[str, Any] = dict(env or {})
    exec(compile(source, f"<importdesk.schemas {label}>", "exec"), scope)
    return scope
