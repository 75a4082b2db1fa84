"""A batch writer started ahead of its job, so that its interpreter's start and its imports
(pydantic, the schemas, the count) run on the second core while this process imports the engine,
keeps the file and claims the job, instead of after all that.

``importdesk run FILE`` calls ``prestart(path)`` first thing for a job (an import, or a dry run,
engine/dry_run_overlap.py) whose file looks big enough for a writer (engine/writer_start.py starts
one from WRITER_MIN_ROWS rows on); the runner's ``start_writer`` then ``take()``s it. A writer
nobody took ends when this process does (its input closes: it sees no first message and exits;
it also dies with its parent).
Before the file is copied into the workspace, ``count_ahead`` has that writer count it where it
is (readers/count_ahead.py), on the second core while the copy is made: the job's count, later,
is that one when the bytes it read hash as the kept copy's (store/batch_writer.py).

Light on purpose: standard library only at import time, so the caller has imported nothing heavy
when the child starts.
"""

from __future__ import annotations

import atexit
import contextlib
import marshal
import os
import subprocess
import sys
from pathlib import Path

#: what the writer imports while it waits: its validator's recipe (schemas, pydantic) and the count
PRELOAD = ("importdesk.schemas.positional_recipe", "importdesk.readers.csv_count", "importdesk.readers.xlsx_count")
#: a writer is started from this many rows on (pipeline.WRITER_MIN_ROWS, not imported: it is heavy)
MIN_ROWS = 20_000
HEAD_BYTES = 1 << 16
#: a spreadsheet's rows cannot be estimated from its first bytes: from this size on, it may have enough
MIN_BINARY_BYTES = 1 << 20

#: store.backends.STORE_ENV (a store named there that is not SQLite has no batch writer)
STORE_ENV = "IMPORTDESK_STORE"

#: readers/count_ahead.py's call, named (this module imports no reader)
COUNT_AHEAD = ("importdesk.readers.count_ahead", "count_ahead")

_spare: subprocess.Popen | None = None
_counting_ahead = False  # the spare was asked to count ahead (it may still be reading the file)


def _script() -> str:
    """The writer's script; BatchWriter.script when its module is loaded (a test may wrap it)."""
    loaded = sys.modules.get("importdesk.store.batch_writer")
    if loaded is not None:
        return loaded.BatchWriter.script
    return str(Path(__file__).resolve().parent.parent / "store" / "batch_writer.py")


def likely_rows(path: Path) -> int:
    """Records the file may hold, judged by its size and its first bytes' lines (0: unreadable);
    a binary file (a spreadsheet) of MIN_BINARY_BYTES or more counts as enough."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return 0
    if b"\0" in head or head.startswith(b"PK"):
        return MIN_ROWS if size >= MIN_BINARY_BYTES else 0
    lines = head.count(b"\n")
    return size * lines // len(head) if lines else 0


def prestart(path: Path) -> bool:
    """Start a writer ahead for a job on ``path`` when the file looks big enough and the store is
    the workspace's SQLite file (a frozen app cannot run the writer's script); True when one was
    started."""
    global _spare
    if (_spare is not None or getattr(sys, "frozen", False) or os.environ.get(STORE_ENV)
            or likely_rows(Path(path)) < MIN_ROWS):
        return False
    try:
        _spare = _spawn(_script())
    except OSError:  # the runner starts one itself (or commits in process)
        return False
    atexit.register(discard)
    return True


def _spawn(script: str) -> subprocess.Popen:
    # BatchWriter.spawn's command, without importing the store package (pydantic) before it
    return subprocess.Popen([sys.executable, "-I", script, str(os.getpid()), *PRELOAD],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)


def count_ahead(path: Path, fmt: str | None, sheet: str | None, encoding: str | None, delimiter: str | None,
                limits: dict) -> bool:
    """Have the writer started ahead count the records of ``path`` (opened with these options, as
    the job will open its kept copy) now, while this process copies it; True when it was asked."""
    global _counting_ahead
    proc = _spare
    if proc is None or _counting_ahead or proc.poll() is not None or proc.stdin is None:
        return False
    # store/batch_writer.py's framing (its length, then marshal), not imported: the store package is heavy
    data = marshal.dumps(("ahead", *COUNT_AHEAD, (str(path), fmt, sheet, encoding, delimiter, limits)))
    try:
        proc.stdin.write(len(data).to_bytes(8, "little") + data)
    except (OSError, ValueError):
        return False
    _counting_ahead = True
    return True


def take() -> subprocess.Popen | None:
    """The writer started ahead, still waiting for its first message; None when there is none."""
    global _spare, _counting_ahead
    proc, _spare, _counting_ahead = _spare, None, False
    if proc is not None and proc.poll() is not None:
        _close(proc)
        return None
    return proc


def discard() -> None:
    """End a writer started ahead that no job took (one still counting ahead is stopped: it has
    not opened the store)."""
    global _spare, _counting_ahead
    proc, _spare, counting, _counting_ahead = _spare, None, _counting_ahead, False
    if proc is not None:
        if counting:
            with contextlib.suppress(OSError):
                proc.kill()
        _close(proc)


def _close(proc: subprocess.Popen) -> None:
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
