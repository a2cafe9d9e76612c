"""Dagster definitions of the production domain (gathered by etl/definitions.py)."""

import dagster as dg

from etl.production import assets, checks, schedules

defs = dg.Definitions(
    assets=[assets.usgs_world, assets.world_production],
    asset_checks=checks.ALL,
    jobs=schedules.JOBS,
    schedules=schedules.SCHEDULES,
)
