"""A second source for quota figures: reported points (press and secondary reports), loaded as
a cross-check of core.quotas, never merged into it.

`capacity/quota_reported_points` loads data/capacity/china_quota_reported_points.csv (and any
landed CSV of landing/capacity/ with its header) into core.quota_reported_points, with batch and
ore type normalized to core.quotas' codes. `marts/quota_cross_check` pairs each point with the
core.quotas figure of the same key: `agrees` (within rounding), `disagrees` (listed with both
values and both sources), `new_key` (no figure in core.quotas, e.g. 2010-2013) or
`unresolved_holder`. The non-blocking check `sources_agree` lists the disagreements.
"""

from pathlib import Path

import dagster as dg
import polars as pl

from etl.core.checks import sql_check
from etl.core.contracts import Contract, Field, empty_rejections
from etl.core.landing import landed_files_of
from etl.core.loading import load_file
from etl.core.marts import sql_mart
from etl.core.metadata import materialize_result
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, load_sql

SQL_DIR = Path(__file__).parent / "sql"
POINTS_FILE = "capacity/china_quota_reported_points.csv"
POINTS_KEY = dg.AssetKey(["capacity", "quota_reported_points"])
ORE_TYPES = {"light (rock)": "rock", "rock": "rock", "ion-adsorption": "ion", "ion": "ion"}

QUOTA_POINTS = Contract(
    "quota_reported_points",
    (
        Field("year", "int", minimum=1990),
        Field("batch", description="1, 2, 3, 'total' or a note such as '1 (comparison ...)'"),
        Field("holder_or_region"),
        Field("holder_type"),
        Field("ore_type"),
        Field("quota_type", description="As printed: mining, smelting_separation, 'output cap'"),
        Field("value_t_reo", "float", minimum=0),
        Field("qualifier", required=False),
        Field("announced_date", required=False),
        Field("source_url"),
        Field("is_derived", "bool"),
        Field("note", required=False),
    ),
    description="Quota figures as reported by press and secondary sources (a cross-check).",
)


def normalize_points(frame: pl.DataFrame) -> pl.DataFrame:
    """Batch as core.quotas codes it (leading digit, or 'annual' for a total), ore types as
    rock/ion/all and quota types as mining/smelting_separation when the printed text says so;
    the printed values are kept beside them."""
    batch = pl.col("batch").str.strip_chars().str.to_lowercase()
    return frame.with_columns(
        pl.when(batch.str.contains(r"^(total|annual)"))
        .then(pl.lit("annual"))
        .otherwise(batch.str.extract(r"^(\d)", 1))
        .alias("batch_code"),
        pl.col("ore_type")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(ORE_TYPES, default=pl.col("ore_type").str.strip_chars().str.to_lowercase())
        .alias("ore_code"),
        pl.when(pl.col("quota_type").str.contains(r"(?i)smelting|separation"))
        .then(pl.lit("smelting_separation"))
        .when(pl.col("quota_type").str.contains(r"(?i)mining"))
        .then(pl.lit("mining"))
        .otherwise(pl.col("quota_type"))
        .alias("quota_code"),
    )


@dg.asset(
    key=POINTS_KEY,
    group_name="capacity",
    owners=["team:capacity"],
    kinds={"duckdb", "polars", "csv"},
    pool=WRITER_POOL,
    deps=[dg.AssetKey(["reference", "sources"]), dg.AssetKey(["reference", "entity_aliases"])],
    description="Quota figures reported by press and secondary sources "
    "(core.quota_reported_points): a second source per key, cross-checked against core.quotas "
    "in marts/quota_cross_check, never merged into it.",
)
def quota_reported_points(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    def resolve(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        return normalize_points(frame), empty_rejections()

    with warehouse.connect() as con:
        report, _ = load_file(
            con,
            path=settings.data(POINTS_FILE),
            label=POINTS_FILE,
            contract=QUOTA_POINTS,
            core_table="core.quota_reported_points",
            resolve=resolve,
            landing=Path(settings.landing_dir),
            landed=landed_files_of(settings.landing_dir, "capacity", QUOTA_POINTS),
        )
        return materialize_result(con, "core.quota_reported_points", rejected=report.rejected)


quota_cross_check = sql_mart(
    "quota_cross_check",
    SQL_DIR,
    [POINTS_KEY, dg.AssetKey(["capacity", "quotas"]), dg.AssetKey(["reference", "sources"])],
    "capacity",
    "Each reported quota point beside core.quotas' figure for the same year, batch, quota type, "
    "ore type and holder: agrees (within rounding), disagrees (both values and both sources), "
    "new_key or unresolved_holder.",
)

sources_agree = sql_check(
    ["marts", "quota_cross_check"],
    "sources_agree",
    load_sql(SQL_DIR, "check_sources_agree"),
    "No quota key where the reported points and core.quotas disagree beyond rounding "
    "(e.g. 127,000 t printed as the 2019 mining quota: that is the smelting quota).",
    blocking=False,
)

ASSETS = [quota_reported_points, quota_cross_check]
CHECKS = [sources_agree]
