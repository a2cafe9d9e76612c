"""Reported figures that are not bilateral flows, each kept as published in its own table.

- core.china_exports_by_partner_group: China's monthly exports per HS6 to a group of partners
  (ALL_TRACKED_PARTNERS is the sum over the ~45 partners the source pulled, not the world).
- core.china_customs_reported: GAC figures as the press reported them, one stated number a row
  (quantity, value, change, share); the rare-earth magnet line is CN 85051110 (`cn_code`),
  never HS6 850511.
- core.buyer_side_imports_reported: buyers' own import figures (Eurostat, India, Japan, Korea),
  a cross-check beside the trade marts.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

from etl.core.contracts import Contract, read_contract
from etl.core.metadata import table_metadata
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, replace_quarantine, replace_rows
from etl.trade.common import (
    BUYER_SIDE_FILE,
    CHINA_HS6_GROUPS_FILE,
    GAC_REPORTED_FILE,
    GROUP,
    OWNERS,
    REF_SOURCES,
)
from etl.trade.models import (
    BUYER_SIDE_CONTRACT,
    BUYER_SIDE_SOURCE_ID,
    BUYER_SIDE_TABLE,
    CHINA_CUSTOMS_REPORTED_TABLE,
    CHINA_EXPORTS_GROUPS_TABLE,
    CHINA_MONTHLY_SOURCE_ID,
    CHINA_PARTNER_GROUP_CONTRACT,
    GAC_REPORTED_CONTRACT,
    GAC_REPORTED_SOURCE_ID,
)
from etl.trade.partitions import ALL_PARTITION

MAGNET_LINE = "85051110"
# GAC products reported on the 8-digit rare-earth magnet line (alloys and broader categories
# are other lines).
MAGNET_PRODUCTS = ("rare_earth_permanent_magnets",)


def read_partner_groups(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    result = read_contract(path, CHINA_PARTNER_GROUP_CONTRACT)
    out = result.good.select(
        "reporter_iso3",
        "partner_group",
        "flow",
        "hs_code",
        pl.col("year").cast(pl.Int32),
        pl.col("month").cast(pl.Int32),
        "value_usd",
        (pl.col("net_weight_kg") / 1000.0).alias("tonnes"),
        pl.col("note"),
        pl.lit(CHINA_MONTHLY_SOURCE_ID).alias("source_id"),
        "source_file",
        "source_row",
    )
    return out, result.rejected


def read_gac_reported(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    result = read_contract(path, GAC_REPORTED_CONTRACT)
    out = result.good.select(
        "period",
        "period_type",
        pl.col("period").str.slice(0, 4).cast(pl.Int32).alias("year"),
        "reporter_iso3",
        "partner_iso3",
        "flow",
        "product",
        pl.when(pl.col("product").is_in(MAGNET_PRODUCTS))
        .then(pl.lit(MAGNET_LINE))
        .otherwise(pl.lit(None, pl.String))
        .alias("cn_code"),
        "metric",
        "value",
        "unit",
        "qualifier",
        "outlet_or_attribution",
        "source_url",
        "is_derived",
        "note",
        pl.lit(GAC_REPORTED_SOURCE_ID).alias("source_id"),
        "source_file",
        "source_row",
    )
    return out, result.rejected


def read_buyer_side(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    result = read_contract(path, BUYER_SIDE_CONTRACT)
    out = result.good.select(
        "reporter",
        pl.col("reporter_iso3").alias("buyer"),
        "partner_iso3",
        "flow",
        "product_scope",
        "hs_or_cn_codes",
        "period",
        "period_type",
        pl.col("period").str.extract(r"(\d{4})").cast(pl.Int32).alias("year"),
        "metric",
        "value",
        "unit",
        "qualifier",
        "statistical_source",
        "source_url",
        "is_derived",
        "note",
        pl.lit(BUYER_SIDE_SOURCE_ID).alias("source_id"),
        "source_file",
        "source_row",
    )
    return out, result.rejected


TABLES: tuple[tuple[str, tuple[str, str], object, Contract], ...] = (
    (CHINA_EXPORTS_GROUPS_TABLE, CHINA_HS6_GROUPS_FILE, read_partner_groups,
     CHINA_PARTNER_GROUP_CONTRACT),
    (CHINA_CUSTOMS_REPORTED_TABLE, GAC_REPORTED_FILE, read_gac_reported, GAC_REPORTED_CONTRACT),
    (BUYER_SIDE_TABLE, BUYER_SIDE_FILE, read_buyer_side, BUYER_SIDE_CONTRACT),
)  # fmt: skip


@dg.asset(
    key=["trade", "reported_figures"],
    group_name=GROUP,
    kinds={"duckdb", "polars", "csv"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[REF_SOURCES],
    description="Reported trade figures that are not bilateral flows: China's exports per HS6 "
    "to partner groups (core.china_exports_by_partner_group), GAC figures as reported "
    "(core.china_customs_reported, CN 85051110 apart from HS6 850511) and buyers' own import "
    "figures (core.buyer_side_imports_reported, a cross-check).",
)
def reported_figures(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    meta: dict[str, dg.MetadataValue] = {}
    with warehouse.connect() as con:
        for table, file, reader, contract in TABLES:
            frame, rejected = reader(settings.data(*file))  # type: ignore[operator]
            replace_rows(con, table, frame)
            replace_quarantine(con, f"trade.{contract.name}", ALL_PARTITION, rejected)
            meta[f"{table}_rows"] = table_metadata(con, table)["dagster/row_count"]
            meta[f"{table}_rejected"] = dg.MetadataValue.int(rejected.height)
    return dg.MaterializeResult(metadata=meta)
