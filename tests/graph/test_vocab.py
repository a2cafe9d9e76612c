"""The vocabulary module, the ontology, the shapes and the queries agree on every term."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from etl.graph import vocab
from etl.graph.vocab import ONTOLOGY_FILE, ONTOLOGY_IRI, QUERIES_DIR, REE, SHAPES_FILE

NS = str(REE._NS)
GRAPH_CODE = Path(vocab.__file__).parent
REQUIRED_CLASSES = (
    "Province", "Country", "Group", "Company", "Facility", "Element", "Oxide", "Commodity",
    "Quota", "Reallocation", "Production", "TradeFlow", "Buyer", "SupplyAgreement", "Source",
)  # fmt: skip


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def declared_terms(ontology: Graph) -> set[str]:
    return {
        str(s)[len(NS) :]
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(NS)
    }


def module_terms() -> set[str]:
    return set(REE.__annotations__)


def test_ontology_is_versioned(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    version = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    assert version is not None and str(version).startswith(str(ONTOLOGY_IRI) + "/")


def test_every_module_term_is_declared_with_label_and_definition(ontology: Graph) -> None:
    missing = []
    for name in sorted(module_terms()):
        term = URIRef(NS + name)
        if (
            ontology.value(term, RDFS.label) is None
            or ontology.value(term, SKOS.definition) is None
        ):
            missing.append(name)
    assert not missing, (
        f"terms in etl/graph/vocab.py without label/definition in ontology: {missing}"
    )


def test_every_ontology_term_is_in_the_module(ontology: Graph) -> None:
    assert declared_terms(ontology) - module_terms() == set()


def test_required_classes(ontology: Graph) -> None:
    for name in REQUIRED_CLASSES:
        assert (URIRef(NS + name), RDF.type, OWL.Class) in ontology, name


def test_code_uses_only_declared_terms(ontology: Graph) -> None:
    used = set()
    for path in GRAPH_CODE.rglob("*.py"):
        used |= set(re.findall(r"\bREE\.(\w+)", path.read_text(encoding="utf-8")))
    used.discard("_NS")
    assert used, "no REE terms found in etl/graph"
    assert used - declared_terms(ontology) == set()


@pytest.mark.parametrize(
    "path", [SHAPES_FILE, *sorted(QUERIES_DIR.glob("*.rq"))], ids=lambda p: p.name
)
def test_shapes_and_queries_use_only_declared_terms(path: Path, ontology: Graph) -> None:
    text = path.read_text(encoding="utf-8")
    used = set(re.findall(r"\bree:(\w+)", text))
    used |= set(re.findall(re.escape(NS) + r"(\w+)", text))
    assert used - declared_terms(ontology) == set()


def test_undeclared_term_fails_loudly() -> None:
    with pytest.raises(AttributeError):
        _ = REE.notATerm


def test_every_class_has_a_shape(ontology: Graph) -> None:
    shapes = Graph().parse(SHAPES_FILE, format="turtle")
    targeted = set(shapes.objects(None, URIRef("http://www.w3.org/ns/shacl#targetClass")))
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(NS)}
    # a class is covered by its own shape or by the shape of a superclass (Group: Organisation)
    uncovered = {
        c for c in classes if not set(ontology.transitive_objects(c, RDFS.subClassOf)) & targeted
    }
    assert uncovered == set()
