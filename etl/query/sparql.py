"""Read-only SPARQL over the published graph: inspect, evaluate, serialize.

Shared by the command line and the endpoint, both of which evaluate in sandboxed worker
processes (`etl.query.worker`). A query is inspected before Oxigraph sees it: updates (INSERT,
DELETE, LOAD, CLEAR, ...) and federated queries (SERVICE) are refused. Inspection uses rdflib's
SPARQL parser with the network guard on, and fails closed: text rdflib cannot parse is refused
(400), never guessed at. Where the two parsers could still disagree, the worker's OS-level
network block is what stops a SERVICE call (see `etl.query.netguard`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from etl.query.netguard import no_network

Form = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

MAX_QUERY_CHARS = 100_000
ID_BASE = "https://w3id.org/reekg/id/"
PREFIXES = {
    "ree": "https://w3id.org/reekg/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
}
QUERY_FORMS: dict[str, Form] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


MAX_MESSAGE_CHARS = 200


def _syntax_message(exc: BaseException) -> str:
    """Oxigraph's syntax error on one line, its long list of expected tokens shortened."""
    text = " ".join(str(exc).split())
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 3].rstrip() + "..."
    return f"SPARQL syntax error: {text}"


class QueryError(Exception):
    """A query the service will not answer; `status` is the HTTP status to report."""

    status = 400


class QuerySyntaxError(QueryError):
    """The text is not a valid SPARQL query."""


class QueryRefused(QueryError):
    """A read-only policy refusal: update, LOAD or SERVICE."""

    status = 403


class QueryTooLarge(QueryError):
    """The query text is longer than the service reads."""

    status = 413


class ResultTooLarge(QueryError):
    """More results than the configured limit."""

    status = 422


class NotAcceptable(QueryError):
    """No result format the client accepts."""

    status = 406


@dataclass(frozen=True)
class OutputFormat:
    """A result serialization: short name, media type, and the Oxigraph format if it has one."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    rdf_format: ox.RdfFormat | None = None


RESULT_FORMATS = (
    OutputFormat("json", "application/sparql-results+json", ("application/json",)),
    OutputFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
    OutputFormat("csv", "text/csv"),
    OutputFormat("tsv", "text/tab-separated-values"),
)
GRAPH_FORMATS = (
    OutputFormat("turtle", "text/turtle", ("application/x-turtle",), ox.RdfFormat.TURTLE),
    OutputFormat("ntriples", "application/n-triples", ("text/plain",), ox.RdfFormat.N_TRIPLES),
    OutputFormat(
        "jsonld",
        "application/ld+json",
        ("application/json", "application/x-json+ld"),
        ox.RdfFormat.JSON_LD,
    ),
    OutputFormat("rdfxml", "application/rdf+xml", ("application/xml",), ox.RdfFormat.RDF_XML),
    # Turtle is N3 without N3's extensions, so a Turtle document is a valid N3 answer
    OutputFormat("n3", "text/n3", ("text/rdf+n3", "application/n3"), ox.RdfFormat.TURTLE),
)
# Names that clients send in `format=`, `output=` or `results=` (SPARQLWrapper sends its return
# format in all three; Fuseki reads `output`/`format`, Virtuoso `format`, YASGUI and Joseki
# `output`), mapped to (format for SELECT/ASK, format for CONSTRUCT/DESCRIBE).
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "srj": ("json", None),
    "xml": ("xml", "rdfxml"),
    "srx": ("xml", None),
    "sparql": ("xml", None),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "n3": (None, "n3"),
    "nt": (None, "ntriples"),
    "ntriples": (None, "ntriples"),
    "n-triples": (None, "ntriples"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdf": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
}


def formats_for(form: Form) -> tuple[OutputFormat, ...]:
    """Serializations that fit a query form (the first is the default)."""
    return RESULT_FORMATS if form in ("SELECT", "ASK") else GRAPH_FORMATS


def format_by_name(form: Form, name: str) -> OutputFormat:
    """The format called `name` (a client's name from `FORMAT_NAMES`, or a media type) for
    `form`, else `NotAcceptable`."""
    key = name.strip().lower()
    select, graph = FORMAT_NAMES.get(key, (None, None))
    key = (select if form in ("SELECT", "ASK") else graph) or key
    for fmt in formats_for(form):
        if key in (fmt.name, fmt.media_type, *fmt.aliases):
            return fmt
    names = ", ".join(f.name for f in formats_for(form))
    raise NotAcceptable(f"format {name!r} does not fit a {form} query; use one of {names}")


def parse_accept(header: str) -> list[tuple[str, float]]:
    """Media ranges of an `Accept` header with their q-values."""
    ranges = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def negotiate(accept: str | None, offers: Sequence[tuple[str, str]]) -> str | None:
    """Pick the key of the best `(key, media_type)` offer for `accept`; server order breaks ties.

    Returns None when the header accepts none of the offers.
    """
    if not accept or not accept.strip():
        return offers[0][0]
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, (key, media) in enumerate(offers):
        main = media.split("/")[0]
        score: tuple[float, int] | None = None
        for rng, q in ranges:
            specificity = (
                2 if rng == media else 1 if rng == f"{main}/*" else 0 if rng == "*/*" else -1
            )
            if specificity >= 0 and (score is None or specificity > score[1]):
                score = (q, specificity)
        if score is None or score[0] <= 0:
            continue
        rank = (score[0], score[1], -order)
        if best is None or rank > best:
            best, chosen = rank, key
    return chosen


def choose_format(form: Form, accept: str | None) -> OutputFormat:
    """The format for `form` that the `Accept` header prefers (default: JSON or Turtle)."""
    offers = [(f.name, f.media_type) for f in formats_for(form)]
    offers += [(f.name, alias) for f in formats_for(form) for alias in f.aliases]
    name = negotiate(accept, offers)
    if name is None:
        types = ", ".join(f.media_type for f in formats_for(form))
        raise NotAcceptable(f"none of the accepted types fit a {form} query; offered: {types}")
    return format_by_name(form, name)


# --- inspection -------------------------------------------------------------------------


def _walk_names(node: Any, names: set[str]) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        names.add(node.name)
        for value in node.values():
            _walk_names(value, names)
    elif isinstance(node, list | tuple) or (
        hasattr(node, "__iter__") and not isinstance(node, str | bytes | dict)
    ):
        for value in node:
            _walk_names(value, names)


INSPECTED_CACHE = 256
SERVICE_REFUSED = "federated queries (SERVICE) are refused: reekg never fetches remote data"


def inspect_query(text: str) -> Form:
    """The form of a read-only query; `QueryRefused` for updates and SERVICE, `QueryTooLarge`
    for overlong text, `QuerySyntaxError` for anything rdflib's parser cannot read.

    Accepted texts are remembered (rdflib's parser takes ~0.5 s on a query the size of
    ontology/queries/q3, five times what Oxigraph needs to answer it); refusals are not."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooLarge(f"query is longer than {MAX_QUERY_CHARS:,} characters")
    if not text.strip():
        raise QuerySyntaxError("empty query")
    return _inspect(text)[0]


def star_variable_order(text: str, variables: Sequence[str]) -> tuple[str, ...]:
    """`variables` in the order they first appear in the query when it is `SELECT *` (Oxigraph
    sorts them by name), else unchanged; the text must have passed `inspect_query`."""
    if not _inspect(text)[1]:
        return tuple(variables)
    first: dict[str, int] = {}
    for match in VARIABLE.finditer(text):
        first.setdefault(match.group(1), match.start())
    return tuple(sorted(variables, key=lambda v: first.get(v, len(text))))


VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)")


@lru_cache(maxsize=INSPECTED_CACHE)
def _inspect(text: str) -> tuple[Form, bool]:
    """The query form, and whether it is `SELECT *`."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    with no_network():
        try:
            parsed = parseQuery(text)
        except ParseBaseException as exc:
            parsed, query_error = None, exc
        except RecursionError as exc:
            raise QueryRefused("query is nested too deeply to check: refused") from exc
        if parsed is not None:
            names: set[str] = set()
            try:
                _walk_names(parsed, names)
            except RecursionError as exc:
                raise QueryRefused("query is nested too deeply to check: refused") from exc
            if "ServiceGraphPattern" in names:
                raise QueryRefused(SERVICE_REFUSED)
            form = QUERY_FORMS[parsed[1].name]
            return form, form == "SELECT" and "projection" not in parsed[1]
        try:
            update = parseUpdate(text)
        except (ParseBaseException, RecursionError):
            update = None
    if update is not None:
        ops = sorted({op.name.upper().replace("DATA", " DATA") for op in update.request})
        raise QueryRefused(
            f"SPARQL Update ({', '.join(ops) or 'empty'}) is refused: this service is read-only"
        )
    raise QuerySyntaxError(
        _syntax_message(query_error)
        + " (only SPARQL 1.1 query syntax that the endpoint's checker can read is accepted)"
    )


def graph_iris(values: Sequence[str], parameter: str) -> list[ox.NamedNode]:
    """`default-graph-uri` / `named-graph-uri` values as IRIs; `QuerySyntaxError` if invalid."""
    iris = []
    for value in values:
        try:
            iris.append(ox.NamedNode(value))
        except ValueError as exc:
            raise QuerySyntaxError(f"{parameter} {value[:200]!r} is not a valid IRI") from exc
    return iris


# --- evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A query's answer: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    form: Form
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = field(default=())

    @property
    def size(self) -> int:
        """Rows, triples, or 1 for a boolean."""
        if self.form == "SELECT":
            return len(self.rows)
        return 1 if self.form == "ASK" else len(self.triples)


def evaluate(
    store: ox.Store,
    text: str,
    *,
    max_rows: int | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    union_default_graph: bool = True,
) -> Answer:
    """Inspect and run `text`; `ResultTooLarge` when more than `max_rows` rows or triples."""
    form = inspect_query(text)
    options: dict[str, Any] = {}
    if default_graphs:
        options["default_graph"] = graph_iris(default_graphs, "default-graph-uri")
    elif union_default_graph:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = graph_iris(named_graphs, "named-graph-uri")
    try:
        with no_network():
            result = store.query(text, **options)
            if isinstance(result, ox.QueryBoolean):
                return Answer(form="ASK", boolean=bool(result))
            if isinstance(result, ox.QuerySolutions):
                names = star_variable_order(text, [v.value for v in result.variables])
                rows = tuple(
                    tuple(sol[name] for name in names) for sol in _bounded(result, max_rows, "rows")
                )
                return Answer(form="SELECT", variables=names, rows=rows)
            triples = tuple(_bounded(result, max_rows, "triples"))
            return Answer(form=form, triples=triples)
    except SyntaxError as exc:
        raise QuerySyntaxError(_syntax_message(exc)) from exc
    except ValueError as exc:
        raise QuerySyntaxError(_syntax_message(exc)) from exc


def _bounded(items: Iterable[Any], limit: int | None, what: str) -> Iterable[Any]:
    for count, item in enumerate(items, start=1):
        if limit is not None and count > limit:
            raise ResultTooLarge(
                f"result has more than {limit} {what} (the limit); add LIMIT or raise --max-rows"
            )
        yield item


# --- serialization ------------------------------------------------------------------------


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != PREFIXES["xsd"] + "string":
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        parts = zip(("subject", "predicate", "object"), term, strict=True)
        return "<triple>" + "".join(f"<{k}>{_xml_term(v)}</{k}>" for k, v in parts) + "</triple>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != PREFIXES["xsd"] + "string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def plain_value(term: Term | None) -> str:
    """A term as CSV shows it: IRIs and lexical forms bare, blank nodes as `_:id`."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode | ox.Triple):
        return str(term)
    return term.value


def serialize(answer: Answer, fmt: OutputFormat) -> bytes:
    """The answer in `fmt` (which must be one of `formats_for(answer.form)`)."""
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        assert fmt.rdf_format is not None
        prefixes = PREFIXES if fmt.rdf_format == ox.RdfFormat.TURTLE else None
        return ox.serialize(list(answer.triples), format=fmt.rdf_format, prefixes=prefixes) or b""
    if fmt.name == "json":
        head: dict[str, Any] = {"vars": list(answer.variables)} if answer.form == "SELECT" else {}
        if answer.form == "ASK":
            return json.dumps({"head": head, "boolean": answer.boolean}).encode()
        bindings = [
            {v: _json_term(t) for v, t in zip(answer.variables, row, strict=True) if t is not None}
            for row in answer.rows
        ]
        return json.dumps({"head": head, "results": {"bindings": bindings}}).encode()
    if fmt.name == "xml":
        ns = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        if answer.form == "ASK":
            return f"{ns}<head/><boolean>{str(answer.boolean).lower()}</boolean></sparql>".encode()
        head_xml = "".join(f"<variable name={quoteattr(v)}/>" for v in answer.variables)
        results = "".join(
            "<result>"
            + "".join(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(answer.variables, row, strict=True)
                if t is not None
            )
            + "</result>"
            for row in answer.rows
        )
        return f"{ns}<head>{head_xml}</head><results>{results}</results></sparql>".encode()
    if answer.form == "ASK":
        return str(answer.boolean).lower().encode()  # as Oxigraph writes ASK in CSV/TSV
    buffer = io.StringIO()
    if fmt.name == "csv":
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(answer.variables)
        writer.writerows([plain_value(t) for t in row] for row in answer.rows)
    else:
        buffer.write("\t".join(f"?{v}" for v in answer.variables) + "\n")
        for row in answer.rows:
            buffer.write("\t".join("" if t is None else str(t) for t in row) + "\n")
    return buffer.getvalue().encode()


def describe_entity(store: ox.Store, iri: str, max_rows: int | None = None) -> Answer:
    """Triples about `iri` in any graph: where it is subject, and where it is object."""
    query = "CONSTRUCT { ?e ?p ?o . ?s ?q ?e } WHERE { { ?e ?p ?o } UNION { ?s ?q ?e } }"
    try:
        result = store.query(
            query,
            use_default_graph_as_union=True,
            substitutions={ox.Variable("e"): ox.NamedNode(iri)},
        )
    except ValueError as exc:
        raise QuerySyntaxError(f"not a valid IRI: {iri}") from exc
    assert isinstance(result, ox.QueryTriples)
    return Answer(form="CONSTRUCT", triples=tuple(_bounded(result, max_rows, "triples")))
