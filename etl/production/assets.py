"""Production and reserves: the USGS Mineral Commodity Summaries world table, one edition per
partition, loaded exactly as published."""

import re
from pathlib import Path

import dagster as dg
import polars as pl

from etl.core.contracts import read_contract
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
from etl.core.contracts import reject_where
from etl.settings import Settings

GROUP = "production"
SQL_DIR = Path(__file__).parent / "sql"
FILE_PATTERN = re.compile(r"^mcs(?P<edition>\d{4})-raree_world\.csv$")
EDITION_SOURCES = {"2024": "usgs-mcs2024-rare-earths"}


def bundled_editions(data_dir: Path) -> list[str]:
    """Editions present as `production/mcsYYYY-raree_world.csv` in the data folder."""
    folder = data_dir / "production"
    found = [m["edition"] for p in folder.glob("mcs*-raree_world.csv")
             if (m := FILE_PATTERN.match(p.name))]
    return sorted(found) or ["2024"]


USGS_EDITIONS = dg.StaticPartitionsDefinition(bundled_editions(Settings.from_env().data_dir))


def tidy_usgs(
    good: pl.DataFrame, columns: list, codes: pl.DataFrame, edition: str, source_id: str
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Long rows per country and year; the world total row kept apart; unknown names rejected."""
    named = good.join(
        codes.select(pl.col("code").alias("Country"), pl.col("iso3")), on="Country", how="left"
    )
    unknown = pl.col("iso3").is_null()
    rejected = reject_where(named, unknown, "Country", "unknown country name (add it to "
                            "data/reference/country_aliases.csv)")
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
        "edition", "year", "tonnes_reo", "reserves_t",
        pl.lit(True).alias("is_rounded"), "source_id",
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
    for edition in context.partition_keys:
        _load_edition(edition, warehouse, settings)
    with warehouse.connect() as con:
        return materialize_result(
            con, "core.production", editions=dg.MetadataValue.text(", ".join(context.partition_keys))
        )


def _load_edition(edition: str, warehouse: WarehouseResource, settings: SettingsResource) -> None:
    relpath = f"production/mcs{edition}-raree_world.csv"
    path = settings.data(relpath)
    columns = year_columns(path)
    result = read_contract(path, usgs_world_contract(columns), label=relpath)
    source_id = EDITION_SOURCES.get(edition, f"usgs-mcs{edition}-rare-earths")
    with warehouse.connect() as con:
        codes = query_frame(
            con, "SELECT code, iso3 FROM core.country_codes WHERE system IN ('name', 'iso3')"
        )
        countries, world, rejected = tidy_usgs(result.good, columns, codes, edition, source_id)
        rejected = pl.concat([result.rejected, rejected])
        replace_rows(con, "raw.usgs_world", result.raw.select(
            pl.all().exclude("source_file", "source_row").cast(pl.String), "source_file",
            "source_row"), "source_file = ?", [relpath])
        replace_rows(con, "core.production", countries, "edition = ?", [edition])
        replace_rows(con, "core.production_world", world, "edition = ?", [edition])
        replace_quarantine(con, "usgs_world", edition, rejected)


world_production = sql_mart(
    "world_production",
    SQL_DIR,
    [usgs_world.key, dg.AssetKey(["reference", "countries"])],
    GROUP,
    "Mine production and reserves by edition, country (ISO3) and year with each country's share "
    "of the world total; China's share by year is one query away.",
)
