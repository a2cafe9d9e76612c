"""Test data: SERVICE smuggling forms, each aimed at a listener on 127.0.0.1.

`corpus(url)` gives (name, query) pairs. Every form either contains a SERVICE call that
Oxigraph would make (unsandboxed) or is text that no parser should read as a plain query.
The shapes are the ones a keyword scan or a second parser can be fooled by: SPARQL 1.2 syntax
that rdflib does not know (TRIPLE(), LATERAL, directional language tags), `#` hidden in
prefixed-name escapes and long strings, comments between tokens, Unicode escapes, nesting,
SILENT and variables.
"""

from __future__ import annotations

PREFIX = "PREFIX ex: <http://example.org/>\n"

# something before the SERVICE that a naive scanner or rdflib stumbles over
LEADS = {
    "plain": "",
    "triple-term": "BIND(TRIPLE(<urn:a>, <urn:b>, <urn:c>) AS ?t) ",
    "directional-tag": 'BIND("a"@en--ltr AS ?d) ',
    "pname-escape-hash": "?s ex:x\\# ?o . ",
    "long-string-hash": '?s ?p """a # b""" . ',
    "long-single-string-hash": "?s ?p '''a # b''' . ",
    "string-hash": '?s ?p "a # b" . ',
    "less-than-comment": "FILTER(?a<1)",
    "comment-line": "# a comment } {\n",
    "iri-with-hash": "?s <urn:x#y> ?o . ",
}

# how the SERVICE keyword and its target are written
CALLS = {
    "iri": "SERVICE <{url}> {{ ?s1 ?p1 ?o1 }}",
    "silent": "SERVICE SILENT <{url}> {{ ?s1 ?p1 ?o1 }}",
    "lower": "service <{url}> {{ ?s1 ?p1 ?o1 }}",
    "mixed-case": "SeRvIcE silent <{url}> {{ ?s1 ?p1 ?o1 }}",
    "no-space": "SERVICE<{url}>{{?s1 ?p1 ?o1}}",
    "comment-between": "SERVICE#x\n<{url}>#y\n{{ ?s1 ?p1 ?o1 }}",
    "variable": "VALUES ?svc {{ <{url}> }} SERVICE ?svc {{ ?s1 ?p1 ?o1 }}",
    "variable-hidden": "VALUES ?svc {{ <{url}> }} SERVICE?svc#>\n{{ ?s1 ?p1 ?o1 }}",
    "prefixed": "SERVICE ex2:sparql {{ ?s1 ?p1 ?o1 }}",
}

# where the call sits in the query
PLACES = {
    "top": "SELECT * {{ {lead}{call} }}",
    "optional": "SELECT * {{ {lead}OPTIONAL {{ {call} }} }}",
    "union": "SELECT * {{ {{ {lead} }} UNION {{ {call} }} }}",
    "subquery": "SELECT * {{ {lead}{{ SELECT * {{ {call} }} }} }}",
    "lateral": "SELECT * {{ {lead}LATERAL {{ SELECT * {{ {call} }} }} }}",
    "exists": "SELECT * {{ {lead}FILTER EXISTS {{ {call} }} }}",
    "ask": "ASK {{ {lead}{call} }}",
    "construct": "CONSTRUCT {{ ?s1 ?p1 ?o1 }} WHERE {{ {lead}{call} }}",
}


def corpus(url: str) -> list[tuple[str, str]]:
    """The smuggling forms for a listener at `url` (http://127.0.0.1:PORT/sparql)."""
    base = url.rsplit("/", 1)[0] + "/"
    head = PREFIX + f"PREFIX ex2: <{base}>\n"
    forms: list[tuple[str, str]] = []
    for lead_name, lead in LEADS.items():
        for call_name, call in CALLS.items():
            text = call.format(url=url)
            places = (
                PLACES
                if lead_name in ("plain", "triple-term", "pname-escape-hash")
                else {"top": PLACES["top"]}
            )
            for place_name, place in places.items():
                query = head + place.format(lead=lead, call=text)
                forms.append((f"{lead_name}/{call_name}/{place_name}", query))
    escaped = "\\u0053ERVICE"
    forms += [
        ("unicode-keyword", head + f"SELECT * {{ {escaped} <{url}> {{ ?s ?p ?o }} }}"),
        (
            "unicode-keyword-silent",
            head + f"SELECT * {{ {escaped} SILENT <{url}> {{ ?s ?p ?o }} }}",
        ),
        ("unicode-iri", head + f"SELECT * {{ SERVICE <\\u0068ttp{url[4:]}> {{ ?s ?p ?o }} }}"),
        (
            "unicode-long-u",
            head + f"SELECT * {{ SERVICE <\\U00000068ttp{url[4:]}> {{ ?s ?p ?o }} }}",
        ),
        (
            "nested-service",
            head + f"SELECT * {{ SERVICE <{url}> {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}",
        ),
        ("relative-iri", f"BASE <{base}>\nSELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}"),
        (
            "relative-iri-silent",
            f"BASE <{base}>\nSELECT * {{ SERVICE SILENT <./sparql> {{ ?s ?p ?o }} }}",
        ),
        (
            "graph-then-service",
            head + f"SELECT * {{ GRAPH ?g {{ ?s ?p ?o }} SERVICE SILENT <{url}> {{ ?a ?b ?c }} }}",
        ),
        (
            "minus",
            head + f"SELECT * {{ ?s ?p ?o MINUS {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}",
        ),
        ("describe-where", head + f"DESCRIBE ?s WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}"),
        (
            "bind-iri-service",
            head + f'SELECT * {{ BIND(IRI("{url}") AS ?u) SERVICE SILENT ?u {{ ?s ?p ?o }} }}',
        ),
        (
            "concat-iri-service",
            head + 'SELECT * { BIND(IRI(CONCAT("http://127.0.0.1:", '
            f'"{url.split(":")[2]}")) AS ?u) SERVICE SILENT ?u {{ ?s ?p ?o }} }}',
        ),
        ("tabs-and-crlf", head + f"SELECT *\r\n{{\tSERVICE\r\n\tSILENT\t<{url}>\r\n{{?s ?p ?o}}}}"),
        ("bom-prefix", "\ufeff" + head + f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"),
        (
            "update-then-service",
            f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        ),
        ("load-url", f"LOAD <{url}>"),
        ("load-silent-into", f"LOAD SILENT <{url}> INTO GRAPH <urn:g>"),
    ]
    return forms
