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


class RunError(Exception):
    """A selection or partition that cannot run; the message is one line."""


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


def _plan(defs: dg.Definitions, selection: str | None) -> list[RunBatch]:
    """The runs of a selection string; `RunError` if it is invalid or selects nothing."""
    if not selection:
        return plan_runs(defs)
    hint = ""
    if ":" not in selection and "/" in selection:
        hint = f"; to select by key prefix write 'key:{selection}'"
    try:
        batches = plan_runs(defs, dg.AssetSelection.from_string(selection))
    except dg.DagsterError as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, dg.DagsterInvalidSubsetError):
            detail = "it names no asset of this project"
        raise RunError(f"--select {selection!r}: {detail[:200]}{hint}") from None
    if not batches:
        raise RunError(f"--select {selection!r} matches no asset{hint}")
    return batches


def _check_partition(batches: list[RunBatch], partition: str, instance: dg.DagsterInstance) -> None:
    """`RunError` unless some selected asset has the partition `partition`."""
    ranges: dict[str, None] = {}
    for batch in batches:
        if batch.partitions_def is None:
            continue
        keys = batch.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
        if partition in keys:
            return
        if keys:
            ranges[keys[0] if len(keys) == 1 else f"{keys[0]}..{keys[-1]}"] = None
    if not ranges:
        raise RunError(f"--partition {partition!r}: none of the selected assets is partitioned")
    known = ", ".join(ranges)
    raise RunError(f"--partition {partition!r} is not a partition of the selection ({known})")


def _range_tags(
    batch: RunBatch, partition: str | None, instance: dg.DagsterInstance
) -> dict[str, str] | None:
    """The partition range of a run (every partition, or `partition`); None: skip the run
    (its assets do not have `partition`)."""
    if batch.partitions_def is None:
        return {}
    keys = batch.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
    if partition is not None:
        if partition not in keys:
            return None
        keys = [partition]
    return {RANGE_START: keys[0], RANGE_END: keys[-1]}


@dataclass(frozen=True)
class RunPlan:
    """What `materialize_all` will run: the definitions, the ordered runs, the instance."""

    defs: dg.Definitions
    batches: list[RunBatch]
    instance: dg.DagsterInstance
    partition: str | None = None


def plan_materialization(
    settings: Settings, selection: str | None = None, partition: str | None = None
) -> RunPlan:
    """The runs of a selection and partition; `RunError` (one line) when the selection is
    invalid or empty, or no selected asset has the partition: nothing would run."""
    require_inputs(settings.data_dir)  # a missing file is one line, not a failed Dagster step
    defs = build_defs(settings)
    batches = _plan(defs, selection)
    instance = instance_for(settings)
    if partition is not None:
        _check_partition(batches, partition, instance)
    return RunPlan(defs, batches, instance, partition)


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
    plan: RunPlan | None = None,
) -> RunSummary:
    """Materialize the selection (a Dagster selection string; default everything), or a
    `plan` made beforehand by `plan_materialization`.

    `partition` restricts partitioned assets to one partition key (e.g. a year).
    """
    settings = settings or Settings.from_env()
    plan = plan or plan_materialization(settings, selection, partition)
    defs, batches, instance, partition = plan.defs, plan.batches, plan.instance, plan.partition
    recover_orphaned_runs(instance)  # a killed run must not hold the writer slot forever
    log_path = run_log_path(settings.home)
    summary = RunSummary(log_path=log_path)
    for number, batch in enumerate(batches, start=1):
        if on_batch:
            on_batch(number, len(batches), batch)
        tags = _range_tags(batch, partition, instance)
        if tags is None:
            continue
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
