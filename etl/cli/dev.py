"""`make dev`: `dagster dev` that stops on Ctrl-C within seconds and leaves no process behind.

`dagster dev` starts a webserver, a daemon and code servers (which start gRPC servers of their
own). This wrapper runs it as a child, becomes the subreaper of everything it starts (orphans
are re-parented to it, not to init), and on SIGINT/SIGTERM forwards the signal, gives the tree
`GRACE_SECONDS` to shut down, then kills what is left and reaps every process before exiting.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

GRACE_SECONDS = 10.0
KILL_WAIT_SECONDS = 3.0
PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> None:
    """Orphaned descendants get this process as parent (Linux); elsewhere a no-op."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def children(pid: int) -> list[int]:
    """Live (non-zombie) processes whose parent is `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _signal_all(sig: int) -> None:
    for pid in children(os.getpid()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _wait_for_none(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _reap()
        if not children(os.getpid()):
            return True
        time.sleep(0.1)
    return False


def main(argv: list[str]) -> int:
    """Run `dagster dev ARGV...` until it exits or is interrupted; return its exit code."""
    _become_subreaper()
    dagster = Path(sys.executable).with_name("dagster")
    child = subprocess.Popen([str(dagster), "dev", *argv])
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        if not stopping and child.poll() is None:
            child.send_signal(signum)  # Ctrl-C also reached it; a second SIGINT is harmless
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while child.poll() is None and not stopping:
        time.sleep(0.2)
    try:
        code = child.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        code = -signal.SIGKILL
    # whatever is left (the child itself, or servers it orphaned): terminate, then kill
    _signal_all(signal.SIGTERM)
    if not _wait_for_none(KILL_WAIT_SECONDS):
        _signal_all(signal.SIGKILL)
        _wait_for_none(KILL_WAIT_SECONDS)
    if stopping:
        print("reekg dev: stopped", file=sys.stderr)
        return 128 + stopping[0]
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
