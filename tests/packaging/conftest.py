"""The sdist and the wheel, built once per run the way a packager builds them (PEP 517, isolated)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from build import ProjectBuilder
from build.env import DefaultIsolatedEnv

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
    """What `python -m build` does, in one isolated build environment instead of two: the sdist from
    the source tree, then the wheel from the unpacked sdist, so the wheel proves the sdist holds
    everything a build needs. The environment holds only what `[build-system] requires` (and the
    backend) ask for, installed from the index as a packager's build would."""
    out = tmp_path_factory.mktemp("dist")
    with DefaultIsolatedEnv(installer=build_installer()) as env:
        from_source = ProjectBuilder.from_isolated_env(env, ROOT, runner=quiet_runner)
        env.install(from_source.build_system_requires)
        env.install(from_source.get_requires_for_build("sdist"))
        sdist = Path(from_source.build("sdist", out))
        unpacked = tmp_path_factory.mktemp("sdist-unpacked")
        with tarfile.open(sdist) as tar:
            tar.extractall(unpacked, filter="data")
        [top] = unpacked.iterdir()
        from_sdist = ProjectBuilder.from_isolated_env(env, top, runner=quiet_runner)
        env.install(from_sdist.get_requires_for_build("wheel"))
        wheel = Path(from_sdist.build("wheel", out))
    return Dists(sdist, wheel)


def build_installer() -> str:
    """uv where the README's install brought it (the build environment's setuptools in a second
    instead of the five to ten that pip takes), else pip, as `python -m build` uses by default."""
    return "uv" if importlib.util.find_spec("uv") is not None else "pip"


def quiet_runner(cmd, cwd=None, extra_environ=None):
    """The backend's hooks in a subprocess, their output kept for the failure message only."""
    env = {**os.environ, **(extra_environ or {})}
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups: its hook and this one are otherwise unordered
def pytest_collection_modifyitems(items):
    """Under pytest-xdist the tests that share the build run in one worker, so it is built once and
    two builds never write into the source tree at the same time."""
    for item in items:
        if "dists" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("dists"))
