"""Partitions of the capacity domain: quotas are issued per calendar year."""

import dagster as dg

QUOTA_YEARS = dg.TimeWindowPartitionsDefinition(
    start="2015", fmt="%Y", cron_schedule="0 0 1 1 *", end_offset=1
)
