"""The endpoint's and the CLI's limits, with real requests: memory ceiling per worker, body
size enforced while streaming, 400/413 for bad input, safe links, escaped tables, safe -o."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from etl.query.protocol import MAX_BODY_BYTES
from etl.query.sparql import MAX_QUERY_CHARS
from tests.query.conftest import Endpoint, free_port, stop, wait_http

runner = CliRunner()
# ORDER BY over a three-way cross product of the test graph (164 triples): 4.4e6 solutions,
# gigabytes of sort buffer, far above a 300 MiB ceiling and well inside a 60 s timeout
HUNGRY = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?c ?f ?i ?e LIMIT 1"


@pytest.fixture(scope="module")
def small_endpoint(graph_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`reekg serve` with one worker under a 300 MiB memory ceiling."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve-small") / "serve.log"
    env = {**os.environ, "REEKG_GRAPH_DIR": str(graph_dir)}
    command = [
        sys.executable, "-m", "etl.cli.main", "serve", "--port", str(port), "--timeout", "60",
        "--workers", "1", "--memory-mb", "300",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/health", process)
        yield base
    finally:
        stop(process)


def test_memory_ceiling_gives_503_and_the_next_query_answers(small_endpoint: str) -> None:
    r = httpx.post(f"{small_endpoint}/sparql", data={"query": HUNGRY}, timeout=90)
    assert r.status_code == 503 and "memory limit" in r.text
    again = httpx.get(f"{small_endpoint}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=90)
    assert again.status_code == 200 and again.json()["boolean"] is True


def _raw_request(endpoint: Endpoint, head: str, chunks: Iterator[bytes]) -> bytes:
    """Send `head` then `chunks` on a raw socket; return what the server answers."""
    port = int(endpoint.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=15) as conn:
        conn.sendall(head.encode())
        for chunk in chunks:
            try:
                conn.sendall(chunk)
            except OSError:  # the server answered and closed while we were still sending
                break
        return conn.recv(4096)


def test_body_limit_is_enforced_while_streaming(endpoint: Endpoint) -> None:
    """A chunked body that never ends: a server that read the whole body first would never
    answer; this one answers 413 once the limit is passed."""
    head = (
        "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    size = 64 * 1024
    chunk = f"{size:x}\r\n".encode() + b"#" * size + b"\r\n"
    sent = (chunk for _ in range(MAX_BODY_BYTES // size + 2))  # no final 0-chunk, ever
    answer = _raw_request(endpoint, head, sent)
    assert answer.startswith(b"HTTP/1.1 413")


def test_declared_oversized_body_is_413_before_reading(endpoint: Endpoint) -> None:
    head = (
        "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        f"Content-Length: {600 * 2**20}\r\n\r\n"
    )
    assert _raw_request(endpoint, head, iter([b"SELECT"])).startswith(b"HTTP/1.1 413")


def test_oversized_query_is_413(endpoint: Endpoint) -> None:
    query = "SELECT * { ?s ?p ?o }" + " " * MAX_QUERY_CHARS
    r = httpx.post(
        endpoint.sparql, content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 413 and "longer than" in r.text
    form = httpx.post(endpoint.sparql, data={"query": query})
    assert form.status_code == 413


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_bad_graph_iri_is_400(endpoint: Endpoint, parameter: str) -> None:
    r = httpx.get(endpoint.sparql, params={"query": "ASK {}", parameter: "not an iri <>"})
    assert r.status_code == 400 and parameter in r.text
    assert "Traceback" not in r.text and len(r.text.strip().splitlines()) == 1


def test_undecodable_bytes_are_400(endpoint: Endpoint) -> None:
    body = b'SELECT * { ?s ?p "caf\xe9" }'  # Latin-1, not UTF-8
    r = httpx.post(
        endpoint.sparql, content=body, headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 400 and "UTF-8" in r.text
    get = httpx.get(f"{endpoint.sparql}?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D")
    assert get.status_code == 400 and "UTF-8" in get.text
    form = httpx.post(endpoint.sparql, content=b"query=ASK%20%7B%7D%FF",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert form.status_code == 400


def test_only_http_iris_become_links(endpoint: Endpoint) -> None:
    query = (
        "SELECT ?x { VALUES ?x { <javascript:alert(1)> <data:text/html,x> <http://example.org/a>"
        " <https://w3id.org/reekg/id/province/CN-JX> } }"
    )
    r = httpx.get(endpoint.sparql, params={"query": query}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    hrefs = [h.split('"')[0] for h in r.text.split('href="')[1:]]
    assert "javascript:alert(1)" in r.text and "data:text/html,x" in r.text
    assert not any(h.startswith(("javascript:", "data:")) for h in hrefs)
    assert "http://example.org/a" in hrefs and "/id/province/CN-JX" in hrefs


# --- command line ---------------------------------------------------------------------------


@pytest.fixture
def cli_home(
    tmp_path: Path, graph_dir: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("REEKG_HOME", str(tmp_path))
    monkeypatch.setenv("REEKG_PUBLISHED_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("REEKG_GRAPH_DIR", str(graph_dir))
    return tmp_path


MARKUP = ["[/x]", "[link=http://example.org/]click[/link]", "[bold red]loud[/]"]


@pytest.mark.parametrize("value", MARKUP)
def test_sql_table_shows_markup_as_typed(cli_home: Path, value: str) -> None:
    from etl.cli.main import app

    result = runner.invoke(app, ["sql", f"SELECT '{value}' AS \"{value}\""], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert result.stdout.count(value) == 2  # header and cell, verbatim


@pytest.mark.parametrize("value", MARKUP)
def test_sparql_table_shows_markup_as_typed(cli_home: Path, value: str) -> None:
    from etl.cli.main import app

    result = runner.invoke(app, ["sparql", f"SELECT ?v {{ BIND('{value}' AS ?v) }}"],
                           terminal_width=200)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert value in result.stdout


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_output_never_overwrites_published_data(
    cli_home: Path, warehouse: Path, graph_dir: Path
) -> None:
    from etl.cli.main import app

    manifest = next(p for p in graph_dir.rglob("*") if p.is_file())
    before = (_digest(warehouse), _digest(manifest))
    for target in (warehouse, manifest):
        for extra in ([], ["--force"]):
            result = runner.invoke(
                app, ["sql", "SELECT 1 AS n", "-F", "csv", "-o", str(target), *extra]
            )
            assert result.exit_code == 1 and "published data" in result.stderr, result.output
            sparql = runner.invoke(
                app, ["sparql", "SELECT ?x {}", "-F", "csv", "-o", str(target), *extra]
            )
            assert sparql.exit_code == 1 and "published data" in sparql.stderr
    assert (_digest(warehouse), _digest(manifest)) == before


def test_output_refuses_an_existing_file_unless_forced(cli_home: Path, tmp_path: Path) -> None:
    from etl.cli.main import app

    mine = tmp_path / "notes.csv"
    mine.write_text("keep me\n", encoding="utf-8")
    refused = runner.invoke(app, ["sql", "SELECT 1 AS n", "-F", "csv", "-o", str(mine)])
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert mine.read_text(encoding="utf-8") == "keep me\n"
    parquet = runner.invoke(app, ["sql", "SELECT 1 AS n", "-F", "parquet", "-o", str(mine)])
    assert parquet.exit_code == 1 and mine.read_text(encoding="utf-8") == "keep me\n"
    forced = runner.invoke(app, ["sql", "SELECT 1 AS n", "-F", "csv", "-o", str(mine), "--force"])
    assert forced.exit_code == 0 and mine.read_text(encoding="utf-8").splitlines() == ["n", "1"]
    fresh = tmp_path / "new.tsv"
    made = runner.invoke(
        app, ["sparql", "SELECT ?x { BIND(1 AS ?x) }", "-F", "tsv", "-o", str(fresh)]
    )
    assert made.exit_code == 0 and fresh.read_text(encoding="utf-8").splitlines()[0] == "?x"
