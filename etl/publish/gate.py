"""The publish gate: nothing moves to readers unless every blocking check upstream passed.

Every publishing asset (the release of warehouse + graph, the report, the external store) calls
`require_passed` first, whatever started the run (`make run`, `reekg run`, a schedule, a sensor,
declarative automation, the UI). The verdict is read from the Dagster instance, so it covers
checks evaluated in earlier runs too: for each blocking check on an asset upstream, its latest
evaluation must have passed and must be at least as recent as the asset's latest
materialization (the check saw the state being published).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._check import CheckError
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from etl.graph.build import write_json

REFUSED_FILE = "release_refused.json"
HISTORY = 20


@dataclass(frozen=True)
class GateFailure:
    """One reason the gate refuses: a check (or `asset` for staleness) and what is wrong."""

    check: str
    reason: str

    def line(self) -> str:
        return f"{self.check}: {self.reason}"


def _latest_evaluation(
    instance: dg.DagsterInstance, check_key: dg.AssetCheckKey
) -> tuple[float, dg.AssetCheckEvaluation] | None:
    """Timestamp and evaluation of the check's latest completed execution (planned ones skipped).

    Latest by the evaluation's own time: records come in the order their runs planned the
    check, and of two concurrent runs the one that planned first can evaluate last (both were
    then refused, each judged by the other's older evaluation)."""
    records = instance.event_log_storage.get_asset_check_execution_history(
        check_key,
        limit=HISTORY,
        status={AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED},
    )
    done = [(r.event.timestamp, r.evaluation) for r in records
            if r.event is not None and r.evaluation is not None]  # fmt: skip
    return max(done, key=lambda found: found[0]) if done else None


def blocking_failures(
    instance: dg.DagsterInstance, graph: AssetGraph, targets: Iterable[dg.AssetKey]
) -> list[GateFailure]:
    """Blocking checks upstream of `targets` (targets included) that did not pass on the
    current state of their asset, in a stable order."""
    upstream: set[dg.AssetKey] = set()
    for key in targets:
        upstream |= graph.get_ancestor_asset_keys(key, include_self=True)
    failures: list[GateFailure] = []
    latest = instance.get_latest_materialization_events(sorted(upstream, key=str))
    for check_key in sorted(graph.get_check_keys_for_assets(upstream), key=str):
        spec = graph.get_check_spec(check_key)
        if not spec.blocking:
            continue
        materialized = latest.get(check_key.asset_key)
        if materialized is None:
            continue  # never materialized: nothing of it is in the state being published
        label = f"{check_key.asset_key.to_user_string()}:{check_key.name}"
        found = _latest_evaluation(instance, check_key)
        if found is None:
            failures.append(GateFailure(label, "never evaluated"))
            continue
        at, evaluation = found
        if not evaluation.passed:
            failures.append(GateFailure(label, evaluation.description or "failed"))
        elif at < materialized.timestamp:
            failures.append(GateFailure(label, "not evaluated since the asset last changed"))
    return failures


def stale_inputs(
    instance: dg.DagsterInstance, graph: AssetGraph, key: dg.AssetKey
) -> list[GateFailure]:
    """Parents of `key` materialized after it (so it does not describe the current state)."""
    own = instance.get_latest_materialization_event(key)
    if own is None:
        return [GateFailure(key.to_user_string(), "never materialized")]
    parents = sorted(graph.get(key).parent_keys, key=str)
    latest = instance.get_latest_materialization_events(parents)
    return [
        GateFailure(key.to_user_string(), f"older than its input {parent.to_user_string()}")
        for parent in parents
        if (event := latest.get(parent)) is not None and event.timestamp > own.timestamp
    ]


def refused_path(published_dir: Path) -> Path:
    """Where the last refusal is recorded (read by `reekg status` and `make run`)."""
    return Path(published_dir) / REFUSED_FILE


def record_refusal(published_dir: Path, run_id: str, failures: Sequence[GateFailure]) -> None:
    """Write the refusal atomically, so status can show why nothing was published."""
    published_dir.mkdir(parents=True, exist_ok=True)
    path = refused_path(published_dir)
    body = {
        "run_id": run_id,
        "refused_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reasons": [f.line() for f in failures],
    }
    write_json(path, body)


def read_refusal(published_dir: Path) -> dict[str, Any] | None:
    """The last refusal since the last release, or None."""
    path = refused_path(published_dir)
    try:
        body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return body


def refusal_lines(published_dir: Path) -> list[str]:
    """What `reekg status` and `make run` print about the last refused release (empty if none)."""
    body = read_refusal(published_dir)
    if body is None:
        return []
    run = str(body.get("run_id", ""))[:8]
    head = f"Release refused at {body.get('refused_at', '?')} (run {run}); "
    head += "readers still see the previous release:"
    return [head, *(f"  REFUSED {reason}" for reason in body.get("reasons", []))]


def clear_refusal(published_dir: Path) -> None:
    """Forget the last refusal (a release went through)."""
    refused_path(published_dir).unlink(missing_ok=True)


def asset_graph(context: dg.AssetExecutionContext) -> AssetGraph:
    """The whole asset graph: the repository's (daemon, UI) or the job's (in-process runs)."""
    try:
        return context.repository_def.asset_graph
    except CheckError:  # no repository in execute_in_process / dg.materialize
        return context.job_def.asset_layer.asset_graph


def require_passed(
    context: dg.AssetExecutionContext,
    targets: Sequence[dg.AssetKey],
    published_dir: Path | None,
    extra: Sequence[GateFailure] = (),
) -> None:
    """Raise `dg.Failure` (no retries), recording why, unless every blocking check upstream of
    `targets` passed on the current state (recorded under `published_dir` when given)."""
    graph = asset_graph(context)
    failures = [*blocking_failures(context.instance, graph, targets), *extra]
    if not failures:
        return
    if published_dir is not None:
        record_refusal(published_dir, context.run.run_id, failures)
    lines = "; ".join(f.line() for f in failures[:10])
    more = f" (+{len(failures) - 10} more)" if len(failures) > 10 else ""
    raise dg.Failure(
        description=f"publish refused, nothing published: {lines}{more}", allow_retries=False
    )
