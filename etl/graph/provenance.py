"""The provenance graph of a release: the run, the files it read, what each graph derives from."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import PROV

from etl.graph.models import GRAPH_ONTOLOGY, GRAPH_PROVENANCE
from etl.graph.nquads import GenerationStats
from etl.graph.vocab import ONTOLOGY_FILE, REE, entity, graph
from etl.settings import BUNDLE_ROOT

HASH_LIMIT_BYTES = 256 * 1024 * 1024


def shown_path(path: str) -> str:
    """A path as provenance shows it: relative to the project when inside it."""
    p = Path(path)
    if p.is_absolute() and p.is_relative_to(BUNDLE_ROOT):
        return str(p.relative_to(BUNDLE_ROOT))
    return str(p)


def file_iri(path: str) -> URIRef:
    """`id/file/{path}` with the path as `shown_path` gives it, percent-encoded."""
    return entity("file", quote(shown_path(path), safe="-._~"))


def resolve_files(stats: GenerationStats, data_dir: Path | None) -> None:
    """Make `source_file` values absolute where they name a file of the data folder."""
    if data_dir is None:
        return
    for name, paths in stats.files_by_graph.items():
        resolved = set()
        for path in paths:
            candidate = Path(data_dir) / path
            keep = not Path(path).is_absolute() and candidate.is_file()
            resolved.add(str(candidate) if keep else path)
        stats.files_by_graph[name] = resolved


def file_triples(path: str) -> list[tuple[Any, Any, Any]]:
    """A data file as a ree:DataFile, with its checksum when it is small enough to hash."""
    iri = file_iri(path)
    p = Path(path)
    shown = shown_path(path)
    out: list[tuple[Any, Any, Any]] = [
        (iri, RDF.type, REE.DataFile),
        (iri, REE.path, Literal(shown)),
    ]
    if p.is_file() and p.stat().st_size <= HASH_LIMIT_BYTES:
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        out.append((iri, REE.sha256, Literal(digest)))
    return out


def timestamp(moment: datetime) -> Literal:
    """xsd:dateTime in the canonical UTC form Oxigraph writes back."""
    return Literal(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)


def provenance_triples(
    release_id: str,
    started: datetime,
    ended: datetime,
    stats: GenerationStats,
    warehouse_path: str | None,
    run_label: str,
) -> list[tuple[Any, Any, Any]]:
    """The run that built this release: when, from which files, and what each graph derives from."""
    run = entity("run", release_id)
    triples: list[tuple[Any, Any, Any]] = [
        (run, RDF.type, REE.IngestionRun),
        (run, RDFS.label, Literal(run_label)),
        (run, PROV.startedAtTime, timestamp(started)),
        (run, PROV.endedAtTime, timestamp(ended)),
    ]
    files: set[str] = {str(ONTOLOGY_FILE)}
    if warehouse_path:
        files.add(warehouse_path)
    for used in stats.files_by_graph.values():
        files.update(used)
    for path in sorted(files):
        triples.extend(file_triples(path))
        triples.append((run, PROV.used, file_iri(path)))
    graph_sources = dict(stats.sources_by_graph)
    names = sorted({*stats.lines_by_graph, GRAPH_ONTOLOGY, GRAPH_PROVENANCE})
    for name in names:
        g = graph(name)
        triples += [
            (g, RDF.type, PROV.Entity),
            (g, PROV.wasGeneratedBy, run),
            (g, PROV.generatedAtTime, timestamp(ended)),
        ]
        for source_id in sorted(graph_sources.get(name, ())):
            triples.append(
                (g, PROV.wasDerivedFrom, entity("source", quote(source_id, safe="-._~")))
            )
        for path in sorted(stats.files_by_graph.get(name, ())):
            triples.append((g, PROV.wasDerivedFrom, file_iri(path)))
        if warehouse_path and name not in (GRAPH_ONTOLOGY, GRAPH_PROVENANCE):
            triples.append((g, PROV.wasDerivedFrom, file_iri(warehouse_path)))
    triples.append((graph(GRAPH_ONTOLOGY), PROV.wasDerivedFrom, file_iri(str(ONTOLOGY_FILE))))
    return triples
