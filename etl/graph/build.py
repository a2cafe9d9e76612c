"""Build one graph release folder from the warehouse's core tables.

Steps (each in bulk, none holding the graph as Python objects):
1. stream every mapped table out of DuckDB in Arrow batches, render N-Quads with Polars
   expressions (`mapping.quad_lines`) and append them to `dataset.nq`;
2. add the ontology graph and the provenance graph (the run, its files and sources);
3. bulk-load `dataset.nq` into a new Oxigraph store, count triples and classes per graph;
4. dump one Turtle file per named graph from the store, write `void.ttl` and `manifest.json`;
5. rename the temporary folder to `releases/<release_id>` (a reader never sees half a release).

A table that does not exist yet (e.g. trade before the trade assets ran) is skipped with a log
line, so the graph can be built at every stage of the pipeline.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import duckdb
import polars as pl
import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, VOID

from etl.core.warehouse import load_sql
from etl.graph import store as published
from etl.graph.mapping import TableMapping, quad_lines
from etl.graph.models import (
    DATA_SETS,
    GRAPH_ONTOLOGY,
    GRAPH_PROVENANCE,
    MAPPINGS,
    SQL_DIR,
    dataset_iri,
)
from etl.graph.terms import escape_text
from etl.graph.vocab import (
    ONTOLOGY_FILE,
    ONTOLOGY_IRI,
    PREFIXES,
    QB,
    REE,
    TURTLE_PREFIXES,
    entity,
    graph,
)
from etl.settings import BUNDLE_ROOT

LOG = logging.getLogger(__name__)

CHUNK_ROWS = 100_000
HASH_LIMIT_BYTES = 256 * 1024 * 1024
KEEP_RELEASES = 3
GRAPHS_DIR = "graphs"
VOID_FILE = "void.ttl"
LICENSE = URIRef("https://www.apache.org/licenses/LICENSE-2.0")
RIGHTS = (
    "Compilation under Apache-2.0. Each figure keeps the terms of its source "
    "(ree:licenceText of the ree:Source it cites); illustrative and synthetic rows are "
    "flagged by their source's ree:sourceKind and are not official figures."
)


@dataclass
class GenerationStats:
    """What the N-Quads generation wrote, per graph and per mapping."""

    lines_by_graph: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rows_by_mapping: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sources_by_graph: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    files_by_graph: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    skipped: list[str] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(self.lines_by_graph.values())


@dataclass(frozen=True)
class BuildResult:
    """A finished (not yet activated) release."""

    release_id: str
    release_dir: Path
    triples_by_graph: dict[str, int]
    triples: int
    quads_written: int
    skipped_tables: tuple[str, ...]
    seconds: dict[str, float]


# ------------------------------------------------------------------ N-Quads text


def nquad_term(term: Any) -> str:
    """One small rdflib term as N-Quads text (for hand-built and ontology quads)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:b{term}"
    if isinstance(term, Literal):
        text = f'"{escape_text(str(term))}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^<{term.datatype}>"
        return text
    raise TypeError(f"not an RDF term: {term!r}")


def nquads(triples: Iterable[tuple[Any, Any, Any]], graph_name: str) -> str:
    """N-Quads text of a small set of rdflib triples placed in one named graph."""
    g = f"<{graph(graph_name)}>"
    return "".join(
        f"{nquad_term(s)} {nquad_term(p)} {nquad_term(o)} {g} .\n" for s, p, o in triples
    )


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether `schema.table` exists in the warehouse."""
    schema_name, _, name = table.partition(".")
    rows = con.execute(load_sql(SQL_DIR, "select_table_exists"), [schema_name, name]).fetchall()
    return bool(rows and rows[0][0])


def frames(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, chunk_rows: int = CHUNK_ROWS
) -> Iterator[pl.DataFrame]:
    """The rows of a mapping's query in Arrow batches of at most `chunk_rows`."""
    reader = con.sql(load_sql(SQL_DIR, mapping.sql)).to_arrow_reader(chunk_rows)
    for batch in reader:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        if frame.height:
            yield frame


def write_lines(out: IO[bytes], lines: pl.Series) -> None:
    """Append lines to an open binary file, straight from Polars (no Python strings)."""
    if lines.len():
        pl.DataFrame({"q": lines}).write_csv(out, include_header=False, quote_style="never")


def write_frame(
    out: IO[bytes], frame: pl.DataFrame, mapping: TableMapping, stats: GenerationStats
) -> int:
    """Write the quads of one frame and record which graphs, sources and files they use."""
    lines = quad_lines(frame, mapping)
    write_lines(out, lines)
    if mapping.graph_column is None:
        graph_counts = {mapping.graph: lines.len()}
        names = [mapping.graph]
    else:
        # Per-row graphs: count lines per graph from the line suffix.
        suffix = lines.str.extract(r"<[^<>]*/graph/([^<>]+)> \.$", 1)
        counts = suffix.value_counts()
        graph_counts = dict(
            zip(counts[suffix.name].to_list(), counts["count"].to_list(), strict=True)
        )
        names = list(graph_counts)
    for name, count in graph_counts.items():
        stats.lines_by_graph[name] += int(count)
    stats.rows_by_mapping[mapping.name] += frame.height
    for column, bucket in (("source_id", stats.sources_by_graph),
                           ("source_file", stats.files_by_graph)):  # fmt: skip
        if column in frame.columns:
            values = frame.get_column(column).drop_nulls().unique().to_list()
            for name in names:
                bucket[name].update(str(v) for v in values)
    return lines.len()


def write_tables(
    con: duckdb.DuckDBPyConnection,
    out: IO[bytes],
    mappings: Sequence[TableMapping] = MAPPINGS,
    chunk_rows: int = CHUNK_ROWS,
    log: logging.Logger | Any = LOG,
) -> GenerationStats:
    """Write the N-Quads of every mapped table that exists; skip (and log) the missing ones."""
    stats = GenerationStats()
    for mapping in mappings:
        if not table_exists(con, mapping.table):
            if mapping.table not in stats.skipped:
                stats.skipped.append(mapping.table)
                log.info(f"graph: {mapping.table} does not exist yet; skipped")
            continue
        for frame in frames(con, mapping, chunk_rows):
            write_frame(out, frame, mapping, stats)
    for name, graph_name, structure, label in DATA_SETS:
        if stats.lines_by_graph.get(graph_name):
            iri = dataset_iri(name)
            triples = [
                (iri, RDF.type, QB.DataSet),
                (iri, QB.structure, structure),
                (iri, RDFS.label, Literal(label, lang="en")),
            ]
            out.write(nquads(triples, graph_name).encode("utf-8"))
            stats.lines_by_graph[graph_name] += len(triples)
    return stats


def ontology_text(path: Path = ONTOLOGY_FILE) -> tuple[str, int]:
    """The ontology as N-Quads in its own named graph, and its triple count."""
    onto = Graph().parse(path, format="turtle")
    return nquads(onto, GRAPH_ONTOLOGY), len(onto)


# ------------------------------------------------------------------ provenance


def shown_path(path: str) -> str:
    """A path as provenance shows it: relative to the project (or the installed bundle)."""
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


# ------------------------------------------------------------------ store, Turtle, VoID


def count_by_graph(store: ox.Store) -> dict[str, int]:
    """Triples per named graph, from the store (distinct quads, as loaded)."""
    prefix = str(graph(""))
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts: dict[str, int] = {}
    for row in rows:  # type: ignore[union-attr]
        iri = row["g"].value
        name = iri[len(prefix) :] if iri.startswith(prefix) else iri
        counts[name] = int(row["n"].value)
    return dict(sorted(counts.items()))


def class_partitions(store: ox.Store) -> dict[str, int]:
    """Distinct typed subjects per class over all graphs."""
    rows = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
    )
    return dict(sorted((row["c"].value, int(row["n"].value)) for row in rows))  # type: ignore[union-attr]


def void_graph(
    release_id: str,
    modified: datetime,
    counts: dict[str, int],
    classes: dict[str, int],
    files: dict[str, int],
) -> Graph:
    """DCAT/VoID description of a release: counts, classes, licence, modification time, files."""
    g = Graph()
    for prefix, ns in TURTLE_PREFIXES.items():
        g.bind(prefix, ns)
    ds = entity("release", release_id)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(f"reekg knowledge graph, release {release_id}", lang="en")))
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "Rare-earth supply chain: China's quotas, capacity holdings and "
                "reallocations, facilities, mine production, trade flows and supply "
                "agreements, with the source of every figure.",
                lang="en",
            ),
        )
    )
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    g.add((ds, DCTERMS.modified, timestamp(modified)))
    g.add((ds, DCTERMS.conformsTo, ONTOLOGY_IRI))
    g.add((ds, OWL.versionInfo, Literal(release_id)))
    g.add((ds, VOID.uriSpace, Literal(str(entity("", "")))))
    g.add((ds, VOID.vocabulary, URIRef(PREFIXES["ree"])))
    g.add((ds, VOID.triples, Literal(sum(counts.values()))))
    g.add((ds, VOID.classes, Literal(len(classes))))
    for name, n in counts.items():
        sub = graph(name)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, DCTERMS.title, Literal(f"named graph {name}")))
        g.add((sub, VOID.triples, Literal(n)))
        g.add((sub, VOID.dataDump, URIRef(f"{GRAPHS_DIR}/{name}.ttl")))
    for i, (cls, n) in enumerate(classes.items()):
        part = entity("release", f"{release_id}-class-{i}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n)))
    for file_name, size in files.items():
        dist = entity("release", f"{release_id}-{quote(file_name, safe='-._~')}")
        media = "application/n-quads" if file_name.endswith(".nq") else "text/turtle"
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, URIRef(file_name)))
        g.add((dist, DCAT.mediaType, Literal(media)))
        g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    return g


def new_release_id(now: datetime) -> str:
    """A sortable, unique release id: UTC time to the microsecond."""
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def prune_releases(graph_dir: Path, keep: int = KEEP_RELEASES) -> list[Path]:
    """Delete all but the newest `keep` releases, never the current or candidate one."""
    root = Path(graph_dir) / published.RELEASES
    if not root.is_dir():
        return []
    current = published.current_or_none(graph_dir)
    protected = published.candidate_releases(graph_dir) | ({current} if current else set())
    done = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.name)  # fmt: skip
    removed = []
    for old in done[:-keep] if keep else done:
        if old.resolve() not in protected:
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old)
    return removed


def build_release(
    con: duckdb.DuckDBPyConnection,
    graph_dir: Path,
    *,
    warehouse_path: str | None = None,
    data_dir: Path | None = None,
    run_label: str = "graph build",
    mappings: Sequence[TableMapping] = MAPPINGS,
    chunk_rows: int = CHUNK_ROWS,
    log: logging.Logger | Any = LOG,
) -> BuildResult:
    """Write a complete release folder under `graph_dir/releases/` (not activated)."""
    started = datetime.now(UTC)
    release_id = new_release_id(started)
    releases = Path(graph_dir) / published.RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    tmp = releases / f".tmp-{release_id}-{os.getpid()}"
    final = releases / release_id
    seconds: dict[str, float] = {}
    try:
        tmp.mkdir()
        (tmp / GRAPHS_DIR).mkdir()
        dataset = tmp / published.DATASET
        clock = time.perf_counter()
        with open(dataset, "wb") as out:
            stats = write_tables(con, out, mappings, chunk_rows, log)
            resolve_files(stats, data_dir)
            onto, n_onto = ontology_text()
            out.write(onto.encode("utf-8"))
            stats.lines_by_graph[GRAPH_ONTOLOGY] += n_onto
            ended = datetime.now(UTC)
            prov = provenance_triples(release_id, started, ended, stats, warehouse_path,
                                      run_label)  # fmt: skip
            out.write(nquads(prov, GRAPH_PROVENANCE).encode("utf-8"))
            stats.lines_by_graph[GRAPH_PROVENANCE] += len(prov)
            out.flush()
            os.fsync(out.fileno())
        seconds["generate_and_write"] = time.perf_counter() - clock

        clock = time.perf_counter()
        store = ox.Store(str(tmp / published.STORE))
        # lenient: skip Oxigraph's IRI re-validation; every IRI was built by etl.graph.terms
        # (percent-encoded keys, checked http(s) URLs), and the tests parse every file back.
        store.bulk_load(path=str(dataset), format=ox.RdfFormat.N_QUADS, lenient=True)
        store.flush()
        seconds["bulk_load"] = time.perf_counter() - clock

        clock = time.perf_counter()
        counts = count_by_graph(store)
        classes = class_partitions(store)
        for name in counts:
            store.dump(
                str(tmp / GRAPHS_DIR / f"{name}.ttl"),
                ox.RdfFormat.TURTLE,
                from_graph=ox.NamedNode(str(graph(name))),
                prefixes=TURTLE_PREFIXES,
            )
        del store
        seconds["turtle"] = time.perf_counter() - clock

        duplicates = {n: stats.lines_by_graph.get(n, 0) - c for n, c in counts.items()
                      if stats.lines_by_graph.get(n, 0) != c}  # fmt: skip
        if duplicates:
            log.warning(f"graph: quads written vs stored differ (duplicates): {duplicates}")
        files = {published.DATASET: dataset.stat().st_size}
        files.update({f"{GRAPHS_DIR}/{n}.ttl": (tmp / GRAPHS_DIR / f"{n}.ttl").stat().st_size
                      for n in counts})  # fmt: skip
        modified = datetime.now(UTC)
        void_graph(release_id, modified, counts, classes, files).serialize(
            tmp / VOID_FILE, format="turtle"
        )
        manifest = {
            "release_id": release_id,
            "created_at": modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "base_iri": PREFIXES["id"],
            "ontology": str(ONTOLOGY_IRI),
            "ontology_version": ontology_version(),
            "graphs": {
                name: {"iri": str(graph(name)), "triples": n, "file": f"{GRAPHS_DIR}/{name}.ttl"}
                for name, n in counts.items()
            },
            "triples": sum(counts.values()),
            "quads_written": stats.lines,
            "classes": classes,
            "rows_by_table": dict(stats.rows_by_mapping),
            "skipped_tables": stats.skipped,
            "files": files,
            "seconds": {k: round(v, 3) for k, v in seconds.items()},
            "warehouse": warehouse_path,
        }
        write_json(tmp / published.MANIFEST, manifest)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(
        release_id=release_id,
        release_dir=final,
        triples_by_graph=counts,
        triples=sum(counts.values()),
        quads_written=stats.lines,
        skipped_tables=tuple(stats.skipped),
        seconds=seconds,
    )


def ontology_version(path: Path = ONTOLOGY_FILE) -> str | None:
    """The ontology's owl:versionIRI."""
    onto = Graph().parse(path, format="turtle")
    version = onto.value(ONTOLOGY_IRI, OWL.versionIRI)
    return str(version) if version else None


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False), encoding="utf-8")
    os.replace(tmp, path)
