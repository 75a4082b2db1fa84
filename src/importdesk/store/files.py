"""Kept source files: each distinct content (sha256) is kept once inside the workspace."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from importdesk.store.converters import iso
from importdesk.store.database import Database

CHUNK = 1 << 20


@dataclass(frozen=True)
class SourceFile:
    sha256: str
    size: int
    name: str
    kept_path: str  # relative to the workspace


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StagedCopy:
    """A file copied into a folder of the workspace under a temporary name, hashed as it was
    written (one read of the source): not kept until FileStore.keep_staged."""
    part: Path
    sha256: str
    size: int

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.part.unlink()


def stage_copy(source: Path, folder: Path) -> StagedCopy:
    """Copy ``source`` into ``folder`` as a ``.part`` file; its sha256 and size are those of the
    bytes written, so the copy is exactly what its hash says even if the source changes meanwhile."""
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".incoming-{os.getpid()}-{os.urandom(6).hex()}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(source, "rb") as src, open(part, "wb") as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        raise
    return StagedCopy(part, digest.hexdigest(), size)


def safe_name(name: str) -> str:
    """A file name that is safe to keep: no separators, no leading dash or dot, bounded length."""
    cleaned = "".join(c if (c.isprintable() and c not in "/\\\0") else "_" for c in name).strip()
    cleaned = cleaned.lstrip("-.") or "file"
    if len(cleaned.encode()) > 120:
        _stem, dot, ext = cleaned.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        cleaned = cleaned.encode()[: 110].decode(errors="ignore") + (f".{keep}" if keep else "")
    return cleaned


def _register(conn: sqlite3.Connection, sha256: str, size: int, name: str, kept_rel: str, created: str) -> None:
    conn.execute(
        "INSERT INTO source_files (sha256, size, name, kept_path, created_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(sha256) DO UPDATE SET kept_path = excluded.kept_path",
        (sha256, size, name, kept_rel, created),
    )


class FileStore:
    def __init__(self, db: Database, root: Path):
        self.db = db
        self.root = root

    def get(self, sha256: str) -> SourceFile | None:
        conn = self.db.conn()
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM source_files WHERE sha256 = ?", (sha256,)).fetchone()
        return SourceFile(row["sha256"], row["size"], row["name"], row["kept_path"]) if row else None

    def keep_copy(self, source: Path, folder: Path, now: datetime, sha256: str | None = None) -> SourceFile:
        """Copy a file into the workspace once per content; later copies of the same bytes reuse it.
        Without ``sha256`` the file is read once: copied and hashed together (stage_copy)."""
        self.db.check_writable()
        if sha256 is None:
            staged = stage_copy(source, folder)
            try:
                return self.keep_staged(staged, source.name, now)
            finally:
                staged.discard()
        existing = self.get(sha256)
        if existing and (self.root / existing.kept_path).exists():
            return existing
        # one folder per content keeps the original name, so messages name the file the user knows
        target = folder / sha256[:16] / safe_name(source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        return self.register(sha256, source.stat().st_size, source.name, target, now)

    def keep_staged(self, staged: StagedCopy, name: str, now: datetime,
                    conn: sqlite3.Connection | None = None) -> SourceFile:
        """Keep a staged copy as the file ``name`` (moved into place; dropped when the same
        content is kept already); registered inside the caller's transaction when ``conn`` is given."""
        self.db.check_writable()
        existing = self.get(staged.sha256)
        if existing and (self.root / existing.kept_path).exists():
            staged.discard()
            return existing
        target = staged.part.parent / staged.sha256[:16] / safe_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        staged.part.replace(target)
        return self.register(staged.sha256, staged.size, name, target, now, conn)

    def register(self, sha256: str, size: int, name: str, kept: Path, now: datetime,
                 conn: sqlite3.Connection | None = None) -> SourceFile:
        kept_rel = kept.resolve().relative_to(self.root).as_posix()
        if conn is None:
            with self.db.write() as own:
                _register(own, sha256, size, name, kept_rel, iso(now))
        else:
            _register(conn, sha256, size, name, kept_rel, iso(now))
        return SourceFile(sha256, size, name, kept_rel)

    def move(self, sha256: str, kept: Path) -> None:
        kept_rel = kept.resolve().relative_to(self.root).as_posix()
        with self.db.write() as conn:
            conn.execute("UPDATE source_files SET kept_path = ? WHERE sha256 = ?", (kept_rel, sha256))
