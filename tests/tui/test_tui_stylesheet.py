"""The app has one stylesheet, inside the package (so a wheel has it), written in theme variables."""

from __future__ import annotations

import os
import re
from pathlib import Path

import importdesk
import importdesk.tui.app
from importdesk.tui.app import ImportDeskApp

ROOT = Path(__file__).resolve().parents[2]
STYLESHEET = ROOT / "src" / "importdesk" / "tui" / "textual.tcss"
NOT_THE_PROJECT = {".venv", "venv", "build", "dist", ".git", "node_modules", "__pycache__"}


def _stylesheets_in_the_project() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in NOT_THE_PROJECT and not d.endswith(".egg-info")]
        found += [Path(folder, f) for f in files if f.endswith(".tcss")]
    return found


def test_the_project_keeps_one_stylesheet_the_one_the_app_loads():
    assert _stylesheets_in_the_project() == [STYLESHEET]
    loaded = Path(importdesk.tui.app.__file__).parent / ImportDeskApp.CSS_PATH  # installed, or this tree
    assert loaded.relative_to(Path(importdesk.__file__).parent) == STYLESHEET.relative_to(ROOT / "src" / "importdesk")
    assert loaded.read_bytes() == STYLESHEET.read_bytes()


def test_no_hard_coded_colours():
    text = STYLESHEET.read_text()
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|\brgb\(|\b(red|green|blue|yellow|white|black)\b", text)
