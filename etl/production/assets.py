"""Production and reserves: the USGS Mineral Commodity Summaries world table, one edition per
partition, loaded exactly as published."""

from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from etl.core.contracts import read_contract, reject_where
from etl.core.marts import sql_mart
from etl.core.metadata import materialize_result
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import (
    WRITER_POOL,
    WarehouseResource,
    query_frame,
    replace_quarantine,
    replace_rows,
)
from etl.production.models import usgs_world_contract, year_columns

GROUP = "production"
SQL_DIR = Path(__file__).parent / "sql"
EDITION_SOURCES = {"2024": "usgs-mcs2024-rare-earths"}


FIRST_EDITION = 2020


def editions(today: date | None = None) -> list[str]:
    """MCS editions from 2020 to next year's: a new edition's file loads with no code change."""
    last = (today or date.today()).year + 1
    return [str(y) for y in range(FIRST_EDITION, last + 1)]


USGS_EDITIONS = dg.StaticPartitionsDefinition(editions())


def tidy_usgs(
    good: pl.DataFrame, columns: list, codes: pl.DataFrame, edition: str, source_id: str
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Long rows per country and year; the world total row kept apart; unknown names rejected."""
    named = good.join(
        codes.select(pl.col("code").alias("Country"), pl.col("iso3")), on="Country", how="left"
    )
    unknown = pl.col("iso3").is_null()
    rejected = reject_where(
        named,
        unknown,
        "Country",
        "unknown country name (add it to data/reference/country_aliases.csv)",
    )
    named = named.filter(~unknown)
    long = pl.concat(
        [
            named.select(
                pl.lit(edition).alias("edition"),
                pl.col("iso3").alias("country_iso3"),
                pl.lit(c.year, pl.Int32).alias("year"),
                pl.col(c.name).alias("tonnes_reo"),
                pl.lit(c.is_estimate).alias("is_estimate"),
                pl.col("Reserves_t").alias("reserves_t"),
                pl.col("Prod_notes").alias("production_notes"),
                pl.col("Reserves_notes").alias("reserves_notes"),
                pl.lit(source_id).alias("source_id"),
            )
            for c in columns
        ]
    )
    is_world = pl.col("country_iso3") == "WLD"
    world = long.filter(is_world).select(
        "edition",
        "year",
        "tonnes_reo",
        "reserves_t",
        pl.lit(True).alias("is_rounded"),
        "source_id",
    )
    return long.filter(~is_world).sort("country_iso3", "year"), world, rejected


@dg.asset(
    key=["production", "usgs_world"],
    group_name=GROUP,
    owners=["team:production"],
    kinds={"duckdb", "polars", "csv"},
    pool=WRITER_POOL,
    partitions_def=USGS_EDITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[dg.AssetKey(["reference", "countries"]), dg.AssetKey(["reference", "sources"])],
    description="USGS Mineral Commodity Summaries: world mine production and reserves by country "
    "(core.production) and the rounded world total kept apart (core.production_world), t REO. "
    "One partition per edition; year columns are read from the header.",
)
def usgs_world(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    loaded = [e for e in context.partition_keys if _load_edition(e, warehouse, settings)]
    missing = sorted(set(context.partition_keys) - set(loaded))
    if missing:
        context.log.info(f"no USGS file for edition(s) {', '.join(missing)}: nothing to load")
    with warehouse.connect() as con:
        return materialize_result(
            con,
            "core.production",
            editions_loaded=dg.MetadataValue.text(", ".join(loaded) or "none"),
        )


def _load_edition(edition: str, warehouse: WarehouseResource, settings: SettingsResource) -> bool:
    """Load one edition's file if it exists; False when there is no file for it."""
    relpath = f"production/mcs{edition}-raree_world.csv"
    path = settings.source(relpath)
    if not path.exists():
        return False
    columns = year_columns(path)
    result = read_contract(path, usgs_world_contract(columns), label=relpath)
    source_id = EDITION_SOURCES.get(edition, f"usgs-mcs{edition}-rare-earths")
    with warehouse.connect() as con:
        codes = query_frame(
            con, "SELECT code, iso3 FROM core.country_codes WHERE system IN ('name', 'iso3')"
        )
        countries, world, rejected = tidy_usgs(result.good, columns, codes, edition, source_id)
        rejected = pl.concat([result.rejected, rejected])
        # raw in long form (file, row, column, value): each edition has its own year columns
        raw_long = result.raw.unpivot(
            index=["source_file", "source_row"], variable_name="column_name", value_name="value"
        ).sort("source_row", "column_name")
        replace_rows(con, "raw.usgs_world", raw_long, "source_file = ?", [relpath])
        replace_rows(con, "core.production", countries, "edition = ?", [edition])
        replace_rows(con, "core.production_world", world, "edition = ?", [edition])
        replace_quarantine(con, "usgs_world", edition, rejected)
    return True


world_production = sql_mart(
    "world_production",
    SQL_DIR,
    [usgs_world.key, dg.AssetKey(["reference", "countries"])],
    GROUP,
    "Mine production and reserves by edition, country (ISO3) and year with each country's share "
    "of the world total; China's share by year is one query away.",
)
