"""Dagster definitions of the trade domain (gathered by etl/definitions.py)."""

import dagster as dg

from etl.trade.assets import ASSETS
from etl.trade.checks import CHECKS
from etl.trade.fetch_comext import comext_fetch_job, trade_fetch_comext_monthly
from etl.trade.fetch_comtrade import comtrade_fetch_job, trade_fetch_monthly
from etl.trade.sensors import (
    trade_landing_sensor,
    trade_monthly_ingest_job,
    trade_monthly_schedule,
    trade_refresh_job,
    trade_yearly_ingest_job,
)

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    sensors=[trade_landing_sensor],
    schedules=[trade_monthly_schedule, trade_fetch_monthly, trade_fetch_comext_monthly],
    jobs=[
        trade_refresh_job,
        trade_yearly_ingest_job,
        trade_monthly_ingest_job,
        comtrade_fetch_job,
        comext_fetch_job,
    ],
)
