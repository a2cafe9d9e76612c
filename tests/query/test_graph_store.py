"""Publishing a release to a real Oxigraph server over the Graph Store Protocol."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pyoxigraph as ox
import pytest

from etl.core.settings_resource import SettingsResource
from etl.publish.external import EXTERNAL_GRAPH_KEY, external_graph
from etl.publish.graph_store import GraphStoreError, GraphStoreResource, release_graph_counts
from etl.query.definitions import QUERY_URL_VAR, STORE_URL_VAR, build_query_defs
from tests.query.conftest import free_port, stop, wait_http
from tests.query.data import CREG, GRAPH, LABEL, TOTAL_TRIPLES, build_release


def oxigraph_binary() -> str:
    found = Path(sys.executable).parent / "oxigraph"
    if found.exists():
        return str(found)
    path = shutil.which("oxigraph")
    if path is None:
        pytest.skip("oxigraph server CLI not installed (PyPI package `oxigraph`)")
    return path


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    """A real Oxigraph server (read-write) on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(tmp_path / "oxigraph"),
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/query?query=ASK%7B%7D", process)
        yield base
    finally:
        stop(process)


def test_publish_round_trip_same_counts(oxigraph: str, tmp_path: Path) -> None:
    graph_dir = tmp_path / "graph"
    build_release(graph_dir)
    store = GraphStoreResource(url=f"{oxigraph}/store", query_url=f"{oxigraph}/query")
    # a graph the release does not have, which publishing must remove
    stale = tmp_path / "stale.nt"
    stale.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    store.put_graph(f"{GRAPH}obsolete", stale)

    published = store.publish_release(graph_dir)

    expected = release_graph_counts(graph_dir)
    assert {p.iri: p.triples for p in published} == expected
    assert all(p.status in (200, 201, 204) for p in published)
    assert store.graph_counts() == expected
    assert sum(expected.values()) == TOTAL_TRIPLES
    rows = store.select(f"SELECT ?l WHERE {{ GRAPH ?g {{ <{CREG}> <{LABEL}> ?l }} }}")
    assert rows == [{"l": "China Rare Earth Group"}]


def test_republishing_replaces_graphs_not_appends(oxigraph: str, tmp_path: Path) -> None:
    graph_dir = tmp_path / "graph"
    build_release(graph_dir, "r1")
    store = GraphStoreResource(url=f"{oxigraph}/store", query_url=f"{oxigraph}/query")
    store.publish_release(graph_dir)
    smaller = [
        ox.Quad(ox.NamedNode(CREG), ox.NamedNode(LABEL), ox.Literal("CREG"),
                ox.NamedNode(f"{GRAPH}reference"))
    ]  # fmt: skip
    build_release(graph_dir, "r2", smaller)
    store.publish_release(graph_dir)
    assert store.graph_counts() == {f"{GRAPH}reference": 1}


def test_store_errors_name_the_request(tmp_path: Path) -> None:
    graph_dir = tmp_path / "graph"
    build_release(graph_dir)
    store = GraphStoreResource(url=f"http://127.0.0.1:{free_port()}/store", timeout_seconds=5)
    with pytest.raises(GraphStoreError, match=r"^PUT http://127\.0\.0\.1"):
        store.publish_release(graph_dir)


def test_asset_only_defined_with_a_store_url() -> None:
    assert not list(build_query_defs({}).assets or [])
    defs = build_query_defs({STORE_URL_VAR: "http://127.0.0.1:1/store", QUERY_URL_VAR: ""})
    keys = {a.key for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)}
    assert keys == {EXTERNAL_GRAPH_KEY}


def test_asset_materializes_against_oxigraph(oxigraph: str, tmp_path: Path) -> None:
    graph_dir = tmp_path / "graph"
    build_release(graph_dir)
    settings = SettingsResource(
        data_dir=str(tmp_path), landing_dir=str(tmp_path), graph_dir=str(graph_dir),
        report_dir=str(tmp_path), home=str(tmp_path),
    )  # fmt: skip
    store = GraphStoreResource(url=f"{oxigraph}/store", query_url=f"{oxigraph}/query")
    result = dg.materialize(
        [external_graph],
        resources={"settings": settings, "external_graph_store": store},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("publish__external_graph")[0].metadata
    assert metadata["triples"].value == TOTAL_TRIPLES
    assert sum(store.graph_counts().values()) == TOTAL_TRIPLES
