"""Dagster definitions of the export-controls domain (gathered by etl/definitions.py)."""

import dagster as dg

from etl.controls import assets, checks, marts

defs = dg.Definitions(
    assets=[*dg.load_assets_from_modules([assets]), *marts.ALL],
    asset_checks=checks.ALL,
)
