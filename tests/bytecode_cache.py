"""Bytecode for the processes a test run starts, cached outside the source tree.

The suite starts hundreds of Python processes (the command line, batch writers, child workers, the
inbox service). Where the environment sets PYTHONDONTWRITEBYTECODE, as some CI images and sandboxes
do, each of them compiled importdesk's modules again: a tenth of a second a process. Here the run
lets them write bytecode to a cache folder of its own (PYTHONPYCACHEPREFIX), so the tree stays free
of __pycache__ folders as that setting intended, and every process after the first reads the cache.
Where the variable is not set, nothing changes: Python caches bytecode as it always does."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def cache_bytecode_outside_the_tree() -> Path | None:
    """Applied to this process and to every process it starts (pytest-xdist's workers among them)."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return None
    folder = Path(os.environ.get("PYTHONPYCACHEPREFIX")
                  or Path(tempfile.gettempdir(), f"importdesk-tests-pycache-{os.getuid()}"))
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(folder)
    return folder
