"""Endpoint behaviour that needs its own graph folder: release swaps, nothing published yet,
and the process-wide network guard the server installs."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest

from etl.query.endpoint import EndpointConfig, create_app
from tests.query.data import CREG, GRAPH, LABEL, TOTAL_TRIPLES, build_release

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(client: TestClient) -> int:
    r = client.get("/sparql", params={"query": COUNT})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_workers_follow_a_new_release(tmp_path: Path) -> None:
    build_release(tmp_path, "r1")
    with TestClient(create_app(EndpointConfig(tmp_path, timeout=30, workers=1))) as client:
        assert count(client) == TOTAL_TRIPLES
        one = ox.Quad(ox.NamedNode(CREG), ox.NamedNode(LABEL), ox.Literal("CREG"),
                      ox.NamedNode(f"{GRAPH}reference"))  # fmt: skip
        build_release(tmp_path, "r2", [one])
        assert count(client) == 1
        assert client.get("/health").json()["release"] == "r2"


def test_nothing_published_is_503_with_a_hint(tmp_path: Path) -> None:
    with TestClient(create_app(EndpointConfig(tmp_path, timeout=30, workers=1))) as client:
        r = client.get("/sparql", params={"query": COUNT})
        assert r.status_code == 503 and "reekg run" in r.text
        assert client.get("/health").status_code == 503


SCRIPT = """
import urllib.request
import rdflib
from etl.query.netguard import NetworkAccessBlocked, block_network_process_wide
block_network_process_wide()
blocked = 0
for attempt in (
    lambda: urllib.request.urlopen("http://example.org/", timeout=2),
    lambda: rdflib.Graph().parse("http://example.org/x.ttl", format="turtle"),
    lambda: rdflib.Graph().parse(data="@prefix : <http://e/> . :a :b :c .", format="turtle")
        .query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }").bindings,
):
    try:
        attempt()
    except NetworkAccessBlocked:
        blocked += 1
print(blocked)
"""


def test_server_processes_cannot_fetch_urls() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D&format=png", "/id/org/x?format=png"])
def test_unknown_format_parameter_is_406(tmp_path: Path, path: str) -> None:
    build_release(tmp_path)
    with TestClient(create_app(EndpointConfig(tmp_path, timeout=30, workers=1))) as client:
        assert client.get(path).status_code == 406
