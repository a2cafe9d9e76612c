"""Golden graph: the tiny warehouse gives exactly the expected graph, graph by graph."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import PROV

from etl.graph.build import BuildResult
from etl.graph.models import GRAPH_ONTOLOGY, GRAPH_PROVENANCE
from etl.graph.store import DATASET
from etl.graph.vocab import ONTOLOGY_FILE, REE, entity, graph
from tests.graph.data import GOLDEN_TTL

SKIPPED = {str(graph(GRAPH_ONTOLOGY)), str(graph(GRAPH_PROVENANCE))}


def assert_isomorphic(expected: Graph, actual: Graph, label: str) -> None:
    """Isomorphism, failing with the triples only in expected and only in actual."""
    iso_expected, iso_actual = to_isomorphic(expected), to_isomorphic(actual)
    if iso_expected == iso_actual:
        return
    _, only_expected, only_actual = graph_diff(iso_expected, iso_actual)

    def lines(g: Graph) -> str:
        return "\n".join(sorted(f"  {s.n3()} {p.n3()} {o.n3()}" for s, p, o in g))

    raise AssertionError(
        f"graph {label} differs from the golden graph\n"
        f"only in expected ({len(only_expected)}):\n{lines(only_expected)}\n"
        f"only in actual ({len(only_actual)}):\n{lines(only_actual)}"
    )


def named_graphs(ds: Dataset) -> dict[str, Graph]:
    out: dict[str, Graph] = {}
    for ctx in ds.graphs():
        name = str(ctx.identifier)
        if len(ctx) and name not in SKIPPED and name.startswith(str(graph(""))):
            g = Graph()
            for triple in ctx:
                g.add(triple)
            out[name] = g
    return out


def test_tiny_warehouse_gives_the_golden_graph(tiny_release: BuildResult) -> None:
    actual = Dataset()
    actual.parse(tiny_release.release_dir / DATASET, format="nquads")
    expected = Dataset()
    expected.parse(GOLDEN_TTL, format="trig")
    got, want = named_graphs(actual), named_graphs(expected)
    assert sorted(got) == sorted(want)
    for name in want:
        assert_isomorphic(want[name], got[name], name)


def test_ontology_graph_is_the_ontology_file(tiny_release: BuildResult) -> None:
    actual = Dataset()
    actual.parse(tiny_release.release_dir / DATASET, format="nquads")
    onto = Graph()
    for triple in actual.graph(graph(GRAPH_ONTOLOGY)):
        onto.add(triple)
    assert_isomorphic(Graph().parse(ONTOLOGY_FILE, format="turtle"), onto, GRAPH_ONTOLOGY)


def test_provenance_names_run_files_and_sources(tiny_release: BuildResult) -> None:
    ds = Dataset()
    ds.parse(tiny_release.release_dir / DATASET, format="nquads")
    prov = ds.graph(graph(GRAPH_PROVENANCE))
    run = entity("run", tiny_release.release_id)
    assert (run, PROV.startedAtTime, None) in prov
    used = {str(o) for o in prov.objects(run, PROV.used)}
    assert any(u.endswith("warehouse.duckdb") for u in used)
    assert any(u.endswith("reekg.ttl") for u in used)
    quotas = graph("capacity-quotas")
    assert (quotas, PROV.wasGeneratedBy, run) in prov
    assert (quotas, PROV.wasDerivedFrom, entity("source", "wikipedia-creg")) in prov
    files = {str(o) for o in prov.objects(None, REE.path)}
    assert "data/capacity/q.csv" in files


def test_no_blank_node_entities(tiny_release: BuildResult) -> None:
    ds = Dataset()
    ds.parse(tiny_release.release_dir / DATASET, format="nquads")
    for name, g in named_graphs(ds).items():
        assert all(isinstance(s, URIRef) for s in g.subjects()), name


def test_a_difference_is_reported_triple_by_triple() -> None:
    s, p = URIRef("https://w3id.org/reekg/id/quota/x"), REE.tonnesREO
    expected, actual = Graph(), Graph()
    expected.parse(
        data=f'<{s}> <{p}> "1"^^<http://www.w3.org/2001/XMLSchema#decimal> .', format="nt"
    )
    actual.parse(data=f'<{s}> <{p}> "2"^^<http://www.w3.org/2001/XMLSchema#decimal> .', format="nt")
    try:
        assert_isomorphic(expected, actual, "g")
    except AssertionError as exc:
        message = str(exc)
    else:
        raise AssertionError("different graphs were reported isomorphic")
    assert "only in expected (1):\n  <https://w3id.org/reekg/id/quota/x>" in message
    assert '"2"^^<http://www.w3.org/2001/XMLSchema#decimal>' in message
