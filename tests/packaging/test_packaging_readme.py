"""Every relative link in README.md leads somewhere: to a file of the repository and, for those
inside the package, to a file the wheel ships (so a link read from an installed copy works too)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def relative_links() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks hold commands, not links
    targets = [m.group(1).split("#", 1)[0] for m in LINK.finditer(text)]
    return [t for t in targets if t and not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def test_the_readme_has_relative_links_to_check():
    links = relative_links()
    assert "docs/architecture.md" in links and "docs/screenshot.svg" in links


def test_every_relative_link_points_at_a_file_of_the_repository():
    missing = [t for t in relative_links() if not (ROOT / t).is_file()]
    assert not missing, missing


def test_links_into_the_package_point_at_files_the_wheel_ships(dists):
    names = dists.wheel_names()
    inside = [t for t in relative_links() if t.startswith("src/importdesk/")]
    assert inside  # the inbox and resource type READMEs
    missing = [t for t in inside if t.removeprefix("src/") not in names]
    assert not missing, missing
