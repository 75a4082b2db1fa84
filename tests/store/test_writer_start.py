"""What a batch writer imports before its first message: a writer without a helper (validated
batches only) is a bare interpreter plus what it commits with — not typing, json, re or
subprocess, which were a third of its start (the suite starts some 300 writers, and a job's
writer starts before its first batch can commit)."""

from __future__ import annotations

import os
import subprocess
import sys

from importdesk.store.batch_writer import BatchWriter


def _imported_by_writer() -> set[str]:
    """Module names a writer imports while it waits for a first message that never comes."""
    done = subprocess.run([sys.executable, "-I", "-X", "importtime", BatchWriter.script, str(os.getpid())],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


def test_a_writer_without_a_helper_imports_only_what_it_commits_with():
    modules = _imported_by_writer()
    assert {"sqlite3", "marshal", "select"} <= modules  # (the listing is what the writer loads)
    assert modules & {"typing", "json", "re", "subprocess", "importdesk"} == set()
