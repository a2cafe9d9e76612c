"""Dagster definitions of the supply-risk domain (gathered by etl/definitions.py)."""

import dagster as dg

from etl.risk import assets, checks, marts

defs = dg.Definitions(
    assets=[*dg.load_assets_from_modules([assets]), marts.supply_risk],
    asset_checks=checks.ALL,
)
