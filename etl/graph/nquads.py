"""N-Quads generation: every mapped warehouse table rendered in bulk, straight from Polars.

`write_tables` streams each mapping's query out of DuckDB in Arrow batches, renders N-Quads
lines with Polars expressions (`mapping.quad_lines`) and hands the bytes to a writer (the
release's `DatasetWriter`, which appends them to `dataset.nq` and feeds the store). Small
hand-built triple sets (ontology, provenance, data sets) go through `nquads`.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb
import polars as pl
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from etl.core.warehouse import load_sql
from etl.graph.mapping import TableMapping, quad_lines
from etl.graph.models import DATA_SETS, GRAPH_ONTOLOGY, MAPPINGS, SQL_DIR, dataset_iri
from etl.graph.segments import Segment, run_digest, runs, text_digest
from etl.graph.terms import escape_text
from etl.graph.vocab import ONTOLOGY_FILE, QB, graph

LOG = logging.getLogger(__name__)

CHUNK_ROWS = 100_000


class Writer(Protocol):
    def write(self, data: bytes | memoryview, /) -> Any: ...


@dataclass
class GenerationStats:
    """What the N-Quads generation wrote, per graph and per mapping."""

    lines_by_graph: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rows_by_mapping: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sources_by_graph: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    files_by_graph: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    skipped: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(self.lines_by_graph.values())


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


def write_lines(out: Writer, lines: pl.Series) -> None:
    """Append lines to a writer as one block of bytes, straight from Polars (no Python strings)."""
    if lines.len():
        buffer = io.BytesIO()
        pl.DataFrame({"q": lines}).write_csv(buffer, include_header=False, quote_style="never")
        out.write(buffer.getbuffer())


class Reuse(Protocol):
    """Segments of a previous release that can be copied instead of rendered."""

    def take(self, key: str, digest: str) -> Segment | None: ...

    def copy(self, segment: Segment, out: Counting) -> Segment: ...


class Counting:
    """A writer that knows how many bytes went through it (segment offsets)."""

    def __init__(self, out: Writer) -> None:
        self.out, self.offset = out, 0
        # The byte range from the first to the last block written with blank nodes.
        self.blank_nodes: tuple[int, int] | None = None

    def write(self, data: bytes | memoryview, *, blank_nodes: bool = False) -> None:
        """Append a block; `blank_nodes`: it may hold some (the generated blocks never do)."""
        if blank_nodes:
            self._blank_nodes_in(self.offset, self.offset + len(data))
        self.out.write(data)
        self.offset += len(data)

    def _blank_nodes_in(self, start: int, end: int) -> None:
        first = start if self.blank_nodes is None else self.blank_nodes[0]
        self.blank_nodes = (first, end)

    def copy(self, source: Path, ranges: list[list[int]]) -> list[list[int]]:
        """Append ranges of `source` (the writer must offer `append_copy`); the new ranges."""
        start = self.offset
        self.offset += self.out.append_copy(source, ranges)  # type: ignore[attr-defined]
        if self.offset > start:  # a copied block may hold blank nodes
            self._blank_nodes_in(start, self.offset)
        return [[start, self.offset - start]] if self.offset > start else []


def record(stats: GenerationStats, segment: Segment, mapping: str | None = None) -> None:
    stats.segments.append(segment)
    stats.lines_by_graph[segment.graph] += segment.lines
    if mapping:
        stats.rows_by_mapping[mapping] += segment.rows
    stats.sources_by_graph[segment.graph].update(segment.sources)
    stats.files_by_graph[segment.graph].update(segment.files)


def write_run(out: Counting, frames: list[pl.DataFrame], mapping: TableMapping,
              segment: Segment) -> None:  # fmt: skip
    """Render one run of rows and fill in its segment (ranges, lines, sources, files)."""
    start = out.offset
    for frame in frames:
        for lines in quad_lines(frame, mapping):
            write_lines(out, lines)
            segment.lines += lines.len()
        segment.rows += frame.height
        for column, bucket in (("source_id", segment.sources), ("source_file", segment.files)):
            if column in frame.columns:
                bucket.extend(str(v) for v in frame.get_column(column).drop_nulls().unique())
    segment.sources, segment.files = sorted(set(segment.sources)), sorted(set(segment.files))
    segment.ranges = [[start, out.offset - start]] if out.offset > start else []


def write_block(out: Counting, key: str, text: str, graph_name: str, lines: int,
                reuse: Reuse | None) -> Segment:  # fmt: skip
    """A hand-built block of N-Quads as its own segment (copied when unchanged)."""
    digest = text_digest(text)
    kept = reuse.take(key, digest) if reuse else None
    if reuse is not None and kept is not None:
        return reuse.copy(kept, out)
    start = out.offset
    out.write(text.encode("utf-8"), blank_nodes="_:" in text)
    return Segment(key, graph_name, digest, [[start, out.offset - start]], lines)


def write_tables(
    con: duckdb.DuckDBPyConnection,
    out: Writer,
    mappings: Sequence[TableMapping] = MAPPINGS,
    chunk_rows: int = CHUNK_ROWS,
    log: logging.Logger | Any = LOG,
    reuse: Reuse | None = None,
) -> GenerationStats:
    """Write the N-Quads of every mapped table that exists; skip (and log) the missing ones.

    With `reuse`, a segment whose source rows have the digest of a previous release's segment
    is copied from that release instead of rendered.
    """
    stats = GenerationStats()
    counted = out if isinstance(out, Counting) else Counting(out)
    for mapping in mappings:
        if not table_exists(con, mapping.table):
            if mapping.table not in stats.skipped:
                stats.skipped.append(mapping.table)
                log.info(f"graph: {mapping.table} does not exist yet; skipped")
            continue
        for key, graph_name, run in runs(frames(con, mapping, chunk_rows), mapping):
            digest = run_digest(run)
            kept = reuse.take(key, digest) if reuse else None
            if reuse is not None and kept is not None:
                record(stats, reuse.copy(kept, counted), mapping.name)
                continue
            segment = Segment(key, graph_name, digest)
            write_run(counted, run, mapping, segment)
            record(stats, segment, mapping.name)
    for name, graph_name, text, n in data_set_blocks(
        {g for g, n in stats.lines_by_graph.items() if n}
    ):
        record(stats, write_block(counted, f"datasets|{name}", text, graph_name, n, reuse))
    return stats


def data_set_blocks(graphs: set[str]) -> list[tuple[str, str, str, int]]:
    """(name, graph, N-Quads, lines) of the qb:DataSet node of each of `graphs` with one."""
    blocks = []
    for name, graph_name, structure, label in DATA_SETS:
        if graph_name in graphs:
            iri = dataset_iri(name)
            triples = [
                (iri, RDF.type, QB.DataSet),
                (iri, QB.structure, structure),
                (iri, RDFS.label, Literal(label, lang="en")),
            ]
            blocks.append((name, graph_name, nquads(triples, graph_name), len(triples)))
    return blocks


def ontology_text(path: Path = ONTOLOGY_FILE) -> tuple[str, int]:
    """The ontology as N-Quads in its own named graph, and its triple count.

    Blank nodes get canonical labels and lines are sorted, so the same ontology file gives the
    same bytes in every release (its segment is then reused as is)."""
    onto = to_canonical_graph(Graph().parse(path, format="turtle"))
    lines = nquads(onto, GRAPH_ONTOLOGY).splitlines(keepends=True)
    return "".join(sorted(lines)), len(onto)
