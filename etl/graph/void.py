"""Counts from the release's store and the DCAT/VoID description built from them."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import OWL, RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID

from etl.graph.provenance import timestamp
from etl.graph.vocab import ONTOLOGY_IRI, PREFIXES, TURTLE_PREFIXES, entity, graph

GRAPHS_DIR = "graphs"
LICENSE = URIRef("https://www.apache.org/licenses/LICENSE-2.0")
RIGHTS = (
    "Compilation under Apache-2.0. Each figure keeps the terms of its source "
    "(ree:licenceText of the ree:Source it cites); illustrative and synthetic rows are "
    "flagged by their source's ree:sourceKind and are not official figures."
)


# Graphs written with more lines than this are not re-counted in the store (a 15M-triple
# graph takes longer to scan than to generate): their count is the lines written, whose
# subjects are the rows' natural keys (unique in the core tables).
RECOUNT_LIMIT = 1_000_000


def count_by_graph(store: ox.Store, written: dict[str, int] | None = None) -> dict[str, int]:
    """Triples per named graph: counted in the store (distinct quads, as loaded) for every
    graph when `written` is None, else for the graphs of at most `RECOUNT_LIMIT` lines."""
    prefix = str(graph(""))
    if written is None:
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        counts: dict[str, int] = {}
        for row in store.query(query):  # type: ignore[union-attr]
            iri = row["g"].value
            counts[iri[len(prefix) :] if iri.startswith(prefix) else iri] = int(row["n"].value)
        return dict(sorted(counts.items()))
    counts = {}
    for name, lines in written.items():
        if lines > RECOUNT_LIMIT:
            counts[name] = lines
            continue
        rows = store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph(name)}> {{ ?s ?p ?o }} }}"
        )
        counts[name] = int(next(iter(rows))["n"].value)  # type: ignore[arg-type]
    return dict(sorted((n, c) for n, c in counts.items() if c))


def class_partitions(store: ox.Store) -> dict[str, int]:
    """Distinct typed subjects per class over all graphs."""
    rows = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
    )
    return dict(sorted((row["c"].value, int(row["n"].value)) for row in rows))  # type: ignore[union-attr]


def void_graph(
    release_id: str,
    modified: datetime,
    counts: dict[str, int],
    classes: dict[str, int],
    files: dict[str, int],
    dumps: dict[str, str],
) -> Graph:
    """DCAT/VoID description of a release: counts, classes, licence, modification time, files.

    `dumps` names the file holding each graph (its Turtle file, or dataset.nq for a graph too
    large to get one).
    """
    g = Graph()
    for prefix, ns in TURTLE_PREFIXES.items():
        g.bind(prefix, ns)
    ds = entity("release", release_id)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(f"reekg knowledge graph, release {release_id}", lang="en")))
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "Rare-earth supply chain: China's quotas, capacity holdings and "
                "reallocations, facilities, mine production, trade flows and supply "
                "agreements, with the source of every figure.",
                lang="en",
            ),
        )
    )
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    g.add((ds, DCTERMS.modified, timestamp(modified)))
    g.add((ds, DCTERMS.conformsTo, ONTOLOGY_IRI))
    g.add((ds, OWL.versionInfo, Literal(release_id)))
    g.add((ds, VOID.uriSpace, Literal(str(entity("", "")))))
    g.add((ds, VOID.vocabulary, URIRef(PREFIXES["ree"])))
    g.add((ds, VOID.triples, Literal(sum(counts.values()))))
    g.add((ds, VOID.classes, Literal(len(classes))))
    for name, n in counts.items():
        sub = graph(name)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, DCTERMS.title, Literal(f"named graph {name}")))
        g.add((sub, VOID.triples, Literal(n)))
        g.add((sub, VOID.dataDump, URIRef(dumps[name])))
    for i, (cls, n) in enumerate(classes.items()):
        part = entity("release", f"{release_id}-class-{i}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n)))
    for file_name, size in files.items():
        dist = entity("release", f"{release_id}-{quote(file_name, safe='-._~')}")
        media = "application/n-quads" if file_name.endswith(".nq") else "text/turtle"
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, URIRef(file_name)))
        g.add((dist, DCAT.mediaType, Literal(media)))
        g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    return g
