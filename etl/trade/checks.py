"""Asset checks of the trade marts: the invariants docs/trade.md promises."""

from __future__ import annotations

import dagster as dg

from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WarehouseResource, load_sql
from etl.trade.ingest import country_codes
from etl.trade.marts import MART_KEYS
from etl.trade.models import SQL_DIR


def _count(warehouse: WarehouseResource, sql: str, **params: object) -> int:
    with warehouse.connect() as con:
        rows = con.execute(load_sql(SQL_DIR, sql), params or None).fetchall()
    return int(rows[0][0])


def _result(bad: int, what: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=bad == 0, metadata={"failing_rows": bad}, description=f"{bad} {what}"
    )


@dg.asset_check(
    asset=MART_KEYS["flows"], description="No World/aggregate partner in bilateral flows."
)
def no_aggregate_partners(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        aggregates = sorted(country_codes(con, settings).aggregates)
    bad = _count(warehouse, "check_aggregate_partners", aggregates=aggregates)
    return _result(bad, "rows with an aggregate exporter or importer")


@dg.asset_check(asset=MART_KEYS["flows"], description="Synthetic rows are always flagged.")
def synthetic_rows_flagged(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return _result(_count(warehouse, "check_synthetic_flagged"), "synthetic rows not flagged")


@dg.asset_check(asset=MART_KEYS["shares"], description="Supplier value shares sum to 1 per buyer.")
def supplier_shares_sum_to_one(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return _result(
        _count(warehouse, "check_shares_sum"), "buyer groups whose shares do not sum to 1"
    )


@dg.asset_check(
    asset=MART_KEYS["exposure"], description="Apportioned values add up to the imports from China."
)
def exposure_adds_up(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return _result(_count(warehouse, "check_exposure_sum"), "buyer groups that do not add up")


CHECKS = [
    no_aggregate_partners,
    synthetic_rows_flagged,
    supplier_shares_sum_to_one,
    exposure_adds_up,
]
