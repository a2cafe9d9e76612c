"""Reading what the report shows from the published warehouse (opened read-only)."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from etl.core.warehouse import load_sql, query_frame
from etl.report.models import (
    BUYER_SUPPLIER_SHARES,
    CITING_SCHEMA,
    MAX_BUYER_SERIES,
    OPTIONAL_FRAMES,
    OPTIONAL_TABLES,
    REQUIRED_TABLES,
    SCENARIO_ASSUMPTIONS,
    SCENARIO_FRACTIONS,
    SCENARIO_PROVINCES,
    SOURCE_KIND_LABELS,
    SOURCES,
    SQL_DIR,
    ReportData,
)

KIND_ORDER = {kind: rank for rank, kind in enumerate(SOURCE_KIND_LABELS)}


class MissingMartError(Exception):
    """A mart the report needs is not in the published warehouse."""


def existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """`schema.table` names present in the connected warehouse."""
    rows = con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()
    return {name for (name,) in rows}


def _select(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> pl.DataFrame:
    sql = load_sql(SQL_DIR, name)
    return con.sql(sql, params=params).pl() if params else query_frame(con, sql)


def citing_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """`core` tables with a `source_id` column (names from the catalog, never from input)."""
    rows = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.columns "
        "WHERE table_schema = ? AND column_name = 'source_id' ORDER BY 1",
        [CITING_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows if name != SOURCES]


def source_citations(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Rows citing each source, summed over every `core` table that carries a `source_id`."""
    template = load_sql(SQL_DIR, "select_source_citations")
    frames = [query_frame(con, template.format(table=table)) for table in citing_tables(con)]
    if not frames:
        return pl.DataFrame(schema={"source_id": pl.String, "cited_rows": pl.Int64})
    return (
        pl.concat(frames)
        .lazy()
        .group_by("source_id")
        .agg(pl.col("rows").sum().cast(pl.Int64).alias("cited_rows"))
        .collect()
    )


def scenario_frames(
    con: duckdb.DuckDBPyConnection, tables: set[str]
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """Every precomputed cut (targets x fractions) and the targets, or None without trade data."""
    if SCENARIO_ASSUMPTIONS not in tables or BUYER_SUPPLIER_SHARES not in tables:
        return None, None
    targets = _select(con, "select_scenario_targets", {"provinces": SCENARIO_PROVINCES})
    frames = [
        _select(con, "select_scenario_shortfall", {"target": target, "fraction": fraction})
        for target in targets["target"].to_list()
        for fraction in SCENARIO_FRACTIONS
    ]
    cuts = pl.concat(frames) if frames else None
    return (cuts if cuts is not None and not cuts.is_empty() else None), targets


def optional_frames(con: duckdb.DuckDBPyConnection, tables: set[str]) -> dict[str, pl.DataFrame]:
    """The optional frames whose tables are all published (OPTIONAL_FRAMES)."""
    return {
        name: _select(con, sql_name)
        for name, (sql_name, needs) in OPTIONAL_FRAMES.items()
        if all(t in tables for t in needs)
    }


def read_report_data(con: duckdb.DuckDBPyConnection, as_of: str) -> ReportData:
    """Every frame the charts need; `as_of` (ISO date) is the date sources' ages are counted to."""
    tables = existing_tables(con)
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise MissingMartError(
            f"the published warehouse lacks {', '.join(missing)}: materialize the marts and "
            "publish/warehouse first"
        )
    counts = {
        table: int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
        for table in (*REQUIRED_TABLES, *OPTIONAL_TABLES)
        if table in tables
    }
    buyer_shares = (
        _select(con, "select_buyer_supplier_shares", {"max_series": MAX_BUYER_SERIES})
        if BUYER_SUPPLIER_SHARES in tables
        else None
    )
    sources = (
        _select(con, "select_sources", {"as_of": as_of})
        .lazy()
        .join(source_citations(con).lazy(), on="source_id", how="left")
        .with_columns(
            pl.col("cited_rows").fill_null(0),
            pl.col("kind").replace_strict(KIND_ORDER, default=len(KIND_ORDER)).alias("_order"),
        )
        .sort(
            ["_order", "published_on", "source_id"],
            descending=[False, True, False],
            nulls_last=True,
        )
        .drop("_order")
        .collect()
    )
    scenarios, targets = scenario_frames(con, tables)
    return ReportData(
        holders_by_year=_select(con, "select_quota_holders_by_year"),
        national_by_year=_select(con, "select_national_by_year"),
        holder_shares=_select(con, "select_holder_shares"),
        concentration=_select(con, "select_concentration"),
        ledger=_select(con, "select_reallocation_ledger"),
        china_production=_select(con, "select_china_production_share"),
        buyer_shares=buyer_shares,
        sources=sources,
        latest_batch=_select(con, "select_latest_batch_change"),
        row_counts=counts,
        as_of=as_of,
        extra=optional_frames(con, tables),
        scenarios=scenarios,
        scenario_targets=targets,
    )
