"""The SPARQL 1.1 Protocol endpoint (Starlette app served by uvicorn).

Routes:
    GET/POST /sparql          SPARQL 1.1 Protocol; HTML query page when there is no query
                              (HEAD answers like GET without the body; OPTIONS is CORS)
    GET      /id/{kind}/{id}  entity description: HTML for browsers, RDF by Accept
    GET      /void            the release's DCAT/VoID description (Turtle)
    GET      /health          release id and triple count (JSON)

Read-only by construction: the store is opened read-only in worker processes, updates and
SERVICE are refused before evaluation, every process has outbound network blocked, and the
workers that evaluate queries cannot open an internet socket at all (seccomp, own network
namespace) and run under a memory ceiling. Bodies are read streamed and cut off at the limit.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio
import jinja2
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from etl.graph.store import GraphNotPublishedError, current_release, read_manifest
from etl.query.limits import DEFAULT_MAX_ROWS, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, DEFAULT_WORKERS
from etl.query.prefixes import abbreviate, declared_prefixes, ontology_prefixes
from etl.query.sparql import ID_BASE, MAX_QUERY_CHARS, QueryError, graph_iris, negotiate
from etl.query.worker import (
    QueryRequest,
    QueryResponse,
    WorkerLimits,
    WorkerPool,
    error_response,
)
from etl.settings import ONTOLOGY_DIR

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
MAX_BODY_BYTES = MAX_QUERY_CHARS * 4  # a query of MAX_QUERY_CHARS characters, URL-encoded
QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
FORM_MEDIA = "application/x-www-form-urlencoded"
ENTITY_OFFERS = (
    ("turtle", "text/turtle"),
    ("html", "text/html"),
    ("html", "application/xhtml+xml"),
    ("ntriples", "application/n-triples"),
    ("jsonld", "application/ld+json"),
    ("rdfxml", "application/rdf+xml"),
    ("ntriples", "text/plain"),
)
PAGE_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
UPDATE_REFUSED = "SPARQL Update is refused: this endpoint is read-only"
# where clients put the result format: SPARQLWrapper sends all three, Fuseki reads
# `output`/`format`, Virtuoso `format`, Joseki and YASGUI `output`, rasqal `results`
FORMAT_PARAMETERS = ("format", "output", "results")
CORS_METHODS = ("GET", "POST", "HEAD", "OPTIONS")
CORS_HEADERS = ("Accept", "Content-Type")
CORS_EXPOSED = ("X-Result-Count", "Content-Type")


@dataclass(frozen=True)
class EndpointConfig:
    """Where the graph is and the limits every query runs under."""

    graph_dir: Path
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int | None = DEFAULT_MAX_ROWS
    workers: int = DEFAULT_WORKERS
    memory_mb: int | None = DEFAULT_MEMORY_MB
    # origins allowed to read answers from a browser (CORS); empty: no CORS headers at all
    cors_origins: tuple[str, ...] = ("*",)


DEFAULT_QUERY = """PREFIX ree: <https://w3id.org/reekg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?class (COUNT(?s) AS ?n)
WHERE { ?s a ?class }
GROUP BY ?class
ORDER BY DESC(?n)
LIMIT 25"""


@cache
def _templates() -> jinja2.Environment:
    """Jinja2 templates under etl/query/static, every value HTML-escaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("etl.query", "static"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["link"] = _link
    return env


@dataclass(frozen=True)
class SavedQuery:
    """A competency query of `ontology/queries/`: file stem, title (first comment), text."""

    name: str
    title: str
    text: str


@cache
def saved_queries(folder: Path = ONTOLOGY_DIR / "queries") -> tuple[SavedQuery, ...]:
    """The saved competency queries offered on the query page, by file name."""
    queries = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        queries.append(SavedQuery(path.stem, title, text))
    return tuple(queries)


def _query_page(query: str = DEFAULT_QUERY, **result: Any) -> str:
    """The query page with `query` in its text box and, below it, `text` (preformatted) or a
    `table` (variables and rows of N-Triples-like terms) with its row `count`. IRIs are shown
    with the ontology's prefixes and the query's own (`ree:Quota`), linked in full."""
    page = _templates().get_template("sparql.html")
    prefixes = {**ontology_prefixes(), **declared_prefixes(query)}
    saved = [{"name": q.name, "title": q.title, "text": q.text} for q in saved_queries()]
    return page.render(
        {"text": None, "table": None, "count": 0, **result},
        query=query,
        saved=saved,
        prefixes=prefixes,
    )


def _plain(response: QueryResponse) -> Response:
    """The worker's answer as it is (data, or a one-line error)."""
    return Response(
        response.body,
        status_code=response.status,
        media_type=response.media_type,
        headers={"Vary": "Accept", "X-Result-Count": str(response.count)},
    )


def _wants_html(accept: str | None) -> bool:
    """A browser asking for a page rather than data (its Accept names text/html first)."""
    if not accept or "text/html" not in accept:
        return False
    offers = [
        ("html", "text/html"),
        ("data", "application/sparql-results+json"),
        ("data", "text/turtle"),
    ]
    return negotiate(accept, offers) == "html"


def _error(status: int, message: str) -> Response:
    return _plain(error_response(status, message))


async def _run(request: Request, query_request: QueryRequest) -> QueryResponse:
    pool: WorkerPool = request.app.state.pool
    return await anyio.to_thread.run_sync(pool.execute, query_request)


class BadRequest(Exception):
    """A request the endpoint answers with `status` and a one-line message, before any query."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, f"{what} is not valid UTF-8 (byte {exc.start})") from exc


def _form(text: str, what: str) -> dict[str, list[str]]:
    """URL-encoded parameters; percent-escapes that do not decode as UTF-8 are a 400."""
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, f"{what} has percent-escapes that are not valid UTF-8") from exc


async def _read_body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it passes `MAX_BODY_BYTES` (streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest(413, f"request body is larger than {MAX_BODY_BYTES:,} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequest(413, f"request body is larger than {MAX_BODY_BYTES:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _query_params(request: Request) -> tuple[str | None, dict[str, list[str]]]:
    """The query text (None: show the query page) and the protocol parameters."""
    url_params = _form(request.url.query, "the query string")
    if request.method in ("GET", "HEAD"):
        if "update" in url_params:
            raise BadRequest(403, UPDATE_REFUSED)
        return url_params.get("query", [None])[0], url_params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == UPDATE_MEDIA:
        raise BadRequest(403, UPDATE_REFUSED)
    if content_type not in (QUERY_MEDIA, FORM_MEDIA):
        raise BadRequest(
            415,
            f"unsupported content type {content_type or '(none)'}; use {QUERY_MEDIA} "
            f"or {FORM_MEDIA}",
        )
    body = await _read_body(request)
    if content_type == QUERY_MEDIA:
        return _decode(body, "the request body"), url_params
    params = {**url_params, **_form(_decode(body, "the request body"), "the form body")}
    if "update" in params:
        raise BadRequest(403, UPDATE_REFUSED)
    if "query" not in params:
        raise BadRequest(400, "missing 'query' parameter")
    return params["query"][0], params


def _check(query: str, params: dict[str, list[str]]) -> None:
    """What the endpoint refuses before a worker sees the query: length, graph IRIs."""
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(413, f"query is longer than {MAX_QUERY_CHARS:,} characters")
    try:
        graph_iris(params.get("default-graph-uri", []), "default-graph-uri")
        graph_iris(params.get("named-graph-uri", []), "named-graph-uri")
    except QueryError as exc:
        raise BadRequest(exc.status, str(exc)) from exc


async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol query operation (GET, POST direct, POST form)."""
    try:
        query, params = await _query_params(request)
        if query is None:
            return HTMLResponse(_query_page(_saved_text(params)))
        _check(query, params)
        format_names = _format_parameters(params)
    except BadRequest as exc:
        return _error(exc.status, str(exc))
    accept = request.headers.get("accept")
    html_page = not format_names and _wants_html(accept)
    response = await _run(
        request,
        QueryRequest(
            query=query,
            accept=PAGE_ACCEPT if html_page else accept,
            format_names=format_names,
            default_graphs=tuple(params.get("default-graph-uri", [])),
            named_graphs=tuple(params.get("named-graph-uri", [])),
        ),
    )
    if html_page and response.status == 200:
        return HTMLResponse(_results_page(query, response))
    return _plain(response)


def _saved_text(params: dict[str, list[str]]) -> str:
    """The text of the saved query named by `?saved=` (the query page's list), else the
    default query."""
    name = params.get("saved", [""])[0]
    found = [q.text for q in saved_queries() if q.name == name]
    if name and not found:
        raise BadRequest(404, f"no saved query {name[:100]!r}")
    return found[0] if found else DEFAULT_QUERY


def _format_parameters(params: dict[str, list[str]]) -> tuple[str, ...]:
    """The result formats a client named in `format=`, `output=` or `results=`, in that order
    (empty: `Accept` decides). A value may be a name (`xml`, `json-ld`) or a comma-separated
    list of media types (SPARQLWrapper sends `application/ld+json,application/x-json+ld`); the
    worker answers in the first one that fits the query form."""
    names: list[str] = []
    for parameter in FORMAT_PARAMETERS:
        for value in params.get(parameter, []):
            for item in value.split(","):
                name = item.split(";")[0].strip().lower()
                if name and name not in names:
                    names.append(name)
    return tuple(names)


def _results_page(query: str, response: QueryResponse) -> str:
    """The query page with the answer below: a table for SELECT, text otherwise."""
    text = response.body.decode("utf-8", "replace")
    if response.form != "SELECT":
        return _query_page(query, text=text)
    data = json.loads(text)
    variables = data["head"]["vars"]
    rows = [[_nt(b[v]) if v in b else "" for v in variables] for b in data["results"]["bindings"]]
    table = {"variables": variables, "rows": rows}
    return _query_page(query, table=table, count=response.count)


def _nt(term: dict[str, str]) -> str:
    """A SPARQL JSON term in the N-Triples-like form `_link` shows."""
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return term["value"]


async def entity(request: Request) -> Response:
    """Describe `https://w3id.org/reekg/id/{kind}/{id}`: HTML for browsers, RDF by Accept."""
    kind, ident = request.path_params["kind"], request.path_params["ident"]
    iri = f"{ID_BASE}{kind}/{ident}"
    choice = request.query_params.get("format") or negotiate(
        request.headers.get("accept"), ENTITY_OFFERS
    )
    if choice is None:
        types = ", ".join(dict.fromkeys(m for _, m in ENTITY_OFFERS))
        return _error(406, f"none of the accepted types is offered; offered: {types}")
    response = await _run(
        request,
        QueryRequest(describe_iri=iri, format_name="turtle" if choice == "html" else choice),
    )
    if response.status == 200 and response.count == 0:
        return _error(404, f"{iri}: no such entity in the published graph")
    if choice != "html" or response.status != 200:
        return _plain(response)
    return HTMLResponse(_entity_page(iri, response), headers={"Vary": "Accept"})


LINK_SCHEMES = ("http://", "https://")


def _link(term: str, prefixes: dict[str, str] | None = None) -> Markup:
    """An N-Triples term as HTML; reekg IRIs link to this server's /id/ pages, other http(s)
    IRIs to themselves, and IRIs of any other scheme (`javascript:`, `data:`) are plain text.
    With `prefixes` the link text is the abbreviated IRI (`ree:Quota`), the full IRI its title."""
    if term.startswith("<") and term.endswith(">"):
        iri = term[1:-1]
        if not iri.lower().startswith(LINK_SCHEMES):
            return escape(iri)
        href = "/id/" + iri[len(ID_BASE) :] if iri.startswith(ID_BASE) else iri
        shown = abbreviate(iri, prefixes) if prefixes is not None else iri
        return Markup('<a href="{}" title="{}">{}</a>').format(href, iri, shown)
    return escape(term)


def _entity_page(iri: str, response: QueryResponse) -> str:
    subject = f"<{iri}>"
    triples = sorted(response.triples)
    return (
        _templates()
        .get_template("entity.html")
        .render(
            iri=iri,
            alternates=("turtle", "ntriples", "jsonld"),
            outgoing=[(p, o) for s, p, o in triples if s == subject],
            incoming=[(s, p) for s, p, o in triples if o == subject and s != subject],
        )
    )


async def void(request: Request) -> Response:
    """The current release's VoID/DCAT description."""
    config: EndpointConfig = request.app.state.config
    try:
        path = current_release(config.graph_dir) / "void.ttl"
    except GraphNotPublishedError as exc:
        return _error(503, str(exc))
    if not path.is_file():
        return _error(404, "this release has no void.ttl")
    return Response(path.read_bytes(), media_type="text/turtle; charset=utf-8")


async def health(request: Request) -> Response:
    """Release id and triple count from the manifest; 503 when nothing is published."""
    config: EndpointConfig = request.app.state.config
    try:
        manifest = read_manifest(config.graph_dir)
    except GraphNotPublishedError as exc:
        return JSONResponse({"status": "no graph", "detail": str(exc)}, status_code=503)
    return JSONResponse(
        {
            "status": "ok",
            "release": manifest.get("release_id"),
            "triples": manifest.get("triples", manifest.get("total_triples")),
        }
    )


async def root(request: Request) -> Response:
    return RedirectResponse("/sparql")


def create_app(config: EndpointConfig) -> Starlette:
    """The endpoint as an ASGI app; worker processes start with the app and stop with it."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        memory = None if config.memory_mb is None else config.memory_mb * 2**20
        limits = WorkerLimits(max_rows=config.max_rows, memory_bytes=memory)
        app.state.pool = WorkerPool(config.graph_dir, config.workers, config.timeout, limits)
        try:
            yield
        finally:
            app.state.pool.close()

    app = Starlette(
        routes=[
            Route("/", root),
            Route("/sparql", sparql, methods=["GET", "HEAD", "POST"]),
            Route("/id/{kind}/{ident:path}", entity),
            Route("/void", void),
            Route("/health", health),
        ],
        lifespan=lifespan,
        middleware=_cors(config.cors_origins),
    )
    app.state.config = config
    return app


def _cors(origins: tuple[str, ...]) -> list[Middleware]:
    """CORS for a read-only endpoint: any page may query it with GET/POST (no credentials);
    preflight `OPTIONS` requests are answered. No origins: no CORS headers."""
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=list(CORS_METHODS),
            allow_headers=list(CORS_HEADERS),
            expose_headers=list(CORS_EXPOSED),
            allow_credentials=False,
            max_age=86_400,
        )
    ]


def serve(config: EndpointConfig, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run the endpoint with uvicorn until interrupted."""
    import uvicorn

    from etl.query.netguard import block_network_process_wide

    # resolve a host name now: once the guard is on, this process makes no DNS lookups
    try:
        found = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    address = str(found[0][4][0])
    block_network_process_wide()
    uvicorn.run(create_app(config), host=address, port=port, log_level="info", access_log=False)
