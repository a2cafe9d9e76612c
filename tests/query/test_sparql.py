"""Query inspection, content negotiation, serialization and the network guard (in-process)."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from etl.graph.store import open_published_store
from etl.query.formats import choose_format, format_by_name, negotiate
from etl.query.netguard import NetworkAccessBlocked, no_network
from etl.query.results import serialize
from etl.query.sparql import QueryRefused, QuerySyntaxError, ResultTooLarge, evaluate, inspect_query
from tests.query.data import CREG, JIANGXI, LABEL, REFERENCE_TRIPLES, TOTAL_TRIPLES

REFUSED = {
    "insert": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "delete": "DELETE WHERE { ?s ?p ?o }",
    "load": "LOAD <http://example.org/data.ttl>",
    "clear": "CLEAR ALL",
    "drop": "DROP GRAPH <urn:g>",
    "service": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "service silent": "SELECT * { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
    "service lower": "select * { service <http://example.org/sparql> { ?s ?p ?o } }",
    "service variable": "SELECT * { VALUES ?e { <http://example.org/> } SERVICE ?e { ?s ?p ?o } }",
    # '<' as less-than then '#>' in a comment: a naive IRI tokenizer would hide SERVICE here
    "service hidden": "SELECT * { VALUES ?x { <http://e/> } FILTER(?a<1)SERVICE?x#>\n{ ?s ?p ?o }}",
    "service in ask": "ASK { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "service nested": "ASK { { SELECT * { SERVICE <http://e/> { ?s ?p ?o } } } }",
}


@pytest.mark.parametrize("query", REFUSED.values(), ids=REFUSED.keys())
def test_updates_and_service_are_refused(query: str) -> None:
    with pytest.raises(QueryRefused) as err:
        inspect_query(query)
    assert "refused" in str(err.value)


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("PREFIX s: <http://e/service#> ASK { ?s s:SERVICE 'SERVICE' }", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <https://w3id.org/reekg/id/org/china-rare-earth-group>", "DESCRIBE"),
        ("# SERVICE in a comment\nSELECT ?service { ?service ?p ?o }", "SELECT"),
    ],
)
def test_read_queries_pass_with_their_form(query: str, form: str) -> None:
    assert inspect_query(query) == form


@pytest.mark.parametrize("query", ["", "SELEC * {}", "hello"])
def test_bad_text_is_a_syntax_error(query: str) -> None:
    with pytest.raises(QuerySyntaxError):
        inspect_query(query)


@pytest.mark.parametrize(
    ("accept", "form", "name"),
    [
        (None, "SELECT", "json"),
        ("text/csv", "SELECT", "csv"),
        ("text/tab-separated-values", "ASK", "tsv"),
        ("application/sparql-results+xml;q=0.5, text/csv;q=0.4", "SELECT", "xml"),
        ("application/json", "SELECT", "json"),
        ("*/*", "CONSTRUCT", "turtle"),
        ("application/n-triples", "DESCRIBE", "ntriples"),
        ("application/ld+json", "CONSTRUCT", "jsonld"),
        ("text/*;q=0.9, application/rdf+xml;q=0.1", "CONSTRUCT", "turtle"),
    ],
)
def test_negotiation(accept: str | None, form: str, name: str) -> None:
    assert choose_format(form, accept).name == name  # type: ignore[arg-type]


def test_negotiation_respects_q_zero() -> None:
    assert negotiate("text/csv;q=0", [("csv", "text/csv")]) is None


def test_select_serializations_agree(graph_dir: Path) -> None:
    store = open_published_store(graph_dir)
    query = f"SELECT ?s ?label WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?s ?label"
    answer = evaluate(store, query)
    assert answer.size == 3
    data = json.loads(serialize(answer, format_by_name("SELECT", "json")))
    labels = {b["label"]["value"]: b["label"].get("xml:lang") for b in data["results"]["bindings"]}
    assert labels == {"Jiangxi": "en", "江西": "zh", "China Rare Earth Group": "en"}
    rows = list(
        csv.reader(io.StringIO(serialize(answer, format_by_name("SELECT", "csv")).decode()))
    )
    assert rows[0] == ["s", "label"] and len(rows) == 4
    tsv = serialize(answer, format_by_name("SELECT", "tsv")).decode().splitlines()
    assert tsv[0] == "?s\t?label" and f'<{JIANGXI}>\t"江西"@zh' in tsv
    xml = serialize(answer, format_by_name("SELECT", "xml"))
    parsed = ox.parse_query_results(xml, format=ox.QueryResultsFormat.XML)
    assert isinstance(parsed, ox.QuerySolutions) and len(list(parsed)) == 3


def test_construct_serializations_round_trip(graph_dir: Path) -> None:
    store = open_published_store(graph_dir)
    answer = evaluate(store, f"DESCRIBE <{CREG}>")
    assert answer.form == "DESCRIBE" and answer.size == 3
    for name, rdflib_format in [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")]:
        body = serialize(answer, format_by_name("DESCRIBE", name))
        graph = rdflib.Graph().parse(data=body, format=rdflib_format)
        assert len(graph) == 3, name


def test_default_graph_is_the_union_and_graph_parameters_narrow_it(graph_dir: Path) -> None:
    store = open_published_store(graph_dir)
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    assert int(evaluate(store, count).rows[0][0].value) == TOTAL_TRIPLES  # type: ignore[union-attr]
    only_reference = evaluate(
        store, count, default_graphs=["https://w3id.org/reekg/graph/reference"]
    )
    assert int(only_reference.rows[0][0].value) == REFERENCE_TRIPLES  # type: ignore[union-attr]


def test_result_limit(graph_dir: Path) -> None:
    store = open_published_store(graph_dir)
    with pytest.raises(ResultTooLarge):
        evaluate(store, "SELECT * { ?s ?p ?o }", max_rows=10)
    assert evaluate(store, "SELECT * { ?s ?p ?o } LIMIT 10", max_rows=10).size == 10


def test_network_guard_blocks_urllib_and_rdflib_fetches() -> None:
    with no_network():
        with pytest.raises(NetworkAccessBlocked):
            urllib.request.urlopen("http://example.org/", timeout=2)
        with pytest.raises(NetworkAccessBlocked):
            rdflib.Graph().parse("http://example.org/data.ttl", format="turtle")
        with pytest.raises(NetworkAccessBlocked):
            list(
                rdflib.Graph().query(
                    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
                )
            )
    # outside the block the hook stays installed but lets calls pass: a loopback port nobody
    # listens on gives "connection refused", not the guard's error
    with pytest.raises(OSError) as err:
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=2)
    assert not isinstance(err.value, NetworkAccessBlocked)
