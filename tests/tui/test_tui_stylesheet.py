"""The stylesheet is textual.tcss at the repository root; the package ships a byte-identical copy."""

from __future__ import annotations

import re
from pathlib import Path

import importdesk.tui

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = Path(importdesk.tui.__file__).parent / "textual.tcss"


def test_shipped_copy_is_identical():
    assert SHIPPED.read_bytes() == (ROOT / "textual.tcss").read_bytes(), (
        "src/importdesk/tui/textual.tcss differs from textual.tcss: "
        "cp textual.tcss src/importdesk/tui/textual.tcss")


def test_no_hard_coded_colours():
    text = (ROOT / "textual.tcss").read_text()
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b|\brgb\(|\b(red|green|blue|yellow|white|black)\b", text)
