"""Steps 1–3 of an inbox file's life: it moves into its own claim folder ``processing/<uid>/`` by
one atomic rename. (Every step, and which layer owns it: `engine.inbox_jobs`' docstring.)

Order (a crash at any point leaves the file in the inbox, or claimed by a recorded job, or in a claim
folder whose note lets the next start finish the job):

1. pick the job uid; create ``processing/<uid>/`` with a note ``.claim.json`` (where the file came from,
   which process claims it);
2. rename the inbox file to ``processing/<uid>/<safe name>`` — the arbiter between watchers: if the
   file is gone, another watcher took it and the empty claim folder is removed;
3. move the sidecar (``<name>.toml``) along, if there is one;
4. insert the job pointing at the claimed file (`inbox_jobs.create_claimed_job`), then mark the note
   ``recorded`` (`mark_recorded`).

The note's ``recorded`` flag tells a job the user deleted (leave the file alone) from a crash between
steps 2 and 4 (create the job now).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importdesk.store.files import safe_name

NOTE = ".claim.json"
SIDECAR_SUFFIX = ".toml"  # a data file's options travel beside it as <name>.toml
UID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


@dataclass
class Claimed:
    uid: str
    folder: Path  # processing/<uid>
    file: Path  # processing/<uid>/<safe name>
    parts: tuple[str, ...]  # where it was, relative to the inbox (name last)
    sidecar: Path | None

    @property
    def original_name(self) -> str:
        return self.parts[-1]


class ClaimLost(Exception):
    """The file was no longer there (another watcher claimed it, or its writer removed it)."""


def write_note(folder: Path, data: dict[str, Any]) -> None:
    tmp = folder / (NOTE + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8", errors="surrogateescape")
    os.replace(tmp, folder / NOTE)


def read_note(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / NOTE).read_text(encoding="utf-8", errors="surrogateescape"))
    except (OSError, ValueError):
        return None


def claim(processing: Path, uid: str, source: Path, parts: tuple[str, ...], *, owner: str,
          expected_ino: int | None = None, sidecar: Path | None = None, claimed_at: str = "") -> Claimed:
    """Steps 1–3 above. Raises ClaimLost when the file was gone; OSError for anything else
    (the inbox file is then where it was)."""
    folder = processing / uid
    folder.mkdir(parents=False, exist_ok=False)
    try:
        write_note(folder, {"uid": uid, "source": list(parts), "owner": owner, "claimed_at": claimed_at,
                            "recorded": False})
        target = folder / safe_name(parts[-1])  # the store's rule for kept files
        os.rename(source, target)
    except FileNotFoundError:
        shutil.rmtree(folder, ignore_errors=True)
        raise ClaimLost(source) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if expected_ino is not None:
        ino = os.lstat(target).st_ino
        if ino != expected_ino and not os.path.lexists(source):
            # a different file of the same name, dropped after another watcher took ours: put it back
            os.rename(target, source)
            shutil.rmtree(folder, ignore_errors=True)
            raise ClaimLost(source)
    moved_sidecar = None
    if sidecar is not None:
        moved = folder / (target.name + SIDECAR_SUFFIX)
        try:
            os.rename(sidecar, moved)
            moved_sidecar = moved
        except FileNotFoundError:
            moved_sidecar = None
    return Claimed(uid, folder, target, parts, moved_sidecar)


def mark_recorded(claimed_folder: Path) -> None:
    note = read_note(claimed_folder) or {}
    note["recorded"] = True
    with contextlib.suppress(OSError):  # only used to tell a deleted job from a crash; the job exists now
        write_note(claimed_folder, note)


def data_file(folder: Path) -> Path | None:
    """The claimed file in a claim folder (not the note, not the sidecar)."""
    try:
        names = [n for n in os.listdir(folder) if not n.startswith(".") and not n.endswith(SIDECAR_SUFFIX)]
    except OSError:
        return None
    if not names:
        return None
    names.sort(key=len)
    return folder / names[0]


def restore(claimed: Claimed, inbox: Path) -> bool:
    """Put a claimed file (and sidecar) back where it was, if that place is free. Used only when a
    job could not be recorded for a reason that may pass (the database was busy)."""
    source = inbox.joinpath(*claimed.parts)
    if os.path.lexists(source):
        return False
    source.parent.mkdir(parents=True, exist_ok=True)
    os.rename(claimed.file, source)
    if claimed.sidecar is not None:
        side = source.with_name(source.name + SIDECAR_SUFFIX)
        if not os.path.lexists(side):
            os.rename(claimed.sidecar, side)
    shutil.rmtree(claimed.folder, ignore_errors=True)
    return True
