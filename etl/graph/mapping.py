"""Declarative table-to-graph mappings and the bulk N-Quads generator that runs them.

A `TableMapping` says which SQL query feeds it, which entity each row is (kind + key column),
its classes, and one `(predicate, object)` pair per property. `quad_lines` turns a Polars frame
into N-Quads lines with one vectorised expression per property: no Python loop over rows and no
rdflib objects, so millions of rows stream through in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import polars as pl
from rdflib import RDF, URIRef

from etl.graph import terms
from etl.graph.terms import Datatype
from etl.graph.vocab import GRAPH, ID, WD


@dataclass(frozen=True)
class Ref:
    """Object: the entity IRI `id/{kind}/{column value}`."""

    kind: str
    column: str

    def expr(self) -> pl.Expr:
        return terms.entity_iri(f"{ID}{self.kind}/", pl.col(self.column))


@dataclass(frozen=True)
class KindRef:
    """Object: an entity IRI whose kind is read from `kind_column` (e.g. a quota's holder)."""

    kind_column: str
    column: str

    def expr(self) -> pl.Expr:
        return pl.concat_str(
            [
                pl.lit(f"<{ID}"),
                terms.segment(pl.col(self.kind_column)),
                pl.lit("/"),
                terms.segment(pl.col(self.column)),
                pl.lit(">"),
            ]
        )


@dataclass(frozen=True)
class Wikidata:
    """Object: the Wikidata entity IRI of a Q-id column (owl:sameAs links)."""

    column: str

    def expr(self) -> pl.Expr:
        qid = pl.col(self.column).cast(pl.String).str.strip_chars()
        return (
            pl.when(qid.str.contains(r"^Q[0-9]+$"))
            .then(pl.concat_str([pl.lit(f"<{WD}"), qid, pl.lit(">")]))
            .otherwise(pl.lit(None, pl.String))
        )


@dataclass(frozen=True)
class Url:
    """Object: a web address column as an IRI (non-URLs are dropped)."""

    column: str

    def expr(self) -> pl.Expr:
        return terms.url_iri(pl.col(self.column))


@dataclass(frozen=True)
class Lit:
    """Object: a typed literal of a column."""

    column: str
    datatype: Datatype = "string"

    def expr(self) -> pl.Expr:
        return terms.literal(pl.col(self.column), self.datatype)


@dataclass(frozen=True)
class Lang:
    """Object: a language-tagged literal of a column."""

    column: str
    lang: str

    def expr(self) -> pl.Expr:
        return terms.lang_literal(pl.col(self.column), self.lang)


@dataclass(frozen=True)
class Concept:
    """Object: the ontology individual (or class) a code column stands for.

    A code outside `values` renders as null, so no triple is written and the SHACL shape that
    requires the property reports the row.
    """

    column: str
    values: Mapping[str, URIRef]

    def expr(self) -> pl.Expr:
        return pl.col(self.column).replace_strict(
            {k: terms.iri(str(v)) for k, v in self.values.items()},
            default=None,
            return_dtype=pl.String,
        )


@dataclass(frozen=True)
class Const:
    """Object: the same IRI on every row."""

    value: URIRef

    def expr(self) -> pl.Expr:
        return pl.lit(terms.iri(str(self.value)))


Term = Ref | KindRef | Wikidata | Url | Lit | Lang | Concept | Const


@dataclass(frozen=True)
class TableMapping:
    """How the rows of one SQL query become entities of one named graph."""

    name: str
    table: str
    sql: str
    graph: str
    kind: str
    key: str
    classes: tuple[URIRef, ...] = ()
    properties: tuple[tuple[URIRef, Term], ...] = ()
    graph_column: str | None = None
    requires: tuple[str, ...] = field(default=())

    def graph_expr(self) -> pl.Expr:
        """` <graph> .` suffix of each line (per row when the graph comes from a column)."""
        if self.graph_column is None:
            return pl.lit(f" <{GRAPH}{self.graph}> .")
        return pl.concat_str(
            [pl.lit(f" <{GRAPH}"), terms.segment(pl.col(self.graph_column)), pl.lit("> .")]
        )

    def subject_expr(self) -> pl.Expr:
        return terms.entity_iri(f"{ID}{self.kind}/", pl.col(self.key))


def quad_lines(frame: pl.DataFrame, mapping: TableMapping) -> Iterator[pl.Series]:
    """N-Quads lines (no newline) for every row of `frame`, one predicate at a time (all rows'
    `rdf:type` lines, then each property's); null objects give no line.

    One predicate's lines are alive at once, not the whole frame's: the rendered text is
    about 15 times the frame's size.
    """
    subject, suffix = "__s", "__g"
    base = frame.with_columns(
        mapping.subject_expr().alias(subject), mapping.graph_expr().alias(suffix)
    ).filter(pl.col(subject).is_not_null())
    pairs: list[tuple[URIRef, Term]] = [(RDF.type, Const(c)) for c in mapping.classes]
    pairs.extend(mapping.properties)
    for predicate, term in pairs:
        line = pl.concat_str([pl.col(subject), pl.lit(f" <{predicate}> "), term.expr(),
                              pl.col(suffix)])  # fmt: skip
        yield base.select(line.alias("quad")).get_column("quad").drop_nulls()
