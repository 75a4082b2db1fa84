"""One pass over the inbox (lstat only: nothing is opened, no link is followed) and the stability
window that decides when a file is complete."""

from __future__ import annotations

import os
import stat as st
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from importdesk.inbox.naming import is_config, is_supported, is_temporary, looks_like_data_file

MAX_DEPTH = 4  # inbox/<type>/<sub>/<sub>/file at most


@dataclass(frozen=True)
class Candidate:
    """A regular file that may become a job once it is stable."""

    path: Path
    parts: tuple[str, ...]  # relative to the inbox, file name last
    size: int
    mtime_ns: int
    ino: int
    sidecar: Path | None = None
    sidecar_sig: tuple[int, int] | None = None

    @property
    def key(self) -> str:
        return "/".join(self.parts)

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def signature(self) -> tuple:
        return (self.size, self.mtime_ns, self.ino, self.sidecar_sig)

    @property
    def supported(self) -> bool:
        return is_supported(self.name)


@dataclass(frozen=True)
class Odd:
    """An entry that is never imported and never followed: reported once, left in place."""

    parts: tuple[str, ...]
    kind: str  # symlink | hardlink | fifo | socket | device | directory | too_deep | unknown
    ino: int

    @property
    def key(self) -> str:
        return "/".join(self.parts)

    @property
    def reason(self) -> str:
        return {
            "symlink": "a symbolic link: links are never followed; move the file itself into the inbox",
            "hardlink": ("a hard link (the same file has another name outside the inbox, through which it can "
                         "change while it is imported): copy or move the file itself into the inbox"),
            "too_deep": (f"a folder nested too deep: files are imported at most {MAX_DEPTH} levels down "
                         "(inbox/<type>/<sub>/<sub>/file), so nothing in it is; move its files up"),
            "fifo": "a named pipe (FIFO), not a file: left alone",
            "socket": "a socket, not a file: left alone",
            "device": "a device node, not a file: left alone",
            "directory": "a folder with a data file's name: folders are not imports; left alone",
        }.get(self.kind, "not a regular file: left alone")


@dataclass
class ScanResult:
    candidates: dict[str, Candidate] = field(default_factory=dict)
    odd: list[Odd] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (folder key, message)


def _kind(mode: int) -> str:
    if st.S_ISLNK(mode):
        return "symlink"
    if st.S_ISFIFO(mode):
        return "fifo"
    if st.S_ISSOCK(mode):
        return "socket"
    if st.S_ISCHR(mode) or st.S_ISBLK(mode):
        return "device"
    if st.S_ISDIR(mode):
        return "directory"
    if st.S_ISREG(mode):
        return "file"
    return "unknown"


def scan(inbox: Path, max_depth: int = MAX_DEPTH) -> ScanResult:
    result = ScanResult()
    _scan_dir(inbox, (), result, max_depth)
    return result


def _scan_dir(folder: Path, prefix: tuple[str, ...], result: ScanResult, depth: int) -> None:
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError as exc:
        result.errors.append(("/".join(prefix) or ".", exc.strerror or str(exc)))
        return
    stats: dict[str, os.stat_result] = {}
    for entry in entries:
        try:
            stats[entry.name] = entry.stat(follow_symlinks=False)
        except OSError:
            continue  # vanished between listing and stat
    for name, info in stats.items():
        if is_temporary(name):
            continue
        parts = (*prefix, name)
        kind = _kind(info.st_mode)
        if kind == "directory":
            if looks_like_data_file(name):
                result.odd.append(Odd(parts, kind, info.st_ino))
            elif not name.startswith("_"):
                if depth > 1:
                    _scan_dir(folder / name, parts, result, depth - 1)
                elif _has_entries(folder / name):
                    result.odd.append(Odd(parts, "too_deep", info.st_ino))
            continue
        if kind != "file":
            if not is_config(name):
                result.odd.append(Odd(parts, kind, info.st_ino))
            continue
        if is_config(name):
            continue
        if info.st_nlink > 1:
            result.odd.append(Odd(parts, "hardlink", info.st_ino))
            continue
        sidecar_name = name + ".toml"
        side = stats.get(sidecar_name)
        sidecar = folder / sidecar_name if side is not None else None
        result.candidates["/".join(parts)] = Candidate(
            path=folder / name, parts=parts, size=info.st_size, mtime_ns=info.st_mtime_ns, ino=info.st_ino,
            sidecar=sidecar, sidecar_sig=(side.st_size, side.st_mtime_ns) if side is not None else None,
        )


def _has_entries(folder: Path) -> bool:
    try:
        with os.scandir(folder) as it:
            return any(not is_temporary(entry.name) for entry in it)
    except OSError:
        return False


class Stability:
    """A file is stable once its size, mtime, inode (and its sidecar's) stayed the same for ``window``
    seconds of our own observation (a copied file's old mtime does not count as quiet time)."""

    def __init__(self, window: float, clock: Callable[[], float]):
        self.window = window
        self.clock = clock
        self._seen: dict[str, tuple[tuple, float]] = {}

    def update(self, candidates: Iterable[Candidate]) -> tuple[list[Candidate], float | None]:
        """(stable candidates, the clock time the next unstable one could become stable)."""
        now = self.clock()
        stable: list[Candidate] = []
        next_due: float | None = None
        present = set()
        for cand in candidates:
            present.add(cand.key)
            sig = cand.signature
            seen = self._seen.get(cand.key)
            if seen is None or seen[0] != sig:
                self._seen[cand.key] = (sig, now)
                since = now
            else:
                since = seen[1]
            due = since + self.window
            if now >= due:
                stable.append(cand)
            elif next_due is None or due < next_due:
                next_due = due
        for key in [k for k in self._seen if k not in present]:
            del self._seen[key]
        return stable, next_due

    def forget(self, key: str) -> None:
        self._seen.pop(key, None)
