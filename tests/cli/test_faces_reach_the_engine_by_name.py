"""The faces use the engine's named API, never its context (`engine.ctx.db`, `.clock`, `.new_uid` …):
what they need has a name in `importdesk.engine` (job_loop.thread_store, engine_clock, inbox_jobs)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "importdesk"


def ctx_reaches(source: str) -> list[int]:
    """Lines of ``<something>.engine.ctx`` or ``engine.ctx`` in a module's source."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "ctx":
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "engine":
                lines.append(node.lineno)
    return sorted(lines)


def test_no_face_reaches_into_the_engines_context():
    modules = [p for face in ("cli", "tui", "inbox") for p in sorted((PACKAGE / face).rglob("*.py"))]
    assert len(modules) > 30  # the faces were found
    reaches = [f"{p.relative_to(PACKAGE)}:{line}" for p in modules for line in ctx_reaches(p.read_text("utf-8"))]
    assert reaches == []


def test_the_check_sees_a_reach_and_not_a_click_context():
    source = "def f(self, ctx):\n    self.engine.ctx.db.close()\n    ctx.exit(0)\n    return engine.ctx.clock\n"
    assert ctx_reaches(source) == [2, 4]
