"""Every committed app snapshot belongs to a snapshot test (syrupy checks this itself, but not when
the suite runs in parallel under pytest-xdist: it leaves unused-snapshot detection to a TODO)."""

from __future__ import annotations

import ast
from pathlib import Path

TUI = Path(__file__).resolve().parent / "tui"
SNAPSHOT_TESTS = TUI / "test_tui_snapshots.py"


def _snapshot_test_names() -> set[str]:
    """`Class.test_name` of every test in the module that takes `snap_compare`: the file name syrupy gives."""
    names = set()
    for cls in ast.parse(SNAPSHOT_TESTS.read_text(encoding="utf-8")).body:
        if isinstance(cls, ast.ClassDef):
            for fn in cls.body:
                if (isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and fn.name.startswith("test")
                        and "snap_compare" in {a.arg for a in fn.args.args}):
                    names.add(f"{cls.name}.{fn.name}")
    return names


def test_every_committed_snapshot_has_its_test_and_every_test_its_snapshot():
    committed = {p.stem for p in (TUI / "__snapshots__" / SNAPSHOT_TESTS.stem).glob("*.svg")}
    assert committed == _snapshot_test_names()
