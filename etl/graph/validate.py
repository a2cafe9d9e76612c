"""SHACL validation of a release, sized to what pySHACL can do in a pipeline step.

pySHACL works on rdflib graphs (about 1 KB of Python objects per triple, tens of thousands of
triples validated per second), so:

* a release of at most `FULL_LIMIT` triples is validated in full (the bundled data: a few
  thousand triples);
* a larger release is validated on a structural sample: for every class a shape targets, up to
  `SAMPLE_PER_CLASS` instances taken from three windows of the class (start, middle, end of the
  store's order), each with all its triples and the types of the nodes it points to, plus the
  whole ontology. On top of that, SPARQL checks in Oxigraph scan the *whole* graph for the
  violations that matter most at scale (negative measures, figures without a source).

The verdict is written to `validation.json` in the release folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

from etl.graph import store as published
from etl.graph.vocab import SHAPES_FILE

FULL_LIMIT = 200_000
SAMPLE_PER_CLASS = 300
MAX_REPORTED = 50
VALIDATION_FILE = "validation.json"

# Whole-graph checks in SPARQL: each returns the offending focus node as ?s and a message.
WHOLE_GRAPH_CHECKS: dict[str, str] = {
    "negative measure": """
        PREFIX ree: <https://w3id.org/reekg/ontology#>
        SELECT ?s (CONCAT(STR(?p), " is negative: ", STR(?v)) AS ?msg) WHERE {
          VALUES ?p { ree:tonnesREO ree:valueUSD ree:quantityTonnes ree:reservesTonnes
                      ree:capacityTonnesPerYear }
          GRAPH ?g { ?s ?p ?v } FILTER(?v < 0)
        } LIMIT 50""",
    "figure without source": """
        PREFIX ree: <https://w3id.org/reekg/ontology#>
        PREFIX qb: <http://purl.org/linked-data/cube#>
        SELECT ?s ("figure has no ree:source" AS ?msg) WHERE {
          GRAPH ?g { ?s qb:dataSet ?d } FILTER NOT EXISTS { GRAPH ?h { ?s ree:source ?src } }
        } LIMIT 50""",
}


@dataclass
class ValidationReport:
    """The outcome of validating one release."""

    conforms: bool
    mode: str
    triples_validated: int
    violations: int
    focus_nodes: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def shapes_graph(path: Path = SHAPES_FILE) -> Graph:
    return Graph().parse(path, format="turtle")


def target_classes(shapes: Graph) -> list[URIRef]:
    """Classes some shape targets (what the sample must cover)."""
    return sorted({c for c in shapes.objects(None, SH.targetClass) if isinstance(c, URIRef)})


def to_rdflib(store: ox.Store, construct: str) -> Graph:
    """Run a CONSTRUCT in Oxigraph and hand the triples to rdflib through N-Triples."""
    result = store.query(construct)
    assert isinstance(result, ox.QueryTriples)
    data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
    graph = Graph()
    if data:
        graph.parse(data=data, format="nt")
    return graph


def full_graph(store: ox.Store) -> Graph:
    """Every triple of every named graph as one rdflib graph (small releases only)."""
    return to_rdflib(store, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def sample_graph(
    store: ox.Store, classes: list[URIRef], per_class: int
) -> tuple[Graph, list[URIRef]]:
    """Up to `per_class` instances of each class with their triples, plus the ontology.

    Returns the graph and the sampled instances (the focus nodes to validate): the nodes they
    point to come with their types only, so sh:class can be checked without making them focus
    nodes themselves.
    """
    graph = to_rdflib(
        store,
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/reekg/graph/ontology> "
        "{ ?s ?p ?o } }",
    )
    window = max(per_class // 3, 1)
    focus: set[str] = set()
    for cls in classes:
        count_rows = store.query(
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} }}"
        )
        total = int(next(iter(count_rows))["n"].value)  # type: ignore[arg-type]
        if total == 0:
            continue
        offsets = sorted({0, max(total // 2 - window // 2, 0), max(total - window, 0)})
        subjects: set[str] = set()
        for offset in offsets:
            rows = store.query(
                f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} }} "
                f"ORDER BY ?s OFFSET {offset} LIMIT {window}"
                if total <= 50_000
                else f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} }} "
                f"OFFSET {offset} LIMIT {window}"
            )
            subjects.update(row["s"].value for row in rows if isinstance(row["s"], ox.NamedNode))  # type: ignore[union-attr]
        if not subjects:
            continue
        focus.update(subjects)
        values = " ".join(f"<{s}>" for s in sorted(subjects))
        graph += to_rdflib(
            store,
            f"CONSTRUCT {{ ?s ?p ?o . ?o a ?t }} WHERE {{ VALUES ?s {{ {values} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} OPTIONAL {{ GRAPH ?h {{ ?o a ?t }} }} }}",
        )
    return graph, [URIRef(s) for s in sorted(focus)]


def whole_graph_violations(store: ox.Store) -> list[tuple[str, str]]:
    """(focus node, message) pairs from the SPARQL checks over the whole store."""
    found: list[tuple[str, str]] = []
    for name, query in WHOLE_GRAPH_CHECKS.items():
        for row in store.query(query):  # type: ignore[union-attr]
            found.append((row["s"].value, f"{name}: {row['msg'].value}"))
    return found


def shacl_results(
    data: Graph, shapes: Graph, focus_nodes: list[URIRef] | None = None
) -> tuple[bool, list[tuple[str, str]]]:
    """Run pySHACL (on `focus_nodes` only if given); the (focus node, message) of violations."""
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_warnings=True,
        focus_nodes=focus_nodes,  # type: ignore[arg-type]
    )
    assert isinstance(results, Graph)
    found: list[tuple[str, str]] = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        where = f" (path {path})" if path is not None else ""
        found.append((str(focus), f"{message}{where}"))
    return bool(conforms), sorted(found)


def validate_store(
    store: ox.Store,
    triples: int,
    *,
    full_limit: int = FULL_LIMIT,
    per_class: int = SAMPLE_PER_CLASS,
    shapes: Graph | None = None,
) -> ValidationReport:
    """Validate a store: in full when small, else a per-class sample plus whole-graph SPARQL."""
    shapes = shapes if shapes is not None else shapes_graph()
    focus: list[URIRef] | None = None
    if triples <= full_limit:
        data, mode, extra = full_graph(store), "full", []
    else:
        data, focus = sample_graph(store, target_classes(shapes), per_class)
        mode = f"sample (up to {per_class} per class) + whole-graph SPARQL checks"
        extra = whole_graph_violations(store)
    conforms, found = shacl_results(data, shapes, focus)
    found = extra + found
    nodes = list(dict.fromkeys(node for node, _ in found))
    return ValidationReport(
        conforms=conforms and not extra,
        mode=mode,
        triples_validated=len(data),
        violations=len(found),
        focus_nodes=nodes[:MAX_REPORTED],
        messages=[f"{node}: {msg}" for node, msg in found[:MAX_REPORTED]],
    )


def validate_release(release_dir: Path, **kwargs: Any) -> ValidationReport:
    """Validate a release folder's store and record the verdict in `validation.json`."""
    release_dir = Path(release_dir)
    manifest = json.loads((release_dir / published.MANIFEST).read_text(encoding="utf-8"))
    store = ox.Store.read_only(str(release_dir / published.STORE))
    report = validate_store(store, int(manifest["triples"]), **kwargs)
    del store
    write_verdict(release_dir, report)
    return report


def write_verdict(release_dir: Path, report: ValidationReport) -> None:
    path = Path(release_dir) / VALIDATION_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(report.to_json(), indent=2), encoding="utf-8")
    os.replace(tmp, path)


def read_verdict(release_dir: Path) -> ValidationReport | None:
    """The recorded verdict of a release, or None if it was never validated."""
    path = Path(release_dir) / VALIDATION_FILE
    if not path.is_file():
        return None
    return ValidationReport(**json.loads(path.read_text(encoding="utf-8")))
