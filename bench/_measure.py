"""Measure one command: wall seconds, CPU seconds and peak memory of its whole process tree.

Run as a script, it starts the command, samples the resident memory of the command and every
process it starts (importdesk's batch writer is one) every 50 ms from /proc, and prints one JSON
line: {"wall": s, "cpu": s, "peak_kb": kB, "rc": exit code}. The CPU time is that of every
descendant that was waited for (RUSAGE_CHILDREN of this small process), so it exceeds the wall time
when the command keeps both cores busy. Measuring from a process of its own keeps the caller's
memory and CPU out of the figures.

    python bench/_measure.py CMD [ARG...]

`measure(cmd)` does that from Python and returns a `Measurement`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True)
class Measurement:
    wall: float
    cpu: float
    peak_mb: float
    rc: int


def measure(cmd: list[str], cwd: Path | None = None) -> Measurement:
    """Run `cmd` under this module in a fresh interpreter; its stdout and stderr are discarded."""
    out = subprocess.run([sys.executable, __file__, *cmd], capture_output=True, text=True, cwd=cwd)
    if out.returncode != 0:
        raise RuntimeError(f"measuring {cmd[0]} failed: {out.stderr.strip()[-500:]}")
    data = json.loads(out.stdout)
    return Measurement(data["wall"], data["cpu"], data["peak_kb"] / 1024, data["rc"])


def tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants, in kB (0 where /proc is missing)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                # after the command name: field 3 (state) onwards; ppid is field 4, rss (pages) field 24
                fields = f.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            pass  # the process ended while we looked
    tree, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - tree
        tree |= frontier
    return sum(rss.get(pid, 0) for pid in tree)


def _run(cmd: list[str]) -> dict[str, float | int]:
    has_proc = os.path.isdir("/proc")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        if has_proc:
            peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(SAMPLE_SECONDS)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss (largest single descendant) covers a command too short to be sampled
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_kb": max(peak, usage.ru_maxrss),
            "rc": proc.returncode}


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    print(json.dumps(_run(sys.argv[1:])))
