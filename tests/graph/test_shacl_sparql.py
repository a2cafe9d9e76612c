"""The shapes compiled to SPARQL find exactly the violations pySHACL finds (pySHACL: reference)."""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import RDF, Dataset, Graph
from rdflib.namespace import SH

from etl.graph.build import BuildResult
from etl.graph.shacl_sparql import UnsupportedShapeError, compile_shapes, violations
from etl.graph.store import DATASET
from etl.graph.validate import FULL_LIMIT, shapes_graph, validate_store
from etl.graph.vocab import SHAPES_FILE

ID = "https://w3id.org/reekg/id/"
REE = "https://w3id.org/reekg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
G = "<https://w3id.org/reekg/graph/defects>"
QUOTA = f"<{ID}quota/2023-1-smelting_separation-all-national-CHN>"
FLOW = f"<{ID}tradeflow/comtrade-2021-CHN-USA-import-280530-HS2017>"
LEG = f"<{ID}reallocation-leg/jx-1-1>"

# (triple, the focus node, path and constraint component pySHACL must report for it)
DEFECTS = [
    (f'{QUOTA} <{REE}tonnesREO> "-5"^^<{XSD}decimal>', QUOTA, "tonnesREO", "MaxCount"),
    (f'{FLOW} <{REE}month> "13"^^<{XSD}integer>', FLOW, "month", "MaxInclusive"),
    (f"{FLOW} <{REE}exporter> <{ID}country/XXX>", FLOW, "exporter", "Class"),
    (f'{FLOW} <{REE}valueUSD> "12"', FLOW, "valueUSD", "Datatype"),
    (f"{FLOW} <{REE}tradeDirection> <{REE}sideways>", FLOW, "tradeDirection", "In"),
    (f'<{ID}element/Nd> <{REE}symbol> "nd"', f"<{ID}element/Nd>", "symbol", "Pattern"),
    (f"{QUOTA} <{REE}holder> <{ID}source/wikipedia-creg>", QUOTA, "holder", "Or"),
    (f"{LEG} <{REE}toHolder> <{ID}org/sep-b>", LEG, "fromHolder", "Disjoint"),
    (
        f'<{ID}province/CN-JX> <http://www.w3.org/2000/01/rdf-schema#label> "Kiangsi"@en',
        f"<{ID}province/CN-JX>",
        "label",
        "UniqueLang",
    ),
    (
        f'<{ID}source/wikipedia-creg> <http://purl.org/dc/terms/title> ""',
        f"<{ID}source/wikipedia-creg>",
        "title",
        "MinLength",
    ),
    (
        f"<https://example.org/stray> <{REE}source> <{ID}source/wikipedia-creg>",
        "<https://example.org/stray>",
        None,
        "Pattern",
    ),
    (
        f"<{ID}quota/orphan> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{REE}Quota>",
        f"<{ID}quota/orphan>",
        "year",
        "MinCount",
    ),
]


def iri(term: str) -> str:
    return term.strip("<>")


def reference(dataset_nq: str) -> set[tuple[str, str | None, str]]:
    """pySHACL on the union of the named graphs: (focus, path, component) of each result."""
    ds = Dataset()
    ds.parse(data=dataset_nq, format="nquads")
    data = Graph()
    for s, p, o, _ in ds.quads():
        data.add((s, p, o))
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), inference="none",
                                     advanced=False, allow_warnings=True)  # fmt: skip
    assert isinstance(results, Graph)
    out = set()
    for r in results.subjects(RDF.type, SH.ValidationResult):
        path = results.value(r, SH.resultPath)
        out.add((str(results.value(r, SH.focusNode)), str(path) if path else None,
                 str(results.value(r, SH.sourceConstraintComponent))))  # fmt: skip
    return out


def compiled(dataset_nq: str) -> set[tuple[str, str | None, str]]:
    store = ox.Store()
    store.load(dataset_nq.encode(), format=ox.RdfFormat.N_QUADS)
    return {(v.focus, v.path, v.component) for v in violations(store)}


def test_golden_graph_conforms_for_both_engines(tiny_release: BuildResult) -> None:
    text = (tiny_release.release_dir / DATASET).read_text(encoding="utf-8")
    assert reference(text) == set() == compiled(text)


def test_planted_defects_give_the_same_violations(tiny_release: BuildResult) -> None:
    text = (tiny_release.release_dir / DATASET).read_text(encoding="utf-8")
    text += "".join(f"{triple} {G} .\n" for triple, *_ in DEFECTS)
    want = reference(text)
    got = compiled(text)
    assert got == want
    for _, focus, path, component in DEFECTS:
        assert any(
            f == iri(focus)
            and (path is None if p is None else p is not None and p.endswith(path or "?"))
            and c == f"{SH}{component}ConstraintComponent"
            for f, p, c in got
        ), (focus, path, component)


def test_large_store_is_validated_in_full_by_sparql(tiny_release: BuildResult) -> None:
    """Above FULL_LIMIT the check takes the SPARQL engine, still over every focus node."""
    store = ox.Store()
    text = (tiny_release.release_dir / DATASET).read_text(encoding="utf-8")
    store.load((text + f"{DEFECTS[1][0]} {G} .\n").encode(), format=ox.RdfFormat.N_QUADS)
    report = validate_store(store, FULL_LIMIT + 1)
    assert (report.mode, report.engine, report.conforms) == ("full", "sparql (oxigraph)", False)
    assert report.focus_nodes == [iri(FLOW)]
    assert "MaxInclusiveConstraintComponent" in report.messages[0]


def test_unsupported_shape_feature_is_refused() -> None:
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    shapes.parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:s> a sh:NodeShape ; "
        "sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:qualifiedMinCount 1 ] .",
        format="turtle",
    )
    with pytest.raises(UnsupportedShapeError):
        compile_shapes(shapes, ox.Store())
