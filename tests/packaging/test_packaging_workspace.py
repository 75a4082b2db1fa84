"""Where the default workspace is: the platform's per-user data folder, as platformdirs says."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from importdesk.engine import Engine
from importdesk.workspace import Workspace, default_home


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A home folder of our own; no variable that would choose the folder for us."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("IMPORTDESK_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def on(monkeypatch, platform) -> None:
    monkeypatch.setattr(platformdirs, "PlatformDirs", platform)


def make_workspace(root: Path) -> Workspace:
    """A workspace as any command leaves it: the folders and the database."""
    ws = Workspace.open(root)
    Engine(ws).close()
    return ws


def test_linux_uses_xdg_data_home_or_local_share(home, monkeypatch):
    on(monkeypatch, Unix)
    assert default_home() == home / ".local" / "share" / "importdesk"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    assert default_home() == home / "data" / "importdesk"


def test_macos_uses_application_support(home, monkeypatch):
    on(monkeypatch, MacOS)
    assert default_home() == home / "Library" / "Application Support" / "importdesk"


def test_windows_uses_local_app_data_not_roaming(home, monkeypatch):
    on(monkeypatch, Windows)
    monkeypatch.setattr("platformdirs.windows.get_win_folder",
                        lambda csidl: {"CSIDL_LOCAL_APPDATA": str(home / "AppData" / "Local"),
                                       "CSIDL_APPDATA": str(home / "AppData" / "Roaming")}[csidl])
    assert default_home() == home / "AppData" / "Local" / "importdesk"


def test_importdesk_home_wins_everywhere(home, monkeypatch):
    monkeypatch.setenv("IMPORTDESK_HOME", str(home / "mine"))
    for platform in (Unix, MacOS):
        on(monkeypatch, platform)
        assert default_home() == home / "mine"


def test_linux_users_keep_the_folder_earlier_versions_used(home, monkeypatch):
    """Earlier versions used $XDG_DATA_HOME or ~/.local/share on every platform: on Linux, the same."""
    on(monkeypatch, Unix)
    earlier = make_workspace(home / ".local" / "share" / "importdesk")
    assert Workspace.at().root == earlier.root


def test_an_earlier_workspace_on_macos_stays_in_use_until_the_new_place_has_one(home, monkeypatch):
    on(monkeypatch, MacOS)
    new_place = home / "Library" / "Application Support" / "importdesk"
    assert default_home() == new_place
    earlier = make_workspace(home / ".local" / "share" / "importdesk")
    assert default_home() == earlier.root  # jobs made before the upgrade are still there
    make_workspace(new_place)
    assert default_home() == new_place  # the user moved to the new place: it wins


def test_at_creates_nothing_open_creates_the_folders(home, monkeypatch):
    on(monkeypatch, Unix)
    ws = Workspace.at()
    assert not ws.exists and not ws.root.exists()
    Workspace.open()
    assert sorted(p.name for p in ws.root.iterdir()) == sorted(
        ["archive", "exports", "failed", "inbox", "processing", "schemas"])
