"""Resolving names in source files to entity ids through `core.entity_aliases`.

Public helpers other domains use; an unknown name is a rejected row, never a new entity.
"""

from __future__ import annotations

import duckdb
import polars as pl

from etl.core.contracts import reject_where


def alias_table(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """alias -> (entity_kind, entity_id)."""
    return con.sql("SELECT alias, entity_kind, entity_id FROM core.entity_aliases").pl()


def resolve_names(
    frame: pl.DataFrame,
    aliases: pl.DataFrame,
    field_name: str,
    out_col: str,
    kinds: tuple[str, ...],
    kind_col: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add `out_col` (entity id) for the names in `field_name`; unknown names are rejected.

    Names are matched exactly first, then case-insensitively. `kind_col`, when given, receives
    the entity kind of each match.
    """
    table = aliases.filter(pl.col("entity_kind").is_in(kinds))
    exact = table.select(
        pl.col("alias").alias(field_name),
        pl.col("entity_id").alias(out_col),
        pl.col("entity_kind").alias("_kind"),
    )
    folded = table.select(
        pl.col("alias").str.to_lowercase().alias("_folded"),
        pl.col("entity_id").alias("_id2"),
        pl.col("entity_kind").alias("_kind2"),
    ).unique(subset=["_folded"], keep="first", maintain_order=True)
    out = (
        frame.join(exact.unique(subset=[field_name], keep="first"), on=field_name, how="left")
        .with_columns(pl.col(field_name).str.to_lowercase().alias("_folded"))
        .join(folded, on="_folded", how="left")
        .with_columns(
            pl.coalesce(out_col, "_id2").alias(out_col),
            pl.coalesce("_kind", "_kind2").alias("_kind"),
        )
        .drop("_folded", "_id2", "_kind2")
    )
    out = out.rename({"_kind": kind_col}) if kind_col else out.drop("_kind")
    mask = pl.col(field_name).is_not_null() & pl.col(out_col).is_null()
    rejected = reject_where(
        out, mask, field_name, f"unknown {'/'.join(kinds)} name (add it to entity_aliases.csv)"
    )
    return out.filter(~mask), rejected


def known_source_ids(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """source_id and url of every registered source."""
    return con.sql("SELECT source_id, url FROM core.sources").pl()


def reject_unknown_sources(
    frame: pl.DataFrame, sources: pl.DataFrame, field_name: str = "source_id"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows citing a source id that is not in the registry are rejected."""
    mask = ~pl.col(field_name).is_in(sources["source_id"].implode())
    rejected = reject_where(
        frame, mask, field_name, "unknown source id (register it in data/reference/sources.csv)"
    )
    return frame.filter(~mask), rejected


def resolve_source_urls(
    frame: pl.DataFrame, sources: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`source_id` for each row's `source_url`; URLs not in the sources registry are rejected."""
    urls = sources.filter(pl.col("url").is_not_null()).unique("url", keep="first")
    out = frame.join(
        urls.select(pl.col("url").alias("source_url"), "source_id"), on="source_url", how="left"
    )
    unknown = pl.col("source_id").is_null()
    rejected = reject_where(
        out, unknown, "source_url", "unknown source URL (register it in data/reference/sources.csv)"
    )
    return out.filter(~unknown), rejected
