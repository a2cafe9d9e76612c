"""Build one graph release folder from the warehouse's core tables.

Steps (each in bulk, none holding the graph as Python objects):
1. stream every mapped table out of DuckDB in Arrow batches, render N-Quads with Polars
   expressions (`etl.graph.nquads`) and append them to `dataset.nq`, with the ontology graph
   and the provenance graph (`etl.graph.provenance`); then a child process bulk-loads
   `dataset.nq` into a new Oxigraph store, by parts on every CPU, then compacts it
   (`etl.graph.loader`; an incremental release loads only what it rendered).
2. count triples and classes per graph in the store;
3. dump one Turtle file per named graph of at most `TURTLE_LIMIT` triples (a bigger graph is
   served from `dataset.nq` and the store only: its Turtle would take longer to write than
   the whole release and nobody reads a 15M-triple Turtle file), write `void.ttl`
   (`etl.graph.void`) and `manifest.json`;
4. rename the temporary folder to `releases/<release_id>` (a reader never sees half a release).

A table that does not exist yet (e.g. trade before the trade assets ran) is skipped with a log
line, so the graph can be built at every stage of the pipeline.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyoxigraph as ox
from rdflib import OWL, Graph

from etl.graph import store as published
from etl.graph.incremental import BaseRelease, link_turtle, planned_digests
from etl.graph.loader import DatasetWriter
from etl.graph.mapping import TableMapping
from etl.graph.models import GRAPH_ONTOLOGY, GRAPH_PROVENANCE, MAPPINGS
from etl.graph.nquads import (  # noqa: F401 (re-exported: build.write_tables is patched in tests)
    CHUNK_ROWS,
    Counting,
    GenerationStats,
    nquad_term,
    nquads,
    ontology_text,
    record,
    write_block,
    write_tables,
)
from etl.graph.provenance import provenance_triples, resolve_files
from etl.graph.segments import DIGEST_VERSION
from etl.graph.vocab import ONTOLOGY_FILE, ONTOLOGY_IRI, PREFIXES, TURTLE_PREFIXES, graph
from etl.graph.void import GRAPHS_DIR, class_partitions, count_by_graph, void_graph
from etl.settings import include_synthetic as synthetic_setting

LOG = logging.getLogger(__name__)

KEEP_RELEASES = 3
VOID_FILE = "void.ttl"
# Graphs above this many triples get no Turtle file (dataset.nq and the store hold them).
TURTLE_LIMIT = 1_000_000


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
    loader: dict[str, Any] = field(default_factory=dict)  # the loader child's report


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
    base: Path | None = None,
    mappings: Sequence[TableMapping] = MAPPINGS,
    chunk_rows: int = CHUNK_ROWS,
    log: logging.Logger | Any = LOG,
    include_synthetic: bool | None = None,
) -> BuildResult:
    """Write a complete release folder under `graph_dir/releases/` (not activated).

    Synthetic trade rows are left out unless `include_synthetic` (default: the
    `REEKG_INCLUDE_SYNTHETIC` setting); kept, each carries `ree:isSynthetic true`.

    With `base` (a previous release folder, normally `current`), only the segments whose
    source rows changed are rendered and loaded; the rest is reused (etl.graph.incremental).
    """
    synthetic = synthetic_setting() if include_synthetic is None else include_synthetic
    con.execute("SET VARIABLE reekg_include_synthetic = ?", [synthetic])
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
        reuse = BaseRelease.open(base)
        changed: set[str] = set()
        copied: ox.Store | None = None
        if reuse is not None:
            copied = reuse.copy_store(tmp / published.STORE)
            changed = reuse.remove_stale(copied, planned_digests(con, mappings, chunk_rows))
            seconds["reuse_store"] = time.perf_counter() - clock
            clock = time.perf_counter()
        with DatasetWriter(dataset, tmp / published.STORE, copied) as writer:
            out = Counting(writer)
            stats = write_tables(con, out, mappings, chunk_rows, log, reuse)
            resolve_files(stats, data_dir)
            onto, n_onto = ontology_text()
            record(stats, write_block(out, "ontology", onto, GRAPH_ONTOLOGY, n_onto, reuse))
            ended = datetime.now(UTC)
            prov = provenance_triples(release_id, started, ended, stats, warehouse_path,
                                      run_label)  # fmt: skip
            text = nquads(prov, GRAPH_PROVENANCE)
            record(stats, write_block(out, "provenance", text, GRAPH_PROVENANCE, len(prov), None))
            writer.set_blank_nodes(out.blank_nodes)
            drop_cached_blocks(con)  # before the loader (on close) needs the memory
        changed |= {s.graph for s in stats.segments if reuse is None or s.key not in reuse.taken}
        seconds["generate_and_write"] = time.perf_counter() - clock - writer.load_seconds
        seconds["bulk_load"] = writer.load_seconds
        store = copied if copied is not None else ox.Store(str(tmp / published.STORE))

        clock = time.perf_counter()
        counts = count_by_graph(store, dict(stats.lines_by_graph))
        classes = class_partitions(store)
        seconds["count"] = time.perf_counter() - clock
        clock = time.perf_counter()
        dumps = write_turtle(store, tmp, counts, reuse, changed)
        del store
        seconds["turtle"] = time.perf_counter() - clock

        duplicates = {n: stats.lines_by_graph.get(n, 0) - c for n, c in counts.items()
                      if stats.lines_by_graph.get(n, 0) != c}  # fmt: skip
        if duplicates:
            log.warning(f"graph: quads written vs stored differ (duplicates): {duplicates}")
        clock = time.perf_counter()
        files = {published.DATASET: dataset.stat().st_size}
        turtles = [f for f in dumps.values() if f != published.DATASET]
        files.update({f: (tmp / f).stat().st_size for f in turtles})
        modified = datetime.now(UTC)
        void_graph(release_id, modified, counts, classes, files, dumps).serialize(
            tmp / VOID_FILE, format="turtle"
        )
        manifest = {
            "release_id": release_id,
            "created_at": modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "base_iri": PREFIXES["id"],
            "ontology": str(ONTOLOGY_IRI),
            "ontology_version": ontology_version(),
            "graphs": {
                name: {"iri": str(graph(name)), "triples": n, "file": turtle_file(dumps[name])}
                for name, n in counts.items()
            },
            "triples": sum(counts.values()),
            "quads_written": stats.lines,
            "classes": classes,
            "rows_by_table": dict(stats.rows_by_mapping),
            "skipped_tables": stats.skipped,
            "files": files,
            "seconds": {k: round(v, 3) for k, v in seconds.items()},
            "loader": writer.loader,
            "base_release": reuse.release_dir.name if reuse else None,
            "duplicates": bool(duplicates),
            "digest_version": DIGEST_VERSION,
            "segments": [segment.to_json() for segment in stats.segments],
            "warehouse": warehouse_path,
        }
        write_json(tmp / published.MANIFEST, manifest)
        seconds["void_and_manifest"] = time.perf_counter() - clock
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
        loader=writer.loader,
    )


def drop_cached_blocks(con: duckdb.DuckDBPyConnection) -> None:
    """Let DuckDB free the table blocks it keeps cached after generation's scans (its memory
    limit lowered for a moment), so the loader's memory is not added to them. Best effort: a
    connection holding pinned data keeps its limit."""
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()
    if limit is None:
        return
    try:
        con.execute("SET memory_limit = '32MB'")
    except duckdb.Error:
        return
    finally:
        con.execute(f"SET memory_limit = '{limit[0]}'")


def write_turtle(
    store: ox.Store,
    folder: Path,
    counts: dict[str, int],
    reuse: BaseRelease | None = None,
    changed: set[str] | None = None,
) -> dict[str, str]:
    """Dump each graph of at most `TURTLE_LIMIT` triples to `graphs/<name>.ttl` (linking the
    base release's file when none of the graph's segments changed).

    Returns the file that holds each graph (`dataset.nq` for the bigger ones)."""
    dumps: dict[str, str] = {}
    for name, n in counts.items():
        if n > TURTLE_LIMIT:
            dumps[name] = published.DATASET
            continue
        dumps[name] = f"{GRAPHS_DIR}/{name}.ttl"
        kept = reuse.unchanged_turtle(name, changed or set()) if reuse else None
        if kept is not None:
            link_turtle(kept, folder / dumps[name])
            continue
        store.dump(str(folder / dumps[name]), ox.RdfFormat.TURTLE,
                   from_graph=ox.NamedNode(str(graph(name))), prefixes=TURTLE_PREFIXES)  # fmt: skip
    return dumps


def turtle_file(dump: str) -> str | None:
    """A graph's Turtle file as the manifest names it (None: only in dataset.nq)."""
    return None if dump == published.DATASET else dump


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
