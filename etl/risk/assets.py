"""Supply-risk inputs as sourced core tables: World Bank governance indicators, the 2023 EU
assessment's supply shares and parameters, and this project's method parameters and proxies."""

from __future__ import annotations

import dagster as dg
import polars as pl

from etl.core.contracts import Contract, empty_rejections, reject_where
from etl.core.loading import Resolver, load_file
from etl.core.metadata import materialize_result
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, query_frame
from etl.risk import models

GROUP = "risk"
OWNERS = ["team:risk"]
KINDS = {"duckdb", "polars", "csv"}
REF_SOURCES = dg.AssetKey(["reference", "sources"])
REF_ELEMENTS = dg.AssetKey(["reference", "elements"])
WGI_SOURCE = "wb-wgi-2024"
STAGE_NAMES = {"E": "extraction", "P": "processing", "overall": "overall"}
# Material names of the published files that stand for a group of elements, not one element.
GROUP_NAMES = {"HREE": "HREE", "LREE": "LREE", "Heavy Rare earths Elements": "HREE"}

WGI_FILE = "risk/wgi_2024update_estimates_2016_2023.csv"
GLOBAL_SHARES_FILE = "risk/eu_crm2023_global_supply_shares_ree.csv"
EU_SHARES_FILE = "risk/eu_crm2023_eu_sourcing_shares_ree.csv"
PARAMETERS_FILE = "risk/eu_crm_ree_parameters_long.csv"
METHOD_FILE = "risk/method_parameters.csv"
PROXY_FILE = "risk/hs_stage_proxy.csv"


def _load(
    warehouse: WarehouseResource,
    settings: SettingsResource,
    relpath: str,
    contract: Contract,
    core_table: str,
    resolve: Resolver | None = None,
    where: str = "TRUE",
    params: list[object] | None = None,
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        report, _ = load_file(
            con,
            path=settings.data(relpath),
            label=relpath,
            contract=contract,
            core_table=core_table,
            resolve=resolve,
            where=where,
            params=params,
        )
        return materialize_result(con, core_table, rejected=report.rejected)


def with_elements(frame: pl.DataFrame, elements: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Element symbol from the published material name; group names kept as groups (no symbol).

    Unknown names are rejected, so a new spelling cannot pass as a group.
    """
    named = frame.with_columns(
        pl.col("material").replace_strict(GROUP_NAMES, default=None).alias("_group")
    ).join(
        elements.select(pl.col("name").alias("material"), pl.col("symbol").alias("element_symbol")),
        on="material",
        how="left",
    )
    unknown = pl.col("element_symbol").is_null() & pl.col("_group").is_null()
    rejected = reject_where(
        named, unknown, "material", "not a rare-earth element name of core.elements nor a group"
    )
    good = named.filter(~unknown).with_columns(
        pl.coalesce("_group", "material").alias("material"),
        pl.col("material").alias("material_as_published"),
        pl.col("source_path").replace_strict(models.SOURCE_BY_PATH).alias("source_id"),
        pl.col("stage").replace_strict(STAGE_NAMES).alias("stage"),
    )
    return good.drop("_group"), rejected


def _elements(warehouse: WarehouseResource) -> pl.DataFrame:
    with warehouse.connect() as con:
        return query_frame(con, "SELECT symbol, name FROM core.elements")


@dg.asset(
    key=["risk", "wgi_estimates"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[REF_SOURCES],
    description="World Bank Worldwide Governance Indicators, 2024 update (core.wgi_estimates): "
    "the six estimates (-2.5 worst .. 2.5) per economy and year, 2016-2023, with ISO3 codes.",
)
def wgi_estimates(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    def resolve(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        out = frame.select(
            "wb_code",
            "iso3",
            "country_name",
            pl.col("year").cast(pl.Int32),
            "dimension",
            "estimate",
            pl.lit(WGI_SOURCE).alias("source_id"),
        )
        return out, empty_rejections()

    return _load(warehouse, settings, WGI_FILE, models.WGI, "core.wgi_estimates", resolve)


@dg.asset(
    key=["risk", "crm_supply_shares"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[REF_SOURCES, REF_ELEMENTS],
    description="The 2023 EU assessment's global supply and EU sourcing shares by country and "
    "stage (extraction, processing) with the trade variable t, every rare earth and scandium "
    "(core.crm_supply_shares); percent as published, `<0.1%` kept as a qualifier.",
)
def crm_supply_shares(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    elements = _elements(warehouse)
    with warehouse.connect() as con:
        rejected = 0
        for relpath in (GLOBAL_SHARES_FILE, EU_SHARES_FILE):

            def resolve(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
                good, bad = with_elements(frame, elements)
                return good.select(
                    pl.col("assessment_year").cast(pl.Int32),
                    "scope",
                    "material",
                    "material_as_published",
                    "element_symbol",
                    "ree_group",
                    "stage",
                    "iso3",
                    "country_as_published",
                    "share_pct",
                    "share_as_published",
                    "share_qualifier",
                    "t",
                    "source_id",
                ), bad

            report, _ = load_file(
                con,
                path=settings.data(relpath),
                label=relpath,
                contract=models.SHARES,
                core_table="core.crm_supply_shares",
                resolve=resolve,
                partition_key=relpath,
                where="scope = ?",
                params=["global_supply" if relpath == GLOBAL_SHARES_FILE else "eu_sourcing"],
            )
            rejected += report.rejected
        return materialize_result(con, "core.crm_supply_shares", rejected=rejected)


@dg.asset(
    key=["risk", "crm_parameters"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[REF_SOURCES, REF_ELEMENTS],
    description="The EU assessments' rare-earth parameters and results (core.crm_parameters): "
    "published SR per stage and overall, import reliance, end-of-life recycling input rate, "
    "substitution indices, supply basis; value as published and as a number where it is one.",
)
def crm_parameters(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    elements = _elements(warehouse)

    def resolve(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        good, bad = with_elements(frame, elements)
        return good.select(
            pl.col("assessment_year").cast(pl.Int32),
            "material",
            "material_as_published",
            "element_symbol",
            "ree_group",
            "stage",
            "parameter",
            pl.col("value").alias("value_as_published"),
            pl.col("value").cast(pl.Float64, strict=False).alias("value"),
            "unit",
            "note",
            "source_id",
        ), bad

    return _load(
        warehouse, settings, PARAMETERS_FILE, models.PARAMETERS, "core.crm_parameters", resolve
    )


@dg.asset(
    key=["risk", "method_parameters"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[REF_SOURCES],
    description="This project's supply-risk method parameters (core.risk_method_parameters): "
    "governance reference years, China's t under export control, the controls date, importer "
    "import reliance; each says whether it follows a source or is an assumption.",
)
def method_parameters(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    return _load(warehouse, settings, METHOD_FILE, models.METHOD, "core.risk_method_parameters")


@dg.asset(
    key=["risk", "hs_stage_proxy"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[REF_ELEMENTS],
    description="HS6 headings read as a documented proxy for an element's processing stage in "
    "trade-based sourcing (core.risk_hs_stage_proxy): 284690 compounds, 284610 cerium compounds, "
    "280530 metals.",
)
def hs_stage_proxy(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    return _load(warehouse, settings, PROXY_FILE, models.HS_PROXY, "core.risk_hs_stage_proxy")
