"""SERVICE smuggling: a corpus of forms aimed at a real listener on 127.0.0.1, sent to the
running endpoint and to `reekg sparql`; the listener must receive nothing. A control run
without the sandbox shows the forms are live (Oxigraph does call the listener)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from etl.cli.main import app
from etl.query.worker import death_response
from tests.query.conftest import Endpoint
from tests.query.smuggling import LEADS, corpus

REPO = Path(__file__).resolve().parents[2]


class Listener:
    """A TCP server on 127.0.0.1 that records every connection and answers HTTP 500."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = int(self.server.getsockname()[1])
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(256))
                    conn.sendall(
                        b"HTTP/1.1 500 no\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                except OSError:
                    self.received.append(b"")

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.close()


CONTROL = """
import sys
import pyoxigraph as ox
sys.path.insert(0, {repo!r})
from tests.query.smuggling import corpus
{sandbox}
for name, query in corpus({url!r}):
    try:
        result = ox.Store().query(query)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except Exception:  # errors are fine; only connections count
        pass
"""


def run_control(listener: Listener, sandbox: str = "") -> subprocess.CompletedProcess[str]:
    code = CONTROL.format(repo=str(REPO), url=listener.url, sandbox=sandbox)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )


def test_the_corpus_is_live_ammunition(listener: Listener) -> None:
    """Without the sandbox, Oxigraph itself sends most forms to the listener."""
    done = run_control(listener)
    assert done.returncode == 0, done.stderr
    assert len(listener.received) >= 150
    assert all(b"user-agent: Oxigraph" in r.lower() or b"Oxigraph" in r for r in listener.received)
    assert len(corpus(listener.url)) >= 290
    assert len(LEADS) >= 10


def test_the_worker_sandbox_stops_oxigraph_at_its_first_socket(listener: Listener) -> None:
    """With the worker's sandbox on, the same run dies at the first SERVICE call (SIGSYS),
    the listener gets nothing, and the pool reports that death as a 403 refusal."""
    sandbox = (
        "from etl.query.netguard import sandbox_query_process\n"
        "print('own network namespace:', sandbox_query_process(None), flush=True)"
    )
    done = run_control(listener, sandbox)
    assert done.returncode == -signal.SIGSYS
    # as root the worker always gets its own (empty) network namespace as well
    expected = ["True"] if os.geteuid() == 0 else ["True", "False"]
    assert done.stdout.strip() in [f"own network namespace: {e}" for e in expected]
    assert listener.received == []
    response = death_response(done.returncode)
    assert response.status == 403 and b"SERVICE" in response.body


def test_the_endpoint_refuses_every_form(endpoint: Endpoint, listener: Listener) -> None:
    forms = corpus(listener.url)
    statuses: dict[str, int] = {}
    with httpx.Client(timeout=30) as client:
        for name, query in forms:
            r = client.post(
                endpoint.sparql,
                content=query.encode(),
                headers={"Content-Type": "application/sparql-query"},
            )
            statuses[name] = r.status_code
    wrong = {name: status for name, status in statuses.items() if status not in (400, 403)}
    assert wrong == {}
    assert listener.received == []
    assert sum(s == 403 for s in statuses.values()) >= 90  # the forms rdflib reads as SERVICE


def test_the_cli_refuses_every_form(
    listener: Listener, graph_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REEKG_GRAPH_DIR", str(graph_dir))
    runner = CliRunner()
    wrong = {}
    for name, query in corpus(listener.url):
        result = runner.invoke(app, ["sparql", query])
        message = result.stderr.strip()
        said = "refused" in message or "syntax" in message.lower()
        if result.exit_code != 1 or not message.startswith("reekg: error: ") or not said:
            wrong[name] = (result.exit_code, message)
    assert wrong == {}
    assert listener.received == []
