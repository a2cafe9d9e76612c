"""The trade domain's Dagster objects: asset keys are a contract (IRIs and lineage use them)."""

from __future__ import annotations

from etl.definitions import build_defs

EXPECTED_KEYS = {
    "trade/comtrade_annual",
    "trade/comtrade_monthly",
    "trade/baci",
    "trade/bundled_flows",
    "trade/supply_agreements",
    "trade/flows_yearly",
    "trade/buyers",
    "marts/trade_flows",
    "marts/buyer_supplier_shares",
    "marts/mirror_discrepancy",
    "marts/buyer_exposure_chain",
    "marts/scenario_shortfall",
}


def test_trade_asset_keys(settings):
    defs = build_defs(settings)
    keys = {
        s.key.to_user_string() for s in defs.resolve_all_asset_specs() if s.group_name == "trade"
    }
    assert keys == EXPECTED_KEYS


def test_sensor_and_monthly_schedule_are_declared(settings):
    defs = build_defs(settings)
    assert defs.resolve_sensor_def("trade_landing_sensor").name == "trade_landing_sensor"
    assert defs.resolve_schedule_def("trade_monthly").cron_schedule == "0 6 2 * *"
