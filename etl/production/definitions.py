"""Dagster definitions of the production domain (gathered by etl/definitions.py)."""

import dagster as dg

from etl.production import assets, checks, schedules
from etl.production.fetch_usgs import production_fetch_usgs_february, usgs_fetch_job

defs = dg.Definitions(
    assets=[
        assets.usgs_world,
        assets.world_production,
        assets.production_revisions,
        assets.net_import_reliance,
        assets.oxide_prices,
    ],
    asset_checks=checks.ALL,
    jobs=[*schedules.JOBS, usgs_fetch_job],
    schedules=[*schedules.SCHEDULES, production_fetch_usgs_february],
)
