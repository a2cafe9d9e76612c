"""Dagster definitions of the capacity domain (gathered by etl/definitions.py)."""

import dagster as dg

from etl.capacity import assets, checks, crosscheck, marts, replacements, schedules

defs = dg.Definitions(
    assets=[*dg.load_assets_from_modules([assets, replacements]), *marts.ALL, *crosscheck.ASSETS],
    asset_checks=[*checks.ALL, *crosscheck.CHECKS],
    jobs=schedules.JOBS,
    schedules=schedules.SCHEDULES,
)
