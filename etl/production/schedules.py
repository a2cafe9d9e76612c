"""The USGS job and its yearly schedule (the landing sensor is in etl/ops)."""

import dagster as dg

from etl.core.runs import FILE_READ_RETRY, TRIGGER_TAG
from etl.production.assets import USGS_EDITIONS

USGS_WORLD = dg.AssetKey(["production", "usgs_world"])

usgs_job = dg.define_asset_job(
    "production_usgs",
    selection=dg.AssetSelection.assets(USGS_WORLD),
    op_retry_policy=FILE_READ_RETRY,
    description="One USGS Mineral Commodity Summaries edition.",
)


@dg.schedule(
    name="production_usgs_yearly",
    cron_schedule="0 6 15 2 *",
    job=usgs_job,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Yearly (15 February, after the Mineral Commodity Summaries come out in late "
    "January): load that year's USGS edition (MCS YYYY comes out in January of YYYY).",
)
def usgs_yearly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    edition = f"{context.scheduled_execution_time:%Y}"
    if edition not in USGS_EDITIONS.get_partition_keys():
        return dg.SkipReason(f"USGS edition {edition} is outside the edition partitions")
    return dg.RunRequest(
        run_key=f"usgs-{edition}", partition_key=edition, tags={TRIGGER_TAG: "schedule"}
    )


JOBS = [usgs_job]
SCHEDULES = [usgs_yearly]
