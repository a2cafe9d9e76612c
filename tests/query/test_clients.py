"""What standard clients send, against `reekg serve` on 127.0.0.1: SPARQLWrapper in its default
and JSON-LD formats, Fuseki/Virtuoso/YASGUI format names, curl with CORS and HEAD, N3, the
variable order of SELECT *, and the query page's saved queries and short IRIs."""

from __future__ import annotations

import html
import subprocess
import warnings
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from SPARQLWrapper import JSONLD, N3, XML, SPARQLWrapper

from etl.query.endpoint import EndpointConfig, create_app
from tests.query.conftest import Endpoint
from tests.query.data import CREG, JIANGXI, LABEL, build_release, quads

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

QUERIES = Path(__file__).resolve().parents[2] / "ontology" / "queries"
CONSTRUCT_LABELS = f"CONSTRUCT {{ ?s <{LABEL}> ?l }} WHERE {{ ?s <{LABEL}> ?l }}"
DESCRIBE_CREG = f"DESCRIBE <{CREG}>"
SELECT_STAR = f"SELECT * WHERE {{ ?subject <{LABEL}> ?label }}"


def expected(query: str) -> set[tuple[str, str, str]]:
    """The triples a CONSTRUCT/DESCRIBE of the test data must give, from the test's quads."""
    rows = {(str_value(q.subject), q.predicate.value, str_value(q.object)) for q in quads()}
    if query == CONSTRUCT_LABELS:
        return {t for t in rows if t[1] == LABEL}
    return {t for t in rows if t[0] == CREG}  # DESCRIBE: the statements about CREG


def str_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The IRI or lexical form of a pyoxigraph term (the test data has no quoted triples)."""
    assert not isinstance(term, ox.Triple)
    return str(term.value)


def as_set(graph: rdflib.Graph) -> set[tuple[str, str, str]]:
    return {(str(s), str(p), str(o)) for s, p, o in graph}


@pytest.mark.parametrize("query", [CONSTRUCT_LABELS, DESCRIBE_CREG], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt", [XML, JSONLD, N3], ids=["default-rdfxml", "jsonld", "n3"])
def test_sparqlwrapper_graph_queries(endpoint: Endpoint, query: str, fmt: str) -> None:
    client = SPARQLWrapper(endpoint.sparql)
    client.setQuery(query)
    if fmt != XML:  # XML is SPARQLWrapper's default return format
        client.setReturnFormat(fmt)
    result = client.queryAndConvert()
    if fmt == N3:  # SPARQLWrapper hands N3 back as bytes
        assert isinstance(result, bytes)
        graph = rdflib.Graph().parse(data=result, format="n3")
    else:  # RDF/XML and JSON-LD it parses itself
        assert isinstance(result, rdflib.Graph)
        graph = result
    assert as_set(graph) == expected(query)
    assert len(expected(query)) >= 3


FORMATS = [  # (name a client sends, query, media type of the answer)
    ("xml", SELECT_STAR, "application/sparql-results+xml"),
    ("json", SELECT_STAR, "application/sparql-results+json"),
    ("srj", SELECT_STAR, "application/sparql-results+json"),
    ("csv", SELECT_STAR, "text/csv"),
    ("tsv", SELECT_STAR, "text/tab-separated-values"),
    ("text/csv", SELECT_STAR, "text/csv"),
    ("xml", DESCRIBE_CREG, "application/rdf+xml"),
    ("rdf+xml", DESCRIBE_CREG, "application/rdf+xml"),
    ("json", DESCRIBE_CREG, "application/ld+json"),
    ("json-ld", DESCRIBE_CREG, "application/ld+json"),
    ("ttl", DESCRIBE_CREG, "text/turtle"),
    ("n3", DESCRIBE_CREG, "text/n3"),
    ("nt", DESCRIBE_CREG, "application/n-triples"),
]


@pytest.mark.parametrize("parameter", ["format", "output", "results"])
@pytest.mark.parametrize(("name", "query", "media"), FORMATS)
def test_format_names_of_clients(
    endpoint: Endpoint, parameter: str, name: str, query: str, media: str
) -> None:
    # an Accept header that disagrees: the named format wins
    r = httpx.get(
        endpoint.sparql,
        params={"query": query, parameter: name},
        headers={"Accept": "text/tab-separated-values, text/turtle"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(
    ("params", "media"),
    [
        ({"format": "csv", "output": "json"}, "text/csv"),  # `format` is read first
        ({"output": "text/turtle,text/csv;q=0.9"}, "text/csv"),  # first that fits SELECT
        ({"results": "application/ld+json,application/x-json+ld"}, None),
    ],
)
def test_several_format_names(endpoint: Endpoint, params: dict[str, str], media: str) -> None:
    r = httpx.get(endpoint.sparql, params={"query": SELECT_STAR, **params})
    if media is None:  # no JSON-LD for a SELECT: refused, naming what is offered
        assert r.status_code == 406 and "json, xml, csv, tsv" in r.text
    else:
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)


def test_accept_text_n3(endpoint: Endpoint) -> None:
    r = httpx.get(endpoint.sparql, params={"query": DESCRIBE_CREG}, headers={"Accept": "text/n3"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/n3")
    assert as_set(rdflib.Graph().parse(data=r.text, format="n3")) == expected(DESCRIBE_CREG)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (SELECT_STAR, ["subject", "label"]),  # Oxigraph alone gives ['label', 'subject']
        (f"SELECT * {{ ?z <{LABEL}> ?y OPTIONAL {{ ?z ?b ?a }} }}", ["z", "y", "b", "a"]),
        (f"SELECT ?label ?subject WHERE {{ ?subject <{LABEL}> ?label }}", ["label", "subject"]),
        ("SELECT (1 AS ?b) ?a WHERE { BIND(2 AS ?a) }", ["b", "a"]),
    ],
)
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_variable_order_is_the_query_order(
    endpoint: Endpoint, query: str, variables: list[str], accept: str
) -> None:
    r = httpx.get(endpoint.sparql, params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    if accept == "text/csv":
        assert r.text.splitlines()[0].split(",") == variables
    else:
        assert r.json()["head"]["vars"] == variables


def curl(*args: str) -> tuple[str, str]:
    """Status line and headers (lower-cased names), and the body, of one curl call."""
    out = subprocess.run(
        ["curl", "-sS", "-i", "--max-time", "30", *args], capture_output=True, check=True
    ).stdout.decode()
    head, _, body = out.partition("\r\n\r\n")
    return head, body


def header(head: str, name: str) -> str | None:
    for line in head.splitlines()[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def test_curl_cors_preflight(endpoint: Endpoint) -> None:
    head, _ = curl(
        "-X", "OPTIONS", endpoint.sparql,
        "-H", "Origin: https://yasgui.example",
        "-H", "Access-Control-Request-Method: POST",
        "-H", "Access-Control-Request-Headers: content-type",
    )  # fmt: skip
    assert head.split()[1] == "200", head
    assert header(head, "access-control-allow-origin") == "*"
    assert "POST" in (header(head, "access-control-allow-methods") or "")
    assert "content-type" in (header(head, "access-control-allow-headers") or "").lower()


def test_curl_cors_on_a_query(endpoint: Endpoint) -> None:
    head, body = curl(
        endpoint.sparql, "-H", "Origin: https://yasgui.example",
        "-H", "Content-Type: application/sparql-query", "--data-binary", SELECT_STAR,
    )  # fmt: skip
    assert head.split()[1] == "200" and '"bindings"' in body
    assert header(head, "access-control-allow-origin") == "*"
    assert "X-Result-Count" in (header(head, "access-control-expose-headers") or "")


def test_curl_head(endpoint: Endpoint) -> None:
    got, body = curl("-I", "-G", endpoint.sparql, "--data-urlencode", f"query={SELECT_STAR}")
    full, full_body = curl("-G", endpoint.sparql, "--data-urlencode", f"query={SELECT_STAR}")
    assert got.split()[1] == "200", got
    assert header(got, "content-type") == header(full, "content-type")
    assert header(got, "content-length") == str(len(full_body.encode()))
    assert body == "" and full_body


def test_cors_origins_configurable(tmp_path: Path) -> None:
    build_release(tmp_path)
    allowed, other = "https://allowed.example", "https://other.example"
    for origins, origin, expect in [
        ((allowed,), allowed, allowed),
        ((allowed,), other, None),
        ((), allowed, None),
    ]:
        config = EndpointConfig(tmp_path, timeout=30, workers=1, cors_origins=origins)
        with TestClient(create_app(config)) as client:
            r = client.get("/sparql", params={"query": SELECT_STAR}, headers={"Origin": origin})
            assert r.status_code == 200
            assert r.headers.get("access-control-allow-origin") == expect


def test_query_page_offers_the_saved_queries(endpoint: Endpoint) -> None:
    files = sorted(QUERIES.glob("*.rq"))
    assert len(files) >= 5
    page = httpx.get(endpoint.sparql, headers={"Accept": "text/html"}).text
    for path in files:
        assert f'<option value="{path.stem}">' in page
    chosen = files[0]
    filled = httpx.get(endpoint.sparql, params={"saved": chosen.stem}).text
    box = filled.split('name="query" spellcheck="false">', 1)[1].split("</textarea>", 1)[0]
    assert html.unescape(box) == chosen.read_text(encoding="utf-8")
    assert httpx.get(endpoint.sparql, params={"saved": "nope"}).status_code == 404


def test_results_page_abbreviates_iris(endpoint: Endpoint) -> None:
    query = f"SELECT ?s ?c WHERE {{ ?s a ?c FILTER(?s = <{JIANGXI}>) }}"
    page = httpx.get(endpoint.sparql, params={"query": query}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'title="https://w3id.org/reekg/ontology#Province">ree:Province</a>' in page.text
    assert f'href="/id/province/CN-JX" title="{JIANGXI}">id:province/CN-JX</a>' in page.text
