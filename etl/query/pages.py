"""The endpoint's HTML: the query page (with saved queries and results) and entity pages.

Jinja2 templates under etl/query/static, every value HTML-escaped; IRIs shown with prefixes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from etl.query.prefixes import abbreviate, declared_prefixes, ontology_prefixes
from etl.query.protocol import BadRequest
from etl.query.sparql import ID_BASE
from etl.query.worker import QueryResponse
from etl.settings import ONTOLOGY_DIR

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


def query_page(query: str = DEFAULT_QUERY, **result: Any) -> str:
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


def saved_text(params: dict[str, list[str]]) -> str:
    """The text of the saved query named by `?saved=` (the query page's list), else the
    default query."""
    name = params.get("saved", [""])[0]
    found = [q.text for q in saved_queries() if q.name == name]
    if name and not found:
        raise BadRequest(404, f"no saved query {name[:100]!r}")
    return found[0] if found else DEFAULT_QUERY


def results_page(query: str, response: QueryResponse) -> str:
    """The query page with the answer below: a table for SELECT, text otherwise."""
    text = response.body.decode("utf-8", "replace")
    if response.form != "SELECT":
        return query_page(query, text=text)
    data = json.loads(text)
    variables = data["head"]["vars"]
    rows = [[_nt(b[v]) if v in b else "" for v in variables] for b in data["results"]["bindings"]]
    table = {"variables": variables, "rows": rows}
    return query_page(query, table=table, count=response.count)


def _nt(term: dict[str, str]) -> str:
    """A SPARQL JSON term in the N-Triples-like form `_link` shows."""
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return term["value"]


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


def entity_page(iri: str, response: QueryResponse) -> str:
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
