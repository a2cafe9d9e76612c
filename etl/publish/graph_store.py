"""Publish a graph release to an external triple store over the SPARQL 1.1 Graph Store Protocol.

One HTTP PUT per named graph (`?graph=<iri>`), each replacing that graph wholesale with the
release's triples, streamed as N-Triples; never per-triple updates. Any store that speaks the
Graph Store HTTP Protocol works (Oxigraph `/store`, Fuseki `/ds/data`, GraphDB
`/repositories/x/rdf-graphs/service`). With `query_url` set, graphs the store holds that the
release no longer has are deleted (one DELETE each), and the published counts are verified.
"""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import dagster as dg
import pyoxigraph as ox

from etl.graph.store import DATASET, current_release, open_published_store

NTRIPLES = "application/n-triples"
TIMEOUT_SECONDS = 600.0


class GraphStoreError(Exception):
    """The external store refused or failed a request; the message names graph and status."""


@dataclass(frozen=True)
class PublishedGraph:
    """One named graph sent to the store, with its triple count in the release."""

    iri: str
    triples: int
    status: int


def split_dataset(dataset: Path, folder: Path) -> dict[str, tuple[Path, int]]:
    """Stream `dataset` (N-Quads) into one N-Triples file per graph: iri -> (file, triples).

    Default-graph triples are keyed by the empty string.
    """
    handles: dict[str, tuple[Path, int]] = {}
    files: dict[str, BinaryIO] = {}
    try:
        for quad in ox.parse(path=dataset, format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name
            iri = "" if isinstance(graph, ox.DefaultGraph) else graph.value
            if iri not in files:
                path = folder / f"graph{len(files):04d}.nt"
                files[iri] = path.open("wb")
                handles[iri] = (path, 0)
            files[iri].write(f"{quad.triple} .\n".encode())
            handles[iri] = (handles[iri][0], handles[iri][1] + 1)
    finally:
        for handle in files.values():
            handle.close()
    return handles


GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def release_graph_counts(graph_dir: Path) -> dict[str, int]:
    """Distinct triples per named graph in the current release's own store."""
    store = open_published_store(Path(graph_dir))
    solutions = store.query(GRAPH_COUNTS)
    assert isinstance(solutions, ox.QuerySolutions)
    return {row["g"].value: int(row["n"].value) for row in solutions}


class GraphStoreResource(dg.ConfigurableResource):
    """An external triple store reached through the SPARQL 1.1 Graph Store HTTP Protocol."""

    url: str
    query_url: str | None = None
    timeout_seconds: float = TIMEOUT_SECONDS

    def _request(
        self,
        method: str,
        url: str,
        body: Path | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        headers = dict(headers or {})
        data = body
        handle = None
        if isinstance(body, Path):
            headers["Content-Length"] = str(body.stat().st_size)
            handle = body.open("rb")
        request = urllib.request.Request(url, data=handle or data, method=method, headers=headers)  # type: ignore[arg-type]
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            raise GraphStoreError(
                f"{method} {url}: HTTP {exc.code} {detail[0] if detail else exc.reason}"
            ) from exc
        except urllib.error.URLError as exc:
            raise GraphStoreError(f"{method} {url}: {exc.reason}") from exc
        finally:
            if handle is not None:
                handle.close()

    def graph_url(self, iri: str) -> str:
        """The Graph Store Protocol URL of a named graph (`?default` for the default graph)."""
        separator = "&" if "?" in self.url else "?"
        if not iri:
            return f"{self.url}{separator}default"
        return f"{self.url}{separator}{urllib.parse.urlencode({'graph': iri})}"

    def put_graph(self, iri: str, ntriples: Path) -> int:
        """Replace one graph with the triples of an N-Triples file; returns the HTTP status."""
        status, _ = self._request("PUT", self.graph_url(iri), ntriples, {"Content-Type": NTRIPLES})
        return status

    def delete_graph(self, iri: str) -> int:
        """Drop one named graph from the store."""
        status, _ = self._request("DELETE", self.graph_url(iri))
        return status

    def select(self, query: str) -> list[dict[str, str]]:
        """Run a SELECT on `query_url`; bindings as plain strings."""
        if self.query_url is None:
            raise GraphStoreError("query_url is not configured")
        _, body = self._request(
            "POST",
            self.query_url,
            query.encode(),
            {
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json",
            },
        )
        bindings = json.loads(body)["results"]["bindings"]
        return [{k: v["value"] for k, v in row.items()} for row in bindings]

    def graph_counts(self) -> dict[str, int]:
        """Triples per named graph in the store (needs `query_url`)."""
        rows = self.select(GRAPH_COUNTS)
        return {row["g"]: int(row["n"]) for row in rows}

    def publish_release(self, graph_dir: Path) -> list[PublishedGraph]:
        """PUT every graph of the current release; prune and verify when `query_url` is set."""
        release = current_release(Path(graph_dir))
        published = []
        with tempfile.TemporaryDirectory(prefix="reekg-gsp-") as tmp:
            parts = split_dataset(release / DATASET, Path(tmp))
            for iri, (path, count) in sorted(parts.items()):
                published.append(PublishedGraph(iri, count, self.put_graph(iri, path)))
        if self.query_url is not None:
            wanted = {p.iri for p in published}
            for iri in sorted(set(self.graph_counts()) - wanted):
                self.delete_graph(iri)
            expected = release_graph_counts(graph_dir)
            counts = self.graph_counts()
            wrong = [
                f"{iri}: {counts.get(iri, 0)} in store, {n} in release"
                for iri, n in sorted(expected.items())
                if counts.get(iri, 0) != n
            ]
            if wrong:
                raise GraphStoreError(
                    "store differs from release after publishing: " + "; ".join(wrong)
                )
        return published
