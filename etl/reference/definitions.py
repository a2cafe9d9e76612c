"""Dagster definitions of the reference domain (gathered by etl/definitions.py)."""

import dagster as dg

from etl.reference import assets, checks

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([assets]),
    asset_checks=checks.ALL,
)
