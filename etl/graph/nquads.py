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

from etl.core.warehouse import load_sql
from etl.graph.mapping import TableMapping, quad_lines
from etl.graph.models import DATA_SETS, GRAPH_ONTOLOGY, MAPPINGS, SQL_DIR, dataset_iri
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


def write_frame(
    out: Writer, frame: pl.DataFrame, mapping: TableMapping, stats: GenerationStats
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
    out: Writer,
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
