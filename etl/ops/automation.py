"""Unattended operation: schedules, the landing sensor, declarative automation, freshness, retries.

- Inputs are pulled by the domains' schedules (`etl/<domain>/schedules.py`) and by
  `capacity_production_landing_sensor` (built here for the jobs `etl/definitions.py` passes),
  which requests only the partitions a landed file changes.
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
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import dagster as dg

from etl.core.runs import FILE_READ_RETRY, FILES_TAG, RANGE_END, RANGE_START, TRIGGER_TAG
from etl.core.settings_resource import SettingsResource
from etl.ops.landing import (
    BUNDLED,
    CAPACITY_FILES,
    QUOTAS,
    REFERENCE,
    USGS_WORLD,
    WHOLE_FILE,
    changed_partitions,
    landed_files,
    unmatched_files,
)
from etl.ops.recovery import orphaned_runs_sensor

__all__ = ["FILES_TAG", "FILE_READ_RETRY", "TRIGGER_TAG"]

LANDING_INTERVAL_SECONDS = 15
AUTOMATION_INTERVAL_SECONDS = 15

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


REFERENCE_GROUP = "reference"
# A reference change re-runs the reference assets and, in the same run (so after them), every
# partition reading them: one job per partitions definition.
reference_quotas_job = dg.define_asset_job(
    "reference_and_capacity",
    selection=dg.AssetSelection.groups(REFERENCE_GROUP)
    | dg.AssetSelection.assets(QUOTAS, *CAPACITY_FILES),
    op_retry_policy=FILE_READ_RETRY,
    description="Reference assets, then every quota year and the capacity files (a reference "
    "file changed).",
)
reference_usgs_job = dg.define_asset_job(
    "reference_and_usgs",
    selection=dg.AssetSelection.groups(REFERENCE_GROUP) | dg.AssetSelection.assets(USGS_WORLD),
    op_retry_policy=FILE_READ_RETRY,
    description="Reference assets, then every USGS edition (a reference file changed).",
)


@dataclass(frozen=True)
class LandingTargets:
    """What the capacity/production landing sensor starts: the domains' jobs and partitions."""

    quotas_job: dg.UnresolvedAssetJobDefinition
    usgs_job: dg.UnresolvedAssetJobDefinition
    capacity_files_job: dg.UnresolvedAssetJobDefinition
    quota_years: dg.PartitionsDefinition
    editions: dg.PartitionsDefinition

    @property
    def jobs(self) -> list[dg.UnresolvedAssetJobDefinition]:
        return [
            self.quotas_job,
            self.usgs_job,
            self.capacity_files_job,
            reference_quotas_job,
            reference_usgs_job,
        ]


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
    targets: LandingTargets,
) -> tuple[list[dg.RunRequest], list[str]]:
    """Run requests for changed partitions, and notes on what was ignored (unknown partitions).

    `changed` maps asset -> partition (or `*`) -> `relpath@digest` entries of the files.
    """
    requests: list[dg.RunRequest] = []
    notes: list[str] = []
    if REFERENCE in changed:
        return reference_requests(changed, quota_years, editions), notes
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
                    job_name=targets.quotas_job.name,
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
                job_name=targets.usgs_job.name,
                partition_key=edition,
                tags={TRIGGER_TAG: "landing", FILES_TAG: _files_tag(landed)},
            )
        )
    assets = sorted((k for k in changed if k in CAPACITY_FILES), key=lambda k: k.to_user_string())
    if assets:
        entries = [e for k in assets for files in changed[k].values() for e in files]
        requests.append(
            dg.RunRequest(
                run_key=_run_key("landing/capacity", entries),
                job_name=targets.capacity_files_job.name,
                asset_selection=assets,
                tags={TRIGGER_TAG: "landing", FILES_TAG: _files_tag(entries)},
            )
        )
    return requests, notes


def reference_requests(
    changed: Mapping[dg.AssetKey, Mapping[str, Sequence[str]]],
    quota_years: Sequence[str],
    editions: Sequence[str],
) -> list[dg.RunRequest]:
    """A reference file changed: two runs, each rebuilding the reference assets and then every
    partition that reads them (quota years with the capacity files; USGS editions). They cover
    whatever else changed in the same tick."""
    entries = [e for parts in changed.values() for files in parts.values() for e in files]
    tags = {TRIGGER_TAG: "landing", FILES_TAG: _files_tag(entries)}
    return [
        dg.RunRequest(
            run_key=_run_key(f"landing/reference/{job.name}", entries),
            job_name=job.name,
            tags={**tags, RANGE_START: keys[0], RANGE_END: keys[-1]},
        )
        for job, keys in ((reference_quotas_job, quota_years), (reference_usgs_job, editions))
        if keys
    ]


def landing_sensor_for(targets: LandingTargets) -> dg.SensorDefinition:
    """The sensor on landing/capacity/ and landing/production/ starting `targets`' jobs."""

    @dg.sensor(
        name="capacity_production_landing_sensor",
        minimum_interval_seconds=LANDING_INTERVAL_SECONDS,
        jobs=targets.jobs,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Watches landing/capacity/ (quotas, holdings, reallocations), "
        "landing/facilities/, landing/production/mcsYYYY-raree_*.csv, landing/reference/ and the "
        "bundled reference files; requests runs only for the quota years, USGS editions or "
        "capacity assets whose content changed (a reference change: the reference assets and "
        "every partition reading them). Symlinks and paths leaving the landing folder are "
        "ignored.",
    )
    def landing_sensor(
        context: dg.SensorEvaluationContext, settings: SettingsResource
    ) -> dg.SensorResult:
        landing = Path(settings.landing_dir)
        cursor: dict[str, dict[str, str]] = json.loads(context.cursor) if context.cursor else {}
        files = landed_files(landing, data_dir=Path(settings.data_dir))
        # The bundled files are the baseline: only a change after the first tick runs anything.
        cursor = {
            **{f.relpath: f.digests for f in files if f.relpath.startswith(BUNDLED)},
            **cursor,
        }
        changed = changed_partitions(files, cursor)
        requests, notes = landing_requests(
            changed,
            targets.quota_years.get_partition_keys(),
            targets.editions.get_partition_keys(),
            targets,
        )
        for note in [*notes, *unmatched_files(landing)]:
            context.log.warning(note)
        kept = {
            k: v
            for k, v in cursor.items()
            if not k.startswith(BUNDLED) and (landing / k).is_file()  # settling, kept as seen
        }
        kept.update({f.relpath: f.digests for f in files})
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(kept, sort_keys=True))

    return landing_sensor


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


def operations_defs(targets: LandingTargets) -> dg.Definitions:
    """The cross-cutting sensors: landing (for `targets`), automation, orphaned-run recovery."""
    return dg.Definitions(
        sensors=[landing_sensor_for(targets), follow_inputs_sensor, orphaned_runs_sensor]
    )
