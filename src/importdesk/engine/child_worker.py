"""Run queued jobs in a child process, so an import never competes with its caller for the GIL.

The app runs its imports this way (with two CPU-bound import threads its event loop stalled up to
80 ms at p99). The child claims, runs and settles jobs with the same `JobLoop` as `importdesk work`
(a final inbox job's file moves on in the child; the parent tags what its own stop interrupted)
and writes each throttled snapshot of a running job as one JSON line on stdout. The line `stop` on its stdin — or
stdin closing, when the parent is gone — asks it to stop at the next batch boundary; the job is
then `interrupted` and resumable, as with any other worker.

    python -m importdesk.engine.child_worker WORKSPACE [--interval SECONDS]
"""

from __future__ import annotations

import argparse
import json
import logging
import socket
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from importdesk.engine.events import JobProgressed, ProgressCallback
from importdesk.engine.job_loop import JobLoop, thread_store
from importdesk.engine.service import Engine
from importdesk.models import ImportJob, JobStatus
from importdesk.workspace import Workspace

log = logging.getLogger(__name__)

STOP = "stop"
STDERR_LINES_KEPT = 20


class ChildWorkerFailed(RuntimeError):
    """The child process ended abnormally (its job, if one was running, is now interrupted)."""


class ChildQueueRunner:
    """Parent side: start a child that drains the queue, relay its snapshots, ask it to stop."""

    def __init__(self, engine: Engine, *, on_progress: ProgressCallback,
                 on_finished: Callable[[ImportJob], None], interval: float = 0.2) -> None:
        self.engine = engine
        self.on_progress = on_progress
        self.on_finished = on_finished
        self.interval = interval
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [sys.executable, "-m", __name__, str(self.engine.workspace.root), "--interval", str(self.interval)]

    def run(self, stop: threading.Event) -> None:
        """Blocks until the queue is empty, or `stop` is set and the running job reached a batch boundary."""
        proc = self.process = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1,
                                start_new_session=True)  # a Ctrl-C in the terminal is the app's to handle
        stderr_tail: deque[str] = deque(maxlen=STDERR_LINES_KEPT)
        threads = [threading.Thread(target=_forward_stop, args=(proc, stop), name="child-stop", daemon=True),
                   threading.Thread(target=_drain, args=(proc.stderr, stderr_tail), name="child-stderr",
                                    daemon=True)]
        for thread in threads:
            thread.start()
        running: str | None = None
        try:
            for line in proc.stdout:
                event = _parse(line)
                if event is None:
                    continue
                running = None if event.final else event.job.uid
                self.on_progress(event)
                if event.final:
                    self.on_finished(event.job)
        finally:
            code = proc.wait()
            for thread in threads:
                thread.join(timeout=1.0)
        if running is not None or code not in (0, None):
            self._child_died(running, code, list(stderr_tail))

    def _child_died(self, uid: str | None, code: int, stderr: list[str]) -> None:
        """The child ended abnormally: its job (if any) becomes interrupted, and the caller is told."""
        last = stderr[-1].strip() if stderr else f"exit code {code}"
        log.error("import worker process ended with code %s: %s", code, "".join(stderr).strip())
        if uid is not None:
            recovered = {job.uid: job for job in self.engine.recover_stale()}
            pid = self.process.pid if self.process is not None else None
            ended = self.engine.recover_ended(uid, f"{socket.gethostname()}:{pid}") if uid not in recovered else None
            if ended is not None:
                recovered[uid] = ended
            job = recovered.get(uid) or self.engine.get_job(uid)
            if uid in recovered:
                job.error_message = f"{job.error_message} (the import process failed: {last})"
            if job.status is not JobStatus.PROCESSING:
                self.on_finished(job)
        raise ChildWorkerFailed(f"the import process ended with code {code}: {last}")


def _parse(line: str) -> JobProgressed | None:
    try:
        data = json.loads(line)
        return JobProgressed(ImportJob.model_validate(data["job"]), final=bool(data["final"]))
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("import worker process wrote an unreadable line (%s): %.200s", exc, line)
        return None


def _forward_stop(proc: subprocess.Popen, stop: threading.Event) -> None:
    while proc.poll() is None:
        if stop.wait(0.25):
            try:
                proc.stdin.write(STOP + "\n")
                proc.stdin.flush()
            except (OSError, ValueError):  # it has just ended
                pass
            return


def _drain(stream, tail: deque[str]) -> None:
    for line in stream:
        tail.append(line)


# ---- child side ------------------------------------------------------------------------------
def _stop_on_stdin(stop: threading.Event) -> None:
    for line in sys.stdin:
        if line.strip() == STOP:
            break
    stop.set()  # asked to, or the parent is gone (end of input)


def _emitter(stop: threading.Event) -> ProgressCallback:
    def emit(event: JobProgressed) -> None:
        line = '{"final": ' + ("true" if event.final else "false") + ', "job": ' + event.job.model_dump_json() + "}\n"
        try:
            sys.stdout.write(line)
            sys.stdout.flush()
        except (BrokenPipeError, ValueError, OSError):  # nobody listens any more: stop at the next batch
            stop.set()

    return emit


def main(argv: list[str] | None = None) -> int:
    from importdesk.gc_settings import tune_gc
    from importdesk.workspace_log import log_to_workspace

    parser = argparse.ArgumentParser(prog="importdesk-child-worker")
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args(argv)
    tune_gc()
    workspace = Workspace.open(args.workspace)
    log_to_workspace(workspace)
    engine = Engine(workspace)
    stop = threading.Event()
    threading.Thread(target=_stop_on_stdin, args=(stop,), name="stop-on-stdin", daemon=True).start()
    emit = _emitter(stop)
    with thread_store(engine):
        for _job in JobLoop(engine, stop, on_progress=emit, interval=args.interval).drain():
            pass  # each one was reported (its final snapshot) and settled as it ended
    return 0


if __name__ == "__main__":
    sys.exit(main())
