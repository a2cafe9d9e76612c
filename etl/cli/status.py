"""What `reekg status` reports: Dagster run history, warehouse row counts, graph triple counts.

Each part works on its own and says plainly when there is nothing yet, so the command is
useful on a fresh checkout as well as on a running deployment.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etl.graph.store import GraphNotPublishedError, read_manifest
from etl.query.warehouse_sql import WarehouseError, table_counts
from etl.settings import Settings


@dataclass(frozen=True)
class AssetStatus:
    """Last materialization of one asset."""

    asset: str
    materialized_at: str
    run_id: str
    rows: int | None


@dataclass(frozen=True)
class FailedCheck:
    """The latest evaluation of an asset check, when it did not pass."""

    asset: str
    check: str
    severity: str
    evaluated_at: str
    description: str


@dataclass(frozen=True)
class DagsterStatus:
    """Run history from the Dagster instance, or why there is none."""

    message: str | None = None
    assets: tuple[AssetStatus, ...] = ()
    failed_checks: tuple[FailedCheck, ...] = ()
    checks_evaluated: int = 0


@dataclass(frozen=True)
class Status:
    """Everything `reekg status` shows."""

    dagster: DagsterStatus
    warehouse_path: Path
    warehouse_tables: list[dict[str, Any]] = field(default_factory=list)
    warehouse_message: str | None = None
    graph: dict[str, Any] = field(default_factory=dict)
    graph_message: str | None = None


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def dagster_home(settings: Settings) -> Path:
    """The Dagster instance folder `reekg run` and `reekg status` use: `DAGSTER_HOME`, else
    `<REEKG_HOME>/dagster` (as `etl.ops.instance.instance_for`)."""
    return Path(os.environ.get("DAGSTER_HOME") or settings.home / "dagster").resolve()


def dagster_status(default_home: Path) -> DagsterStatus:
    """Latest materialization per asset and failing checks from the Dagster instance.

    The instance is `DAGSTER_HOME`, else `default_home` (where `reekg run` keeps it).
    """
    home = os.environ.get("DAGSTER_HOME") or str(default_home)
    if not Path(home).is_dir():
        return DagsterStatus(
            message=f"no Dagster instance at {home} (DAGSTER_HOME): nothing has run yet"
        )
    import dagster as dg

    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = home
    try:
        instance = dg.DagsterInstance.get()
    finally:
        if previous is None:
            del os.environ["DAGSTER_HOME"]
    try:
        keys = list(instance.get_asset_keys())
        latest = instance.get_latest_materialization_events(keys)
        assets = []
        for key in sorted(keys, key=lambda k: k.to_user_string()):
            entry = latest.get(key)
            if entry is None:
                continue
            materialization = entry.asset_materialization
            rows = None
            if materialization is not None:
                value = materialization.metadata.get("dagster/row_count")
                rows = getattr(value, "value", None) if value is not None else None
            assets.append(
                AssetStatus(key.to_user_string(), _when(entry.timestamp), entry.run_id[:8], rows)
            )
        with warnings.catch_warnings():
            # the public API for all check evaluations; deprecated for Dagster 2.0 (pinned <1.14)
            warnings.simplefilter("ignore", DeprecationWarning)
            records = instance.get_event_records(
                dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION),
                limit=5000,
            )
        latest_checks: dict[tuple[str, str], Any] = {}
        for record in records:  # newest first
            event = record.event_log_entry.dagster_event
            evaluation = event.event_specific_data if event is not None else None
            if not isinstance(evaluation, dg.AssetCheckEvaluation):
                continue
            ident = (evaluation.asset_key.to_user_string(), evaluation.check_name)
            latest_checks.setdefault(ident, (record.event_log_entry.timestamp, evaluation))
        failed = tuple(
            FailedCheck(
                asset=asset,
                check=check,
                severity=str(getattr(evaluation.severity, "value", evaluation.severity)),
                evaluated_at=_when(timestamp),
                description=str(getattr(evaluation, "description", "") or ""),
            )
            for (asset, check), (timestamp, evaluation) in sorted(latest_checks.items())
            if not evaluation.passed
        )
    finally:
        instance.dispose()
    message = None if assets else "no materializations recorded yet; run `reekg run`"
    return DagsterStatus(message, tuple(assets), failed, len(latest_checks))


def collect_status(warehouse: Path, graph_dir: Path, dagster_home: Path) -> Status:
    """Gather all three parts; failures of one part become its message."""
    tables: list[dict[str, Any]] = []
    warehouse_message = None
    try:
        tables = table_counts(warehouse).to_dicts()
        if not tables:
            warehouse_message = "published warehouse has no marts or core tables yet"
    except WarehouseError as exc:
        warehouse_message = str(exc)
    graph: dict[str, Any] = {}
    graph_message = None
    try:
        graph = read_manifest(graph_dir)
    except GraphNotPublishedError as exc:
        graph_message = str(exc)
    except (OSError, ValueError) as exc:
        graph_message = f"{graph_dir}: unreadable manifest ({exc})"
    return Status(
        dagster_status(dagster_home), warehouse, tables, warehouse_message, graph, graph_message
    )


def manifest_counts(manifest: dict[str, Any]) -> tuple[int | None, dict[str, int]]:
    """Total triples and triples per named graph, whichever manifest keys the release uses."""
    total = next(
        (manifest[k] for k in ("triples", "total_triples", "triple_count") if k in manifest), None
    )
    graphs = manifest.get("graphs", {})
    per_graph: dict[str, int] = {}
    if isinstance(graphs, dict):
        for name, value in graphs.items():
            count = value.get("triples") if isinstance(value, dict) else value
            if isinstance(count, int):
                per_graph[str(name)] = count
    elif isinstance(graphs, list):
        for item in graphs:
            if isinstance(item, dict):
                name = item.get("iri") or item.get("name") or item.get("graph")
                count = item.get("triples")
                if name is not None and isinstance(count, int):
                    per_graph[str(name)] = count
    if total is None and per_graph:
        total = sum(per_graph.values())
    return (int(total) if total is not None else None), per_graph
