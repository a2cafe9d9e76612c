"""Trade marts and the core tables derived from trade flows, rebuilt from `.sql` files."""

from typing import Any

import dagster as dg
import duckdb
import polars as pl

from etl.core.marts import sql_mart
from etl.core.metadata import materialize_result
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, load_sql, replace_rows
from etl.reference.lookups import has_table
from etl.trade.common import (
    GROUP,
    OWNERS,
    QUOTA_BY_HOLDER,
    REF_COUNTRIES,
    REF_ORGANISATIONS,
    REF_SOURCES,
    SCENARIO_ASSUMPTIONS,
    TradeMartConfig,
)
from etl.trade.ingest import prepare_reference
from etl.trade.models import (
    AGREEMENTS_TABLE,
    BUYERS_TABLE,
    EU27_ISO3,
    FLOWS_YEARLY_TABLE,
    MART_EXPOSURE,
    MART_FLOWS,
    MART_SCENARIO_INFO,
    MART_SHARES,
    QUOTA_MART,
    SQL_DIR,
)

FLOW_INPUTS = [
    dg.AssetKey(["trade", "comtrade_annual"]),
    dg.AssetKey(["trade", "comtrade_monthly"]),
    dg.AssetKey(["trade", "baci"]),
    dg.AssetKey(["trade", "comext"]),
    dg.AssetKey(["trade", "bundled_flows"]),
]
MART_KEYS = {
    "flows": dg.AssetKey(["marts", "trade_flows"]),
    "yearly": dg.AssetKey(["trade", "flows_yearly"]),
    "shares": dg.AssetKey(["marts", "buyer_supplier_shares"]),
    "mirror": dg.AssetKey(["marts", "mirror_discrepancy"]),
    "exposure": dg.AssetKey(["marts", "buyer_exposure_chain"]),
    "scenario": dg.AssetKey(["marts", "scenario_shortfall"]),
    "buyers": dg.AssetKey(["trade", "buyers"]),
}
# Rebuild a mart when anything upstream was updated (partitioned inputs included).
ON_UPSTREAM_UPDATE = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
)


def _build(
    con: duckdb.DuckDBPyConnection, settings: SettingsResource, sql: str, table: str, **params: Any
) -> dg.MaterializeResult:
    prepare_reference(con, settings)
    con.execute(load_sql(SQL_DIR, "create_bilateral_flows"))
    con.execute(load_sql(SQL_DIR, sql), params or None)
    return materialize_result(con, table)


def _ensure_flows_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(load_sql(SQL_DIR, "create_trade_flows"))


@dg.asset(
    key=MART_KEYS["flows"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[*FLOW_INPUTS, REF_SOURCES],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="Bilateral trade flows (World/aggregate partners excluded), all sources, with "
    "reporter_side and counts_as_origin (false for re-exports/re-imports). Synthetic rows are "
    "excluded unless include_synthetic (then is_synthetic = true marks them).",
)
def trade_flows_mart(
    config: TradeMartConfig, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        _ensure_flows_table(con)
        return _build(
            con,
            settings,
            "build_trade_flows_mart",
            MART_FLOWS,
            include_synthetic=config.include_synthetic,
        )


@dg.asset(
    key=MART_KEYS["yearly"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[*FLOW_INPUTS, REF_SOURCES],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="Origin flows per year with one source per report (importer, exporter or "
    "reconciled), monthly rows summed where no annual report exists (core.trade_flows_yearly).",
)
def trade_flows_yearly(
    config: TradeMartConfig, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        _ensure_flows_table(con)
        return _build(
            con,
            settings,
            "build_trade_flows_yearly",
            FLOWS_YEARLY_TABLE,
            include_synthetic=config.include_synthetic,
        )


@dg.asset(
    key=MART_KEYS["shares"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[MART_KEYS["yearly"]],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="Per buyer (every importing country, and EU27 on extra-EU partners), commodity, "
    "year and currency: each supplier's share of value and tonnes, the HHI of suppliers "
    "(0-10,000) and China's share. Shares never mix currencies.",
)
def buyer_supplier_shares(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        return _build(
            con, settings, "build_buyer_supplier_shares", MART_SHARES, eu27=list(EU27_ISO3)
        )


mirror_discrepancy = sql_mart(
    "mirror_discrepancy",
    SQL_DIR,
    [MART_KEYS["yearly"]],
    GROUP,
    "Exporter-reported vs importer-reported value and tonnes per pair, commodity, year and "
    "currency, with the gap; one-sided rows say why they are not matched.",
    sql_name="build_mirror_discrepancy",
)


@dg.asset(
    key=MART_KEYS["exposure"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[MART_KEYS["shares"], QUOTA_BY_HOLDER, REF_ORGANISATIONS],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="A buyer's imports from China apportioned to the Chinese quota holders and their "
    "provinces by each holder's share of the smelting/separation quota.",
)
def buyer_exposure_chain(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        for needed in (QUOTA_MART, "core.organisations"):
            if not has_table(con, needed):
                raise dg.Failure(
                    f"{needed} is missing: materialize the capacity and reference "
                    "assets (marts/quota_by_holder, reference/organisations) first"
                )
        return _build(con, settings, "build_buyer_exposure_chain", MART_EXPOSURE)


@dg.asset(
    key=MART_KEYS["scenario"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[MART_KEYS["exposure"]],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="Creates the table macro marts.scenario_shortfall(holder_or_province, "
    "cut_fraction) and marts.scenario_shortfall_assumptions (what the scenario assumes).",
)
def scenario_shortfall(warehouse: WarehouseResource) -> dg.MaterializeResult:
    assumptions = pl.DataFrame(
        {
            "n": list(range(1, len(SCENARIO_ASSUMPTIONS) + 1)),
            "assumption": list(SCENARIO_ASSUMPTIONS),
        }
    )
    with warehouse.connect() as con:
        con.execute(load_sql(SQL_DIR, "create_scenario_shortfall"))
        replace_rows(con, MART_SCENARIO_INFO, assumptions)
        return materialize_result(
            con,
            MART_SCENARIO_INFO,
            macro=dg.MetadataValue.text(
                "marts.scenario_shortfall(holder_or_province, cut_fraction)"
            ),
            example=dg.MetadataValue.md(
                "```sql\nSELECT * FROM marts.scenario_shortfall('CN-JX', 0.3);\n```"
            ),
        )


@dg.asset(
    key=MART_KEYS["buyers"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[*FLOW_INPUTS, dg.AssetKey(["trade", "supply_agreements"]), REF_COUNTRIES, REF_SOURCES],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="Buyer entities: importing countries seen in (non-synthetic) trade and companies "
    "named as buyers in supply agreements (core.buyers).",
)
def buyers(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        if not has_table(con, AGREEMENTS_TABLE):
            raise dg.Failure(
                "core.supply_agreements is missing: materialize trade/supply_agreements"
            )
        _ensure_flows_table(con)
        return _build(con, settings, "build_buyers", BUYERS_TABLE)
