"""The sdist and the wheel, built once per run the way a packager builds them (PEP 517, isolated)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Dists:
    sdist: Path
    wheel: Path

    def sdist_names(self) -> set[str]:
        """Paths inside the sdist, without its top folder (importdesk-X.Y.Z/)."""
        with tarfile.open(self.sdist) as tar:
            return {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}

    def wheel_names(self) -> set[str]:
        with zipfile.ZipFile(self.wheel) as whl:
            return set(whl.namelist())

    def wheel_text(self, suffix: str) -> str:
        with zipfile.ZipFile(self.wheel) as whl:
            [name] = [n for n in whl.namelist() if n.endswith(suffix)]
            return whl.read(name).decode("utf-8")


@pytest.fixture(scope="session")
def dists(tmp_path_factory) -> Dists:
    """`python -m build`: the sdist from the source tree, then the wheel from the sdist — so the
    wheel proves the sdist holds everything a build needs."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [sdist] = out.glob("importdesk-*.tar.gz")
    [wheel] = out.glob("importdesk-*.whl")
    return Dists(sdist, wheel)


def pytest_collection_modifyitems(items):
    """Under pytest-xdist the tests that share the build run in one worker, so it is built once and
    two builds never write into the source tree at the same time."""
    for item in items:
        if "dists" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("dists"))
