"""Headless materialization of everything (`make run`, `reekg run`): no server, no daemon.

Dagster runs one partitions definition per run, so the asset graph is cut into the fewest
ordered runs: each asset joins the earliest run with its partitions definition that comes
after every run holding one of its dependencies. A partitioned run covers all its partitions
at once (the assets use single-run backfill policies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from etl.core.runs import RANGE_END, RANGE_START
from etl.definitions import build_defs
from etl.ops.instance import instance_for
from etl.ops.recovery import recover_orphaned_runs
from etl.ops.runlog import append_run_log, failure_line, run_log_path
from etl.publish.release import release_closure
from etl.settings import Settings, require_inputs

# nothing on the terminal from Dagster: the full log goes to a file (etl/ops/runlog.py)
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class RunBatch:
    """Assets materialized together in one run."""

    partitions_def: dg.PartitionsDefinition | None
    keys: list[dg.AssetKey] = field(default_factory=list)


@dataclass
class RunSummary:
    """What a headless run did: per asset row counts, check outcomes, failures."""

    rows: dict[str, int] = field(default_factory=dict)
    checks_passed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    checks_warned: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    log_path: Path | None = None

    @property
    def success(self) -> bool:
        return not self.failed_steps and not self.checks_failed


def plan_runs(defs: dg.Definitions, selection: dg.AssetSelection | None = None) -> list[RunBatch]:
    """Ordered runs covering the selected assets (default: all)."""
    graph = defs.resolve_asset_graph()
    selected = (selection or dg.AssetSelection.all()).resolve(graph)
    selected = release_closure(graph, selected)
    specs = {s.key: s for s in defs.resolve_all_asset_specs() if s.key in selected}
    order = [k for k in graph.toposorted_asset_keys if k in specs]
    batches: list[RunBatch] = []
    placed: dict[dg.AssetKey, int] = {}
    for key in order:
        if key in placed:
            continue
        pdef = specs[key].partitions_def
        group = sorted(graph.get(key).execution_set_asset_keys & specs.keys(), key=str)
        lowest = 0
        for dep in (d for k in group for d in specs[k].deps):
            if dep.asset_key in placed:
                i = placed[dep.asset_key]
                lowest = max(lowest, i if batches[i].partitions_def == pdef else i + 1)
        index = next(
            (i for i in range(lowest, len(batches)) if batches[i].partitions_def == pdef), None
        )
        if index is None:
            batches.append(RunBatch(pdef))
            index = len(batches) - 1
        for member in group:  # a multi-asset step (the release) is never split
            batches[index].keys.append(member)
            placed[member] = index
    return batches


def _record(summary: RunSummary, result: dg.ExecuteInProcessResult) -> None:
    """Add one run's row counts, check results and failed steps to `summary`."""
    summary.run_ids.append(result.run_id)
    for event in result.get_asset_materialization_events():
        mat = event.materialization
        if mat is None:
            continue
        count = mat.metadata.get("dagster/row_count")
        if count is not None:
            summary.rows[mat.asset_key.to_user_string()] = int(count.value)  # type: ignore[arg-type]
    for evaluation in result.get_asset_check_evaluations():
        label = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        if evaluation.passed:
            summary.checks_passed.append(label)
        elif evaluation.severity == dg.AssetCheckSeverity.WARN:
            summary.checks_warned.append(f"{label}: {evaluation.description}")
        else:
            summary.checks_failed.append(f"{label}: {evaluation.description}")
    summary.failures += [failure_line(e) for e in result.all_events if e.is_step_failure]
    summary.failed_steps.extend(e.step_key or "" for e in result.all_events if e.is_step_failure)


def materialize_all(
    settings: Settings | None = None,
    selection: str | None = None,
    partition: str | None = None,
    on_batch: Callable[[int, int, RunBatch], None] | None = None,
) -> RunSummary:
    """Materialize the selection (a Dagster selection string; default everything).

    `partition` restricts partitioned assets to one partition key (e.g. a year).
    """
    settings = settings or Settings.from_env()
    require_inputs(settings.data_dir)  # a missing file is one line, not a failed Dagster step
    defs = build_defs(settings)
    chosen = dg.AssetSelection.from_string(selection) if selection else None
    batches = plan_runs(defs, chosen)
    instance = instance_for(settings)
    recover_orphaned_runs(instance)  # a killed run must not hold the writer slot forever
    log_path = run_log_path(settings.home)
    summary = RunSummary(log_path=log_path)
    for number, batch in enumerate(batches, start=1):
        if on_batch:
            on_batch(number, len(batches), batch)
        tags: dict[str, str] = {}
        if batch.partitions_def is not None:
            keys = batch.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
            if partition is not None:
                if partition not in keys:
                    continue
                keys = [partition]
            tags = {RANGE_START: keys[0], RANGE_END: keys[-1]}
        name = f"headless_{number}"
        job = dg.define_asset_job(name, selection=dg.AssetSelection.assets(*batch.keys))
        job_defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
        result = job_defs.resolve_job_def(name).execute_in_process(
            instance=instance, tags=tags, raise_on_error=False, run_config=QUIET
        )
        append_run_log(log_path, result)
        _record(summary, result)
        if summary.failed_steps:
            break
    return summary
