"""SHACL validation of a release: every focus node of every shape, at every size.

* a release of at most `FULL_LIMIT` triples is validated by pySHACL (the reference engine) on
  the whole graph (the bundled data: a few thousand triples);
* a larger release is validated on the release's Oxigraph store with the shapes compiled to
  SPARQL (`etl.graph.shacl_sparql`): still every focus node of every shape, without bringing
  the graph into Python (pySHACL needs about 1 KB of Python objects per triple).
  tests/graph/test_shacl_sparql.py shows both engines report the same violations.

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
from rdflib import RDF, Graph
from rdflib.namespace import SH

from etl.graph import shacl_sparql
from etl.graph import store as published
from etl.graph.vocab import SHAPES_FILE

FULL_LIMIT = 200_000
MAX_REPORTED = 50
VALIDATION_FILE = "validation.json"


@dataclass
class ValidationReport:
    """The outcome of validating one release."""

    conforms: bool
    mode: str
    triples_validated: int
    violations: int
    focus_nodes: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    engine: str = "pyshacl"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def shapes_graph(path: Path = SHAPES_FILE) -> Graph:
    return Graph().parse(path, format="turtle")


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


def shacl_results(data: Graph, shapes: Graph) -> tuple[bool, list[tuple[str, str]]]:
    """Run pySHACL on the whole graph; the (focus node, message) of each violation."""
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_warnings=True,
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
    shapes: Graph | None = None,
    shapes_path: Path = SHAPES_FILE,
) -> ValidationReport:
    """Validate every focus node: pySHACL when small, the shapes as SPARQL on the store else."""
    if triples <= full_limit:
        data = full_graph(store)
        conforms, found = shacl_results(data, shapes or shapes_graph(shapes_path))
        engine, validated = "pyshacl", len(data)
    else:
        hits = shacl_sparql.violations(store, shapes_path)
        found = [(v.focus, v.message) for v in hits]
        conforms, engine, validated = not hits, "sparql (oxigraph)", triples
    nodes = list(dict.fromkeys(node for node, _ in found))
    return ValidationReport(
        conforms=conforms,
        mode="full",
        triples_validated=validated,
        violations=len(found),
        focus_nodes=nodes[:MAX_REPORTED],
        messages=[f"{node}: {msg}" for node, msg in found[:MAX_REPORTED]],
        engine=engine,
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
