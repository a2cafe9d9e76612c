"""The SPARQL 1.1 Protocol side of the endpoint: reading a request into a query and its
parameters (GET, POST direct, POST form), refusals before any query runs, format choice."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request

from etl.query.formats import negotiate
from etl.query.sparql import MAX_QUERY_CHARS, QueryError, graph_iris

MAX_BODY_BYTES = MAX_QUERY_CHARS * 4  # a query of MAX_QUERY_CHARS characters, URL-encoded
QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
FORM_MEDIA = "application/x-www-form-urlencoded"
UPDATE_REFUSED = "SPARQL Update is refused: this endpoint is read-only"
# where clients put the result format: SPARQLWrapper sends all three, Fuseki reads
# `output`/`format`, Virtuoso `format`, Joseki and YASGUI `output`, rasqal `results`
FORMAT_PARAMETERS = ("format", "output", "results")


def wants_html(accept: str | None) -> bool:
    """A browser asking for a page rather than data (its Accept names text/html first)."""
    if not accept or "text/html" not in accept:
        return False
    offers = [
        ("html", "text/html"),
        ("data", "application/sparql-results+json"),
        ("data", "text/turtle"),
    ]
    return negotiate(accept, offers) == "html"


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


async def query_params(request: Request) -> tuple[str | None, dict[str, list[str]]]:
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


def check_query(query: str, params: dict[str, list[str]]) -> None:
    """What the endpoint refuses before a worker sees the query: length, graph IRIs."""
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(413, f"query is longer than {MAX_QUERY_CHARS:,} characters")
    try:
        graph_iris(params.get("default-graph-uri", []), "default-graph-uri")
        graph_iris(params.get("named-graph-uri", []), "named-graph-uri")
    except QueryError as exc:
        raise BadRequest(exc.status, str(exc)) from exc


def format_parameters(params: dict[str, list[str]]) -> tuple[str, ...]:
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
