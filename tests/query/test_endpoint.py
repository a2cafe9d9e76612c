"""The SPARQL endpoint as users reach it: `reekg serve` in a subprocess, real HTTP clients."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time

import httpx
import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from tests.query.conftest import ENDPOINT_MAX_ROWS, ENDPOINT_TIMEOUT, Endpoint
from tests.query.data import CREG, JIANGXI, LABEL, TOTAL_TRIPLES

SELECT_LABELS = f"SELECT ?s ?label WHERE {{ ?s <{LABEL}> ?label }} ORDER BY ?s ?label"
# four-way cross join of 164 triples: ~7e8 solutions, far beyond the endpoint's timeout
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def wrapper(endpoint: Endpoint, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint.sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_select(endpoint: Endpoint) -> None:
    result = wrapper(endpoint, SELECT_LABELS, JSON).queryAndConvert()
    assert isinstance(result, dict)
    labels = sorted(b["label"]["value"] for b in result["results"]["bindings"])
    assert labels == ["China Rare Earth Group", "Jiangxi", "江西"]


def test_sparqlwrapper_select_csv_by_post(endpoint: Endpoint) -> None:
    client = wrapper(endpoint, SELECT_LABELS, CSV)
    client.setMethod("POST")
    body = client.queryAndConvert()
    assert isinstance(body, bytes)
    assert body.decode().splitlines()[0] == "s,label"


def test_sparqlwrapper_ask(endpoint: Endpoint) -> None:
    yes = wrapper(endpoint, f"ASK {{ <{CREG}> ?p <{JIANGXI}> }}", JSON).queryAndConvert()
    no = wrapper(endpoint, f"ASK {{ <{JIANGXI}> ?p <{CREG}> }}", JSON).queryAndConvert()
    assert isinstance(yes, dict) and isinstance(no, dict)
    assert (yes["boolean"], no["boolean"]) == (True, False)


def test_sparqlwrapper_construct(endpoint: Endpoint) -> None:
    query = f"CONSTRUCT {{ ?s <{LABEL}> ?l }} WHERE {{ ?s <{LABEL}> ?l }}"
    graph = wrapper(endpoint, query, TURTLE).queryAndConvert()
    assert isinstance(graph, str | bytes)
    parsed = rdflib.Graph().parse(data=graph, format="turtle")
    assert len(parsed) == 3


@pytest.mark.parametrize(
    ("accept", "media", "check"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
        ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
        ("text/csv", "text/csv", "s,label"),
        ("text/tab-separated-values", "text/tab-separated-values", "?s\t?label"),
    ],
)
def test_curl_select_accept(endpoint: Endpoint, accept: str, media: str, check: str) -> None:
    out = subprocess.run(
        ["curl", "-sS", "-i", "-G", endpoint.sparql, "-H", f"Accept: {accept}",
         "--data-urlencode", f"query={SELECT_LABELS}"],
        capture_output=True, check=True, timeout=30,
    ).stdout.decode()  # fmt: skip
    head, _, body = out.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 200")
    assert re.search(rf"(?im)^content-type: {re.escape(media)}", head)
    assert check in body


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_curl_construct_accept(endpoint: Endpoint, accept: str, rdflib_format: str) -> None:
    out = subprocess.run(
        ["curl", "-sS", "-f", endpoint.sparql, "-H", f"Accept: {accept}",
         "-H", "Content-Type: application/sparql-query", "--data-binary", f"DESCRIBE <{CREG}>"],
        capture_output=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    assert len(rdflib.Graph().parse(data=out, format=rdflib_format)) == 3


def test_unacceptable_type_is_406(endpoint: Endpoint) -> None:
    r = httpx.get(endpoint.sparql, params={"query": SELECT_LABELS}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "offered" in r.text


REFUSALS = [
    ("post update", {"content": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                     "headers": {"Content-Type": "application/sparql-update"}}),
    ("form update", {"data": {"update": "DELETE WHERE { ?s ?p ?o }"}}),
    ("load as query", {"data": {"query": "LOAD <http://example.org/x.ttl>"}}),
    ("service", {"data": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"}}),
    ("hidden service", {"data": {"query":
        "SELECT * { VALUES ?x { <http://e/> } FILTER(?a<1)SERVICE?x#>\n{ ?s ?p ?o } }"}}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "request_args"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_are_403_with_a_message(endpoint: Endpoint, name: str, request_args: dict) -> None:
    r = httpx.post(endpoint.sparql, **request_args)
    assert r.status_code == 403, r.text
    assert "refused" in r.text
    assert len(r.text.strip().splitlines()) == 1


def test_update_by_get_is_refused_and_the_graph_is_unchanged(endpoint: Endpoint) -> None:
    r = httpx.get(endpoint.sparql, params={"update": "CLEAR ALL"})
    assert r.status_code == 403
    count = httpx.get(endpoint.sparql, params={"query": "SELECT (COUNT(*) AS ?n) {?s ?p ?o}"})
    assert count.json()["results"]["bindings"][0]["n"]["value"] == str(TOTAL_TRIPLES)


def test_syntax_error_is_400(endpoint: Endpoint) -> None:
    r = httpx.get(endpoint.sparql, params={"query": "SELECT ?x WHERE { ?x"})
    assert r.status_code == 400 and "syntax" in r.text.lower()


def test_query_over_the_timeout_is_stopped_promptly(endpoint: Endpoint) -> None:
    started = time.monotonic()
    r = httpx.post(endpoint.sparql, data={"query": SLOW}, timeout=60)
    elapsed = time.monotonic() - started
    assert r.status_code == 503 and "timeout" in r.text
    assert elapsed < ENDPOINT_TIMEOUT + 3
    # the worker was replaced: the endpoint keeps answering
    again = httpx.get(endpoint.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert again.status_code == 200 and again.json()["boolean"] is True


def test_result_size_limit(endpoint: Endpoint) -> None:
    r = httpx.get(endpoint.sparql, params={"query": "SELECT * { ?s ?p ?o }"})
    assert r.status_code == 422 and str(ENDPOINT_MAX_ROWS) in r.text
    limited = httpx.get(
        endpoint.sparql, params={"query": f"SELECT * {{ ?s ?p ?o }} LIMIT {ENDPOINT_MAX_ROWS}"}
    )
    assert len(limited.json()["results"]["bindings"]) == ENDPOINT_MAX_ROWS


def test_query_page_is_offline(endpoint: Endpoint) -> None:
    r = httpx.get(endpoint.sparql, headers={"Accept": "text/html"})
    assert r.status_code == 200 and "<textarea" in r.text
    external = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", r.text)
    assert external == [], "the page must not load anything from another host"
    assert "<script src" not in r.text and "<link" not in r.text


def test_browser_query_gets_an_html_table(endpoint: Endpoint) -> None:
    r = httpx.get(
        endpoint.sparql,
        params={"query": SELECT_LABELS},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert r.headers["content-type"].startswith("text/html")
    assert "<table>" in r.text and "江西" in r.text and 'href="/id/province/CN-JX"' in r.text


def test_entity_dereferencing(endpoint: Endpoint) -> None:
    page = httpx.get(
        f"{endpoint.base}/id/org/china-rare-earth-group", headers={"Accept": "text/html"}
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "China Rare Earth Group" in page.text and 'href="/id/province/CN-JX"' in page.text
    turtle = httpx.get(
        f"{endpoint.base}/id/org/china-rare-earth-group", headers={"Accept": "text/turtle"}
    )
    assert turtle.headers["content-type"].startswith("text/turtle")
    # three statements about it, one referring to it (a quota it holds)
    assert len(rdflib.Graph().parse(data=turtle.text, format="turtle")) == 4
    # incoming links are part of the description: CREG is headquartered in Jiangxi
    jiangxi = httpx.get(
        f"{endpoint.base}/id/province/CN-JX", headers={"Accept": "application/n-triples"}
    )
    assert f"<{CREG}>" in jiangxi.text
    missing = httpx.get(f"{endpoint.base}/id/org/NO-SUCH-ORG", headers={"Accept": "text/turtle"})
    assert missing.status_code == 404


def test_health_reports_the_release(endpoint: Endpoint) -> None:
    assert httpx.get(f"{endpoint.base}/health").json() == {
        "status": "ok", "release": "r1", "triples": TOTAL_TRIPLES,
    }  # fmt: skip


def test_binds_loopback_only(endpoint: Endpoint) -> None:
    port = int(endpoint.base.rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent; picks the outward interface
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("no non-loopback interface on this machine")
    with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
        pass


def test_post_with_unknown_content_type_is_415(endpoint: Endpoint) -> None:
    r = httpx.post(endpoint.sparql, content=b"x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_sparqlwrapper_reports_refusal(endpoint: Endpoint) -> None:
    client = wrapper(endpoint, "SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }", JSON)
    with pytest.raises((SPARQLWrapperException, Exception)) as err:
        client.queryAndConvert()
    assert "403" in str(err.value) or "refused" in str(err.value)


def test_json_results_parse_as_sparql_json(endpoint: Endpoint) -> None:
    r = httpx.get(endpoint.sparql, params={"query": SELECT_LABELS})
    data = json.loads(r.text)
    assert data["head"]["vars"] == ["s", "label"]
