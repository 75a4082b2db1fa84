"""What a packager and a user get: the sdist's contents, the wheel's, and the wheel installed into a
new virtual environment, run from a folder outside the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"__pycache__", ".pytest_cache"}


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in folder.rglob("*")
            if p.is_file() and not SKIP & set(p.parts) and p.suffix != ".pyc"}


def test_the_sdist_holds_what_a_packager_needs(dists):
    names = dists.sdist_names()
    assert {"README.md", "LICENSE", "pyproject.toml", "constraints.txt", "MANIFEST.in"} <= names
    for folder in ("docs", "tests", "scripts", "src/importdesk/sample_data", "src/importdesk"):
        missing = files_under(ROOT / folder) - names
        assert not missing, f"{folder}: not in the sdist: {sorted(missing)[:10]}"


def test_the_wheel_holds_the_package_data(dists):
    names = dists.wheel_names()
    package = ROOT / "src"
    data = {p.relative_to(package).as_posix() for p in (package / "importdesk").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and not SKIP & set(p.parts)}
    assert data and not data - names, sorted(data - names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "sample_data/", "docs/")) for n in names)


def test_the_wheel_metadata(dists):
    meta = Parser().parsestr(dists.wheel_text(".dist-info/METADATA"))
    assert meta["Name"] == "importdesk" and meta["License-Expression"] == "MIT"
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3.11" in classifiers and "Environment :: Console" in classifiers
    assert any(r.startswith("platformdirs") for r in meta.get_all("Requires-Dist"))
    assert meta["Description-Content-Type"] == "text/markdown"
    assert dists.wheel_text("entry_points.txt").strip().endswith("importdesk = importdesk.cli:main")


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory):
    """A new venv with the wheel and its dependencies at the versions the suite passed with.

    The venv gets no pip of its own (ensurepip alone took 3-10 s here): this run's pip installs
    into it with --python, resolving every dependency from the index as a user's install would."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "-q",
                           "-c", str(ROOT / "constraints.txt"), str(dists.wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return bin_dir


@pytest.fixture
def elsewhere(tmp_path) -> dict[str, str]:
    """An environment far from the repository: cwd, HOME and the data folder all in tmp_path."""
    (tmp_path / "cwd").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("IMPORTDESK_HOME", "XDG_DATA_HOME", "PYTHONPATH")}
    env["HOME"] = str(tmp_path / "home")
    return env


def importdesk(bin_dir: Path, env, cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "importdesk"), *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_installed_wheel_runs_from_any_folder(installed, elsewhere, tmp_path, dists):
    cwd = tmp_path / "cwd"
    where = subprocess.run([str(installed / "python"), "-c", "import importdesk; print(importdesk.__file__)"],
                           cwd=cwd, env=elsewhere, capture_output=True, text=True)
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where  # the wheel, not the repository

    version = importdesk(installed, elsewhere, cwd, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"importdesk {dists.wheel.name.split('-')[1]}"

    types = importdesk(installed, elsewhere, cwd, "types", "--json")
    assert types.returncode == 0, types.stderr
    assert {"products", "prices", "customers", "subscription"} <= {t["name"] for t in json.loads(types.stdout)}
    assert not (tmp_path / "home").exists()  # reading made no workspace

    demo = importdesk(installed, elsewhere, cwd, "demo", "--headless", "--workspace", str(tmp_path / "demo"))
    assert demo.returncode == 0, demo.stderr
    jobs = importdesk(installed, elsewhere, cwd, "--workspace", str(tmp_path / "demo"), "jobs", "--json")
    data = json.loads(jobs.stdout)["data"]
    assert len(data) == 6 and {j["status"] for j in data} == {"done"}
    assert sum(j["progress"]["done"] for j in data) == 1000 + 167 + 300 + 250 + 114 + 100
    assert list(cwd.iterdir()) == []  # nothing written where the command was run
