"""SHACL shapes compiled to SPARQL and run on the release's Oxigraph store: every focus node.

pySHACL needs the graph as rdflib objects (about 1 KB a triple), so it cannot validate a
15M-triple release. This module reads `ontology/shapes.ttl` once and turns each constraint of
each shape into one SPARQL SELECT that returns the violating focus nodes; Oxigraph runs them on
the union of all named graphs. Class targets and `sh:class` follow `rdfs:subClassOf*` of the
data graph (the ontology graph is part of the release), as pySHACL does.

Supported (everything `shapes.ttl` uses): targets `sh:targetClass`, `sh:targetSubjectsOf`;
node constraints `sh:nodeKind sh:IRI`, `sh:pattern`; property shapes with a predicate path and
`sh:minCount`, `sh:maxCount`, `sh:datatype`, `sh:class`, `sh:in`, `sh:pattern`, `sh:nodeKind
sh:IRI`, `sh:minInclusive`, `sh:maxInclusive`, `sh:minExclusive`, `sh:minLength`,
`sh:hasValue`, `sh:disjoint`, `sh:uniqueLang`, `sh:or` of `sh:class` shapes. Anything else
raises `UnsupportedShapeError` (the compiler never silently skips a constraint).
pySHACL stays the reference: tests/graph/test_shacl_sparql.py checks both agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from etl.graph.vocab import SHAPES_FILE

# Violations fetched per constraint (the count reported is "at least" beyond it).
LIMIT_PER_CONSTRAINT = 1000
IGNORED = {RDF.type, RDFS.label, RDFS.comment, SH.property, SH.targetClass, SH.targetSubjectsOf,
           SH.path, SH.name, SH.description, SH.message}  # fmt: skip


class UnsupportedShapeError(ValueError):
    """A shape uses a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class Constraint:
    """One compiled constraint: `query` returns the violating focus nodes as ?s; or, with
    `candidates`, that query (shared by every shape on the same predicate, run once) gives the
    candidate nodes and `target` keeps those the shape targets."""

    shape: str
    path: str | None
    component: str
    query: str = ""
    candidates: str = ""
    target: str = ""


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    component: str
    shape: str

    @property
    def message(self) -> str:
        where = f" (path {self.path})" if self.path else ""
        return f"{self.component.rsplit('#', 1)[-1]} violated by {self.shape}{where}"


def sparql_term(term: object) -> str:
    """An rdflib term as SPARQL text."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShapeError(f"not a constant term in a shape: {term!r}")


def subclasses(store: ox.Store, cls: URIRef) -> list[str]:
    """`cls` and every class below it (rdfs:subClassOf*) in the data graph, as SPARQL terms."""
    rows = store.query(
        f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}",
        use_default_graph_as_union=True,
    )
    found = {f"<{row['c'].value}>" for row in rows if isinstance(row["c"], ox.NamedNode)}  # type: ignore[union-attr]
    return sorted(found | {f"<{cls}>"})


def type_pattern(var: str, classes: list[str]) -> str:
    return f"VALUES ?c_{var} {{ {' '.join(classes)} }} ?{var} a ?c_{var} ."


def targets(shapes: Graph, shape: URIRef | BNode, store: ox.Store) -> list[str]:
    """One graph pattern binding ?s per target declaration of a node shape."""
    found = []
    for cls in shapes.objects(shape, SH.targetClass):
        assert isinstance(cls, URIRef)
        found.append(type_pattern("s", subclasses(store, cls)))
    for pred in shapes.objects(shape, SH.targetSubjectsOf):
        found.append(f"?s {sparql_term(pred)} ?t_any .")
    return found


def value_filter(shapes: Graph, pred: object, obj: object, store: ox.Store) -> tuple[str, str]:
    """(component, FILTER over ?v) for a value-type constraint: true when ?v violates it."""
    if pred == SH.datatype:
        return "DatatypeConstraintComponent", (
            f"!isLiteral(?v) || datatype(?v) != {sparql_term(obj)}"
        )
    if pred == SH.nodeKind:
        if obj != SH.IRI:
            raise UnsupportedShapeError(f"sh:nodeKind {obj}")
        return "NodeKindConstraintComponent", "!isIRI(?v)"
    if pred == SH.pattern:
        regex = Literal(str(obj)).n3()
        return "PatternConstraintComponent", f"isBlank(?v) || !REGEX(STR(?v), {regex})"
    if pred == SH.minLength:
        return "MinLengthConstraintComponent", f"isBlank(?v) || STRLEN(STR(?v)) < {int(obj)}"  # type: ignore[call-overload]
    bounds: dict[object, tuple[str, str]] = {
        SH.minInclusive: (">=", "MinInclusive"),
        SH.maxInclusive: ("<=", "MaxInclusive"),
        SH.minExclusive: (">", "MinExclusive"),
        SH.maxExclusive: ("<", "MaxExclusive"),
    }
    if pred in bounds:
        op, name = bounds[pred]
        return f"{name}ConstraintComponent", f"!COALESCE(?v {op} {sparql_term(obj)}, false)"
    if pred == SH["in"]:
        assert isinstance(obj, BNode)
        allowed = " || ".join(f"sameTerm(?v, {sparql_term(m)})" for m in Collection(shapes, obj))
        return "InConstraintComponent", f"!({allowed})"
    raise UnsupportedShapeError(f"no value filter for {pred}")


def property_constraints(
    shapes: Graph, node: URIRef | BNode, prop: BNode, target: str, store: ox.Store
) -> Iterator[Constraint]:
    """The compiled constraints of one property shape under one target pattern.

    Each query first finds the candidates from the predicate alone (a scan of one predicate,
    with MINUS for the "missing" and "not of class" cases, which Oxigraph runs as hash joins),
    then keeps those the target selects: violations are rare, so the join with the target is
    small. Joining every focus node with its values first is ten times slower on 1M nodes.
    """
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise UnsupportedShapeError(f"{node}: only predicate paths are supported, got {path!r}")
    p, name = f"<{path}>", str(node)

    def make(component: str, where: str, group: str = "") -> Constraint:
        """`where` (and `group`, a GROUP BY clause) bind the candidates ?s from the predicate."""
        candidates = f"SELECT DISTINCT ?s WHERE {{ {where} }} {group}"
        return Constraint(name, str(path), f"{SH}{component}", candidates=candidates,
                          target=target)  # fmt: skip

    def missing(component: str, pattern: str) -> Constraint:
        """Focus nodes lacking `pattern`: the target MINUS the subjects that have it."""
        query = (f"SELECT DISTINCT ?s WHERE {{ {{ {target} }} MINUS {{ {pattern} }} }} "
                 f"LIMIT {LIMIT_PER_CONSTRAINT}")  # fmt: skip
        return Constraint(name, str(path), f"{SH}{component}", query)

    for pred, obj in shapes.predicate_objects(prop):
        if pred in IGNORED:
            continue
        if pred == SH.minCount:
            n = int(obj)  # type: ignore[call-overload]
            if n == 1:
                yield missing("MinCountConstraintComponent", f"?s {p} ?v")
            elif n > 1:
                having = f"HAVING (COUNT(DISTINCT ?v) < {n}) LIMIT {LIMIT_PER_CONSTRAINT}"
                query = (
                    f"SELECT ?s WHERE {{ {target} OPTIONAL {{ ?s {p} ?v }} }} GROUP BY ?s {having}"
                )
                yield Constraint(name, str(path), f"{SH}MinCountConstraintComponent", query)
        elif pred == SH.maxCount:
            n = int(obj)  # type: ignore[call-overload]
            having = f"GROUP BY ?s HAVING (COUNT(DISTINCT ?v) > {n})"
            yield make("MaxCountConstraintComponent", f"?s {p} ?v", having)
        elif pred in (SH["class"], SH["or"]):
            classes = value_classes(shapes, node, pred, obj, store)
            component = (
                "ClassConstraintComponent" if pred == SH["class"] else "OrConstraintComponent"
            )
            values = f"VALUES ?c_v {{ {' '.join(classes)} }}"
            yield make(component, f"{{ ?s {p} ?v }} MINUS {{ ?s {p} ?v . {values} ?v a ?c_v }}")
        elif pred == SH.hasValue:
            yield missing("HasValueConstraintComponent", f"?s {p} {sparql_term(obj)}")
        elif pred == SH.disjoint:
            yield make("DisjointConstraintComponent", f"?s {p} ?v . ?s {sparql_term(obj)} ?v")
        elif pred == SH.uniqueLang:
            if not (isinstance(obj, Literal) and obj.toPython() is True):
                continue
            same_lang = "lang(?v1) != '' && lang(?v1) = lang(?v2)"
            pair = f"?s {p} ?v1 . ?s {p} ?v2"
            yield make("UniqueLangConstraintComponent",
                       f"{pair} FILTER(!sameTerm(?v1, ?v2) && {same_lang})")  # fmt: skip
        else:
            component, condition = value_filter(shapes, pred, obj, store)
            yield make(component, f"?s {p} ?v FILTER({condition})")


def value_classes(
    shapes: Graph, node: URIRef | BNode, pred: object, obj: object, store: ox.Store
) -> list[str]:
    """The classes (with subclasses) a value must have: sh:class, or sh:or of sh:class shapes."""
    if pred == SH["class"]:
        assert isinstance(obj, URIRef)
        return subclasses(store, obj)
    assert isinstance(obj, BNode)
    classes: list[str] = []
    for member in Collection(shapes, obj):
        keys = set(shapes.predicates(member)) - {RDF.type}
        cls = shapes.value(member, SH["class"])
        if keys != {SH["class"]} or not isinstance(cls, URIRef):
            raise UnsupportedShapeError(f"{node}: sh:or only of sh:class shapes")
        classes += subclasses(store, cls)
    return classes


def compile_shapes(shapes: Graph, store: ox.Store) -> list[Constraint]:
    """Every constraint of every node shape, as SPARQL over the store's union graph."""
    out: list[Constraint] = []
    for node in sorted(shapes.subjects(RDF.type, SH.NodeShape), key=str):
        assert isinstance(node, URIRef | BNode)
        for target in targets(shapes, node, store):
            for pred, obj in shapes.predicate_objects(node):
                if pred in IGNORED or pred == SH.closed:
                    continue
                component, condition = value_filter(shapes, pred, obj, store)
                query = (f"SELECT DISTINCT ?s WHERE {{ {target} BIND(?s AS ?v) "
                         f"FILTER({condition}) }} LIMIT {LIMIT_PER_CONSTRAINT}")  # fmt: skip
                out.append(Constraint(str(node), None, f"{SH}{component}", query))
            for prop in shapes.objects(node, SH.property):
                assert isinstance(prop, BNode)
                out.extend(property_constraints(shapes, node, prop, target, store))
    return out


def focus_terms(store: ox.Store, query: str) -> list[str]:
    """The ?s column of a query on the union graph, as SPARQL terms (IRIs and blank nodes)."""
    rows = store.query(query, use_default_graph_as_union=True)
    return [str(row["s"]) for row in rows if row["s"] is not None]  # type: ignore[union-attr]


def violations(store: ox.Store, shapes_path: Path = SHAPES_FILE) -> list[Violation]:
    """Every violation (focus node, path, constraint component) of the shapes on the store."""
    shapes = Graph().parse(shapes_path, format="turtle")
    found: set[Violation] = set()
    cache: dict[str, list[str]] = {}
    for constraint in compile_shapes(shapes, store):
        query = constraint.query
        if constraint.candidates:
            if constraint.candidates not in cache:
                cache[constraint.candidates] = focus_terms(store, constraint.candidates)
            terms = cache[constraint.candidates]
            if not terms:
                continue
            query = (f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {' '.join(terms)} }} "
                     f"{constraint.target} }} LIMIT {LIMIT_PER_CONSTRAINT}")  # fmt: skip
        for term in focus_terms(store, query):
            focus = term[1:-1] if term.startswith("<") else term
            found.add(Violation(focus, constraint.path, constraint.component, constraint.shape))
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.component))
