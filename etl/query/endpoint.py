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
namespace) and run under a memory ceiling. Bodies are read streamed and cut off at the limit
(`etl.query.protocol`); the HTML pages are `etl.query.pages`.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
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
from etl.query.formats import negotiate
from etl.query.limits import DEFAULT_MAX_ROWS, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, DEFAULT_WORKERS
from etl.query.pages import entity_page, query_page, results_page, saved_text
from etl.query.protocol import BadRequest, check_query, format_parameters, query_params, wants_html
from etl.query.sparql import ID_BASE
from etl.query.worker import (
    QueryRequest,
    QueryResponse,
    WorkerLimits,
    WorkerPool,
    error_response,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
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


def _plain(response: QueryResponse) -> Response:
    """The worker's answer as it is (data, or a one-line error)."""
    return Response(
        response.body,
        status_code=response.status,
        media_type=response.media_type,
        headers={"Vary": "Accept", "X-Result-Count": str(response.count)},
    )


def _error(status: int, message: str) -> Response:
    return _plain(error_response(status, message))


async def _run(request: Request, query_request: QueryRequest) -> QueryResponse:
    pool: WorkerPool = request.app.state.pool
    return await anyio.to_thread.run_sync(pool.execute, query_request)


async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol query operation (GET, POST direct, POST form)."""
    try:
        query, params = await query_params(request)
        if query is None:
            return HTMLResponse(query_page(saved_text(params)))
        check_query(query, params)
        format_names = format_parameters(params)
    except BadRequest as exc:
        return _error(exc.status, str(exc))
    accept = request.headers.get("accept")
    html_page = not format_names and wants_html(accept)
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
        return HTMLResponse(results_page(query, response))
    return _plain(response)


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
    return HTMLResponse(entity_page(iri, response), headers={"Vary": "Accept"})


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
