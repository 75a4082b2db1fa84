"""The workspace folder: one SQLite file and the folders files move through."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "importdesk"
ENV_VAR = "IMPORTDESK_HOME"
DB_NAME = "importdesk.db"
FOLDERS = ("inbox", "processing", "archive", "failed", "exports", "schemas")


def default_home() -> Path:
    """$IMPORTDESK_HOME, else the platform's per-user data folder (platformdirs).

    Linux: $XDG_DATA_HOME/importdesk or ~/.local/share/importdesk (what earlier versions used on
    every platform); macOS: ~/Library/Application Support/importdesk; Windows:
    %LOCALAPPDATA%/importdesk. On macOS and Windows a workspace an earlier version made at the old
    place stays in use while the new place holds none: an upgrade never hides someone's jobs, and
    nothing is moved behind their back.
    """
    if env := os.environ.get(ENV_VAR):
        return Path(env).expanduser()
    home = platformdirs.user_data_path(APP_NAME, appauthor=False)
    old = _home_of_earlier_versions()
    if old != home and not (home / DB_NAME).is_file() and (old / DB_NAME).is_file():
        return old
    return home


def _home_of_earlier_versions() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


class WorkspaceError(Exception):
    """The workspace cannot be used as asked (a file where the folder should be, read-only…):
    a message for the user."""


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str] | None = None) -> Workspace:
        """The workspace at root (default: `default_home()`), whether it exists or not; creates nothing."""
        ws = cls(Path(root).expanduser().resolve() if root else default_home().resolve())
        if ws.root.exists() and not ws.root.is_dir():
            raise WorkspaceError(f"the workspace {ws.root.name!r} is a file, not a folder: give a folder "
                                 "(--workspace DIR or IMPORTDESK_HOME; it is created if missing)")
        return ws

    @classmethod
    def open(cls, root: str | os.PathLike[str] | None = None) -> Workspace:
        """The workspace at root, created if it does not exist yet."""
        ws = cls.at(root)
        try:
            ws.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create the workspace folder {ws.root.name!r}: {exc.strerror}") from None
        for name in FOLDERS:
            folder = ws.root / name
            try:
                folder.mkdir(exist_ok=True)
            except FileExistsError:
                raise WorkspaceError(f"the workspace's {name}/ is a file, not a folder") from None
            except OSError:
                if ws.writable:
                    raise
                # a read-only workspace can still be read: commands that need the folder say so
        return ws

    @property
    def writable(self) -> bool:
        return os.access(self.root, os.W_OK)

    @property
    def exists(self) -> bool:
        """Whether a workspace was made here (its database is there)."""
        return self.db_path.is_file()

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def processing(self) -> Path:
        return self.root / "processing"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def failed(self) -> Path:
        return self.root / "failed"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    def relative(self, path: Path) -> str:
        """A path inside the workspace as stored in the database (never absolute)."""
        return path.resolve().relative_to(self.root).as_posix()

    def absolute(self, relative: str) -> Path:
        return self.root / relative
