"""Unattended operation: schedules, the landing sensor, declarative automation, freshness, retries.

- Inputs are pulled by schedules (quotas and USGS yearly; trade monthly lives in `etl/trade`) and
  by `capacity_production_landing_sensor`, which requests only the partitions a landed file
  changes.
- Everything downstream (marts, graph, report, the published warehouse) follows its inputs by
  declarative automation (`FOLLOW_INPUTS`, evaluated by `follow_inputs_sensor`), so a landed file
  ends in the published warehouse and graph without anyone starting a run.
- Freshness policies say how old each asset may get, by the cadence of its sources.
- Runs started here retry failed steps with exponential backoff (`FILE_READ_RETRY`): a file still
  being copied, a network share hiccup or a DuckDB lock held too long are transient.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import dagster as dg

from etl.capacity.partitions import QUOTA_YEARS
from etl.core.settings_resource import SettingsResource
from etl.ops.landing import (
    CAPACITY_FILES,
    QUOTAS,
    USGS_WORLD,
    WHOLE_FILE,
    changed_partitions,
    landed_files,
    unmatched_files,
)
from etl.ops.recovery import orphaned_runs_sensor
from etl.ops.run import RANGE_END, RANGE_START
from etl.production.assets import USGS_EDITIONS

FILE_READ_RETRY = dg.RetryPolicy(
    max_retries=3, delay=2.0, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
LANDING_INTERVAL_SECONDS = 15
AUTOMATION_INTERVAL_SECONDS = 15
TRIGGER_TAG = "reekg/trigger"
FILES_TAG = "reekg/files"

# Groups and key prefixes whose assets are derived from other assets and follow them.
FOLLOWER_GROUPS = ("graph", "report", "publish")
FOLLOWER_PREFIX = "marts"

# Sources refreshed yearly (quotas, USGS, reference lists) and monthly (trade).
YEARLY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=400), warn_window=timedelta(days=370)
)
MONTHLY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=62), warn_window=timedelta(days=35)
)

quotas_job = dg.define_asset_job(
    "capacity_quotas",
    selection=dg.AssetSelection.assets(QUOTAS),
    op_retry_policy=FILE_READ_RETRY,
    description="Quota years from the quota file (one run may cover a range of years).",
)
usgs_job = dg.define_asset_job(
    "production_usgs",
    selection=dg.AssetSelection.assets(USGS_WORLD),
    op_retry_policy=FILE_READ_RETRY,
    description="One USGS Mineral Commodity Summaries edition.",
)
capacity_files_job = dg.define_asset_job(
    "capacity_files",
    selection=dg.AssetSelection.assets(*CAPACITY_FILES.values()),
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


def _files_tag(entries: Iterable[str]) -> str:
    """The landed files of `relpath@digest` entries, for the run's tags."""
    return ",".join(sorted({e.rsplit("@", 1)[0] for e in entries}))[:1000]


def _run_key(prefix: str, entries: Iterable[str]) -> str:
    """A run key naming the content, so a file changed back and forth still runs each time."""
    digest = hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:16]
    return f"{prefix}/{digest}"


def landing_requests(
    changed: Mapping[dg.AssetKey, Mapping[str, Sequence[str]]],
    quota_years: Sequence[str],
    editions: Sequence[str],
) -> tuple[list[dg.RunRequest], list[str]]:
    """Run requests for changed partitions, and notes on what was ignored (unknown partitions).

    `changed` maps asset -> partition (or `*`) -> `relpath@digest` entries of the files.
    """
    requests: list[dg.RunRequest] = []
    notes: list[str] = []
    if QUOTAS in changed:
        parts = changed[QUOTAS]
        entries = [e for files in parts.values() for e in files]
        years = (
            sorted(quota_years)
            if WHOLE_FILE in parts
            else sorted(k for k in parts if k in quota_years)
        )
        notes += [
            f"quota year {k!r} is not a partition; ignored"
            for k in parts
            if k != WHOLE_FILE and k not in quota_years
        ]
        if years:
            requests.append(
                dg.RunRequest(
                    run_key=_run_key(f"landing/quotas/{years[0]}-{years[-1]}", entries),
                    job_name=quotas_job.name,
                    tags={
                        RANGE_START: years[0],
                        RANGE_END: years[-1],
                        TRIGGER_TAG: "landing",
                        FILES_TAG: _files_tag(entries),
                    },
                )
            )
    for edition, landed in sorted(changed.get(USGS_WORLD, {}).items()):
        if edition not in editions:
            notes.append(
                f"USGS edition {edition} is outside the edition partitions "
                f"({editions[0]}-{editions[-1]})"
            )
            continue
        requests.append(
            dg.RunRequest(
                run_key=_run_key(f"landing/usgs/{edition}", landed),
                job_name=usgs_job.name,
                partition_key=edition,
                tags={TRIGGER_TAG: "landing", FILES_TAG: _files_tag(landed)},
            )
        )
    assets = sorted(
        (k for k in changed if k in CAPACITY_FILES.values()), key=lambda k: k.to_user_string()
    )
    if assets:
        entries = [e for k in assets for files in changed[k].values() for e in files]
        requests.append(
            dg.RunRequest(
                run_key=_run_key("landing/capacity", entries),
                job_name=capacity_files_job.name,
                asset_selection=assets,
                tags={TRIGGER_TAG: "landing", FILES_TAG: _files_tag(entries)},
            )
        )
    return requests, notes


@dg.sensor(
    name="capacity_production_landing_sensor",
    minimum_interval_seconds=LANDING_INTERVAL_SECONDS,
    jobs=[quotas_job, usgs_job, capacity_files_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches landing/capacity/ (any quota CSV, holdings, reallocations, facilities) "
    "and "
    "landing/production/mcsYYYY-raree_world.csv; requests runs only for the quota years, USGS "
    "edition or capacity assets whose content changed. Symlinks and paths leaving the landing "
    "folder are ignored.",
)
def landing_sensor(
    context: dg.SensorEvaluationContext, settings: SettingsResource
) -> dg.SensorResult:
    landing = Path(settings.landing_dir)
    cursor: dict[str, dict[str, str]] = json.loads(context.cursor) if context.cursor else {}
    files = landed_files(landing)
    changed = changed_partitions(files, cursor)
    requests, notes = landing_requests(
        changed, QUOTA_YEARS.get_partition_keys(), USGS_EDITIONS.get_partition_keys()
    )
    for note in [*notes, *unmatched_files(landing)]:
        context.log.warning(note)
    kept = {k: v for k, v in cursor.items() if (landing / k).is_file()}
    kept.update({f.relpath: f.digests for f in files})
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(kept, sort_keys=True))


def follow_inputs(partitioned: Sequence[dg.AssetKey]) -> dg.AutomationCondition:
    """`eager()`, except that missing partitions of partitioned inputs do not block it.

    Plain `eager()` waits until every dependency partition exists; quota years run up to the
    current year and trade months up to this month, most of which never get data, so a mart
    over them would never run.
    """
    return (
        dg.AutomationCondition.eager()
        .replace(
            "any_deps_missing",
            dg.AutomationCondition.any_deps_missing().ignore(
                dg.AssetSelection.assets(*partitioned)
            ),
        )
        .with_label("follow_inputs")
    )


follow_inputs_sensor = dg.AutomationConditionSensorDefinition(
    "follow_inputs_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_INTERVAL_SECONDS,
    run_tags={TRIGGER_TAG: "automation"},
    description="Evaluates the automation conditions: marts, graph, report and the published "
    "warehouse are rebuilt once their inputs were updated and no input is still running.",
)


def is_follower(spec: dg.AssetSpec) -> bool:
    """Assets derived only from other assets: marts, graph, report, published snapshot."""
    return spec.key.path[0] == FOLLOWER_PREFIX or spec.group_name in FOLLOWER_GROUPS


def apply_operations(defs: dg.Definitions) -> dg.Definitions:
    """The deployment's definitions with automation conditions and freshness policies applied.

    Followers get `follow_inputs` (replacing any condition set in the domain); every asset gets
    the freshness policy of its sources' cadence unless its domain set one. Runs execute their
    steps in one process: writers are serialized by the pool anyway, and a process per step
    costs an import of every domain each. Idempotent.
    """
    specs = list(defs.resolve_all_asset_specs())
    partitioned = [s.key for s in specs if s.partitions_def is not None]
    condition = follow_inputs(partitioned)
    graph = defs.resolve_asset_graph()
    trade = {s.key for s in specs if s.group_name == "trade"}
    monthly = dg.AssetSelection.assets(*trade).downstream().resolve(graph) if trade else set()
    followers = {s.key for s in specs if is_follower(s)}

    def with_policies(spec: dg.AssetSpec) -> dg.AssetSpec:
        policy = MONTHLY_FRESHNESS if spec.key in monthly else YEARLY_FRESHNESS
        spec = dg.apply_freshness_policy(spec, policy, overwrite_existing=False)
        if spec.key in followers:
            spec = spec.replace_attributes(automation_condition=condition)
        return spec

    mapped = defs.map_asset_specs(func=with_policies)
    if mapped.executor is not None:
        return mapped
    return dg.Definitions.merge(mapped, dg.Definitions(executor=dg.in_process_executor))


defs = dg.Definitions(
    jobs=[quotas_job, usgs_job, capacity_files_job],
    schedules=[quotas_yearly, usgs_yearly],
    sensors=[landing_sensor, follow_inputs_sensor, orphaned_runs_sensor],
)
