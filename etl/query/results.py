"""Writing a SPARQL answer: JSON, XML, CSV and TSV results, RDF for CONSTRUCT and DESCRIBE.

The result writers are ours rather than `QuerySolutions.serialize`: an `Answer` is already
evaluated under the row cap, in the `SELECT *` variable order of the query text, and pyoxigraph
can only serialize a live, unconsumed `QuerySolutions` (which it cannot build from rows).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from etl.query.formats import OutputFormat
from etl.query.sparql import PREFIXES, Answer, Term


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
