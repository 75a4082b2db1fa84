"""The README's screenshot is the app as it looks now: scripts/screenshot.py draws the same picture
every time, so it must equal docs/screenshot.svg until the app's looks change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "screenshot.svg"


def test_the_committed_screenshot_is_what_the_script_draws_today(tmp_path):
    out = tmp_path / "screenshot.svg"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshot.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    drawn = out.read_text(encoding="utf-8")
    for text in ("products_with_errors.csv", "subscriptions.jsonl", "customers.xlsx", "Errors", "33"):
        assert text in drawn, text
    assert drawn == COMMITTED.read_text(encoding="utf-8"), (
        "the app looks different now: run `python scripts/screenshot.py`, look at docs/screenshot.svg, commit it")
