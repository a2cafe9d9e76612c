"""Jobs and the yearly schedule of the capacity domain (the landing sensor is in etl/ops)."""

import dagster as dg

from etl.capacity.partitions import QUOTA_YEARS
from etl.core.runs import FILE_READ_RETRY, RANGE_END, RANGE_START, TRIGGER_TAG

QUOTAS = dg.AssetKey(["capacity", "quotas"])
CAPACITY_FILE_ASSETS = [
    dg.AssetKey(["capacity", "holdings_baseline"]),
    dg.AssetKey(["capacity", "reallocations"]),
    dg.AssetKey(["capacity", "facilities"]),
]

quotas_job = dg.define_asset_job(
    "capacity_quotas",
    selection=dg.AssetSelection.assets(QUOTAS),
    op_retry_policy=FILE_READ_RETRY,
    description="Quota years from the quota file (one run may cover a range of years).",
)
capacity_files_job = dg.define_asset_job(
    "capacity_files",
    selection=dg.AssetSelection.assets(*CAPACITY_FILE_ASSETS),
    op_retry_policy=FILE_READ_RETRY,
    description="Holdings baseline, reallocations and facilities (unpartitioned capacity files).",
)


@dg.schedule(
    name="capacity_quotas_yearly",
    cron_schedule="0 6 1 3 *",
    job=quotas_job,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Yearly (1 March, after MIIT's first batch): reload the current and the previous "
    "quota year, since second batches and corrections arrive late.",
)
def quotas_yearly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    year = context.scheduled_execution_time.year
    keys = QUOTA_YEARS.get_partition_keys(current_time=context.scheduled_execution_time)
    wanted = [k for k in keys if int(k) in (year - 1, year)] or keys[-1:]
    return dg.RunRequest(
        run_key=f"quotas-{wanted[0]}-{wanted[-1]}",
        tags={RANGE_START: wanted[0], RANGE_END: wanted[-1], TRIGGER_TAG: "schedule"},
    )


JOBS = [quotas_job, capacity_files_job]
SCHEDULES = [quotas_yearly]
