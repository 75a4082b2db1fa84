"""What a packager and a user get: the sdist's contents, the wheel's, and the wheel installed into a
new virtual environment, run from a folder outside the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def test_constraints_pin_every_dependency_inside_its_declared_range(dists):
    """The README installs the app and its test extra with -c constraints.txt: each of their
    dependencies is pinned there, at a version its declared range allows (else pip refuses, or
    installs what the suite never saw). The bench extra has constraints of its own."""
    pins = constraint_pins()
    requirements = [Requirement(line) for line in wheel_requirements(dists)]
    needed = [r for r in requirements if r.marker is None or r.marker.evaluate({"extra": "test"})]
    assert len(needed) > 10 and any(r.name == "pytest" for r in needed)
    for req in needed:
        assert canonicalize_name(req.name) in pins, f"{req.name}: not pinned in constraints.txt"
        assert req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True), (
            f"{req.name}: constraints.txt pins {pins[canonicalize_name(req.name)]}, outside {req.specifier}")


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory):
    """A new venv holding the wheel and exactly what it declares it needs, nothing else.

    The wheel is installed by pip, offline, without its dependencies; those (and theirs) are the
    distributions this test run uses, linked in from its site-packages, so the version that the
    suite passed with is the one the installed command runs with. Test-only packages are not
    there: a module the app imports without declaring it fails here. `pip check` then proves that
    every requirement in the venv, the wheel's included, is met. (Resolving and downloading the
    dependencies again, as a user's first install does, took ~50 s here and proved nothing more.)"""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    for dist in dependencies_of(wheel_requirements(dists)):
        link_into(site, dist)
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    done = subprocess.run([*pip, "install", "-q", "--no-deps", "--no-index", str(dists.wheel)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    check = subprocess.run([*pip, "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    return bin_dir


def wheel_requirements(dists) -> list[str]:
    return Parser().parsestr(dists.wheel_text(".dist-info/METADATA")).get_all("Requires-Dist") or []


def constraint_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.strip()
    return pins


def dependencies_of(requirements: list[str]) -> list[metadata.Distribution]:
    """The installed distributions that `requirements` pull in, transitively (extras followed, markers
    evaluated for this interpreter); a requirement this environment does not meet fails the test."""
    found: dict[str, metadata.Distribution] = {}
    followed: set[tuple[str, str]] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        extras = ["", *sorted(req.extras)]
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras):
            continue
        name = canonicalize_name(req.name)
        dist = found.get(name) or metadata.distribution(req.name)
        assert req.specifier.contains(dist.version, prereleases=True), f"{req}: {dist.version} is installed"
        found[name] = dist
        for extra in extras:
            if (name, extra) in followed:
                continue
            followed.add((name, extra))
            for line in dist.requires or []:
                sub = Requirement(line)
                if sub.marker is None or sub.marker.evaluate({"extra": extra}):
                    todo.append(Requirement(str(sub).split(";", 1)[0]))
    return list(found.values())


def link_into(site: Path, dist: metadata.Distribution) -> None:
    """The distribution's top-level packages, modules and .dist-info, linked into `site`."""
    tops = {f.parts[0] for f in dist.files or [] if f.parts and f.parts[0] not in ("..", "__pycache__")}
    assert tops, f"{dist.metadata['Name']}: no RECORD of its files"
    for top in tops:
        source = Path(dist.locate_file(top))
        target = site / top
        if source.exists() and not target.exists():
            target.symlink_to(source, target_is_directory=source.is_dir())


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
    test_only = subprocess.run([str(installed / "python"), "-c", "import importlib.util as u; "
                                "print([m for m in ('pytest', 'python_calamine', 'build') if u.find_spec(m)])"],
                               cwd=cwd, env=elsewhere, capture_output=True, text=True)
    assert test_only.stdout.strip() == "[]", test_only  # only what the wheel declares is there

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
