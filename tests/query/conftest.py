"""Fixtures of the query domain: a tiny graph release, a tiny warehouse, a running endpoint."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.query.data import build_release, build_warehouse

ENDPOINT_TIMEOUT = 2.0
ENDPOINT_MAX_ROWS = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def graph_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("graph")
    build_release(folder)
    return folder


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@dataclass(frozen=True)
class Endpoint:
    base: str
    graph_dir: Path

    @property
    def sparql(self) -> str:
        return f"{self.base}/sparql"


@pytest.fixture(scope="session")
def endpoint(graph_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    """`reekg serve` in a subprocess (as users start it), on a free loopback port."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**os.environ, "REEKG_GRAPH_DIR": str(graph_dir)}
    command = [
        sys.executable, "-m", "etl.cli.main", "serve", "--port", str(port),
        "--timeout", str(ENDPOINT_TIMEOUT), "--max-rows", str(ENDPOINT_MAX_ROWS),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/health", process)
        yield Endpoint(base, graph_dir)
    finally:
        stop(process)
