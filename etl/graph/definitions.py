"""Dagster definitions of the graph domain (gathered by etl/definitions.py)."""

import dagster as dg

from etl.graph import assets, checks

defs = dg.Definitions(
    assets=[assets.release_candidate],
    asset_checks=checks.ALL,
)
