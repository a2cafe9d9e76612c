"""The ontology's namespace prefixes, for showing IRIs short (`ree:Quota`, `id:org/...`).

Read from the `@prefix` lines of `ontology/reekg.ttl` (no RDF parser needed, so the command
line stays fast), plus `id:` and `graph:` for reekg's entity and named-graph IRIs. Display
only: a shortened IRI such as `id:org/china-rare-earth-group` is not valid Turtle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from etl.settings import ONTOLOGY_DIR

ID_BASE = "https://w3id.org/reekg/id/"
GRAPH_BASE = "https://w3id.org/reekg/graph/"
PREFIX_LINE = re.compile(r"^\s*@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]+)>\s*\.", re.M)


@cache
def ontology_prefixes(path: Path = ONTOLOGY_DIR / "reekg.ttl") -> dict[str, str]:
    """Prefix -> namespace of the ontology file, plus `id` and `graph`."""
    text = path.read_text(encoding="utf-8")
    found = {name: iri for name, iri in PREFIX_LINE.findall(text) if name}
    return {**found, "id": ID_BASE, "graph": GRAPH_BASE}


def abbreviate(iri: str, prefixes: Mapping[str, str] | None = None) -> str:
    """`iri` as `prefix:local` under the longest matching namespace, else unchanged."""
    best = ""
    name = None
    for prefix, namespace in (prefixes if prefixes is not None else ontology_prefixes()).items():
        if iri.startswith(namespace) and len(namespace) > len(best) and len(iri) > len(namespace):
            best, name = namespace, prefix
    return iri if name is None else f"{name}:{iri[len(best) :]}"


def declared_prefixes(query: str) -> dict[str, str]:
    """`PREFIX p: <iri>` declarations of a SPARQL query text."""
    pattern = r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>"
    return {name: iri for name, iri in re.findall(pattern, query, flags=re.I) if name}
