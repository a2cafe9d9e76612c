"""Partitions of the trade domain: Comtrade and BACI years, Comtrade months, bundled files."""

import dagster as dg

YEARLY = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start="1995", fmt="%Y", end_offset=1
)
MONTHLY = dg.MonthlyPartitionsDefinition(start_date="2000-01", fmt="%Y-%m", end_offset=1)
BUNDLED_PARTITION = "bundled"  # partition_key of the bundled US rows in core.trade_flows
ALL_PARTITION = "all"  # partition_key of unpartitioned datasets in quarantine.rejected_rows
