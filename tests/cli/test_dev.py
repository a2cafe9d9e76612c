"""`make dev` stops when interrupted (Ctrl-C, or SIGTERM to make) and leaves no process."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.query.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
STOP_SECONDS = 15.0


def session_processes(sid: int) -> list[str]:
    """Live (non-zombie) processes of session `sid`, as 'pid command'."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(f"{stat.parent.name} {name.split('(', 1)[1]}")
    return found


def ui_up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=1).is_success
    except httpx.TransportError:
        return False


# Ctrl-C in a terminal: SIGINT to the whole process group. A supervisor or `kill` stopping
# make alone: SIGTERM to make's pid only (make then exits at once; plain `dagster dev` under it
# kept running with its webserver, daemon and code servers, which the second case catches).
@pytest.mark.parametrize("how", ["sigint-group", "sigterm-make"])
def test_make_dev_stops_on_ctrl_c(tmp_path: Path, how: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "REEKG_HOME": str(tmp_path / "home"),
        "DAGSTER_PORT": str(port),
    }
    log = (tmp_path / "dev.log").open("wb")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "dev"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal job
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "dev.log").read_text()[-2000:]
            if ui_up(port):
                break
            time.sleep(0.3)
        else:
            raise AssertionError("dagster dev did not come up")
        assert len(session_processes(process.pid)) >= 3  # make, wrapper, dagster, servers
        if how == "sigint-group":
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.kill(process.pid, signal.SIGTERM)
        started = time.monotonic()
        process.wait(timeout=STOP_SECONDS + 10)
        assert process.returncode != 0  # interrupted, not a clean exit
        while session_processes(process.pid) and time.monotonic() - started < STOP_SECONDS:
            time.sleep(0.2)
        took = time.monotonic() - started
        assert session_processes(process.pid) == [], f"still running after {took:.1f} s"
    finally:
        if session_processes(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()
