"""SPARQL result formats and content negotiation: which serialization a client gets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from etl.query.sparql import Form, NotAcceptable


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
