"""`reekg run` and `reekg status`: materialize headless, then report what the instance holds."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from etl.cli.common import CliError, stderr, stdout
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.cli.status import DagsterStatus, Status


def run(
    select: Annotated[
        str | None,
        typer.Option("--select", "-s", help="Dagster asset selection, e.g. 'key:marts/*'."),
    ] = None,
    partition: Annotated[
        str | None, typer.Option("--partition", "-p", help="Only this partition (e.g. 2023).")
    ] = None,
) -> None:
    """Materialize every asset (or a selection / one partition) headless, with progress."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from etl.cli.run import RunBatch, RunError, materialize_all, plan_materialization

    settings = Settings.from_env()
    try:  # a selection or partition that would run nothing fails here, in one line
        plan = plan_materialization(settings, select, partition)
    except RunError as exc:
        raise CliError(str(exc)) from None
    stderr.print(f"materializing into {settings.home}", markup=False)
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TimeElapsedColumn(),
        console=stderr,
    ) as progress:
        task = progress.add_task("planning", total=None)

        def on_batch(number: int, total: int, batch: RunBatch) -> None:
            names = ", ".join(k.to_user_string() for k in batch.keys[:3])
            more = f" +{len(batch.keys) - 3}" if len(batch.keys) > 3 else ""
            progress.update(task, total=total, completed=number - 1, description=names + more)

        summary = materialize_all(settings, on_batch=on_batch, plan=plan)
        progress.update(task, completed=progress.tasks[0].total or 0, description="done")
    table = Table("asset", "rows", title="Materialized")
    for asset, rows in sorted(summary.rows.items()):
        table.add_row(asset, f"{rows:,}")
    stdout.print(table)
    stdout.print(
        f"checks: {len(summary.checks_passed)} passed, {len(summary.checks_failed)} failed"
    )
    for failed in summary.checks_failed:
        stderr.print(f"  check failed: {failed}", markup=False)
    if summary.failed_steps:
        raise CliError(f"run failed at step(s): {', '.join(summary.failed_steps)}")
    if summary.checks_failed:
        raise CliError(f"{len(summary.checks_failed)} asset check(s) failed")


def status(
    warehouse: Annotated[
        Path | None, typer.Option(help="DuckDB file (default: the published snapshot).")
    ] = None,
    graph_dir: Annotated[
        Path | None, typer.Option(help="Graph folder (default: REEKG_GRAPH_DIR).")
    ] = None,
) -> None:
    """Last materialization per asset, failed checks, warehouse rows and graph triples."""
    from etl.cli.status import collect_status, dagster_home

    settings = Settings.from_env()
    instance = dagster_home(settings)
    state = collect_status(
        warehouse or settings.published_warehouse, graph_dir or settings.graph_dir, instance
    )
    origin = "DAGSTER_HOME" if os.environ.get("DAGSTER_HOME") else "default: REEKG_HOME/dagster"
    stdout.print(f"Dagster instance: {instance} ({origin})", markup=False, soft_wrap=True)
    _print_dagster(state.dagster)
    _print_release_notes(settings, warehouse or settings.published_warehouse)
    _print_warehouse(state)
    _print_graph(state)


def _print_dagster(dagster: DagsterStatus) -> None:
    """`reekg status`: assets' last materializations and failed checks."""
    if dagster.assets:
        table = Table("asset", "last materialized", "run", "rows", title="Assets")
        for a in dagster.assets:
            table.add_row(
                a.asset, a.materialized_at, a.run_id, "" if a.rows is None else f"{a.rows:,}"
            )
        stdout.print(table)
    if dagster.message:
        stdout.print(f"Assets: {dagster.message}", markup=False)
    if dagster.failed_checks:
        table = Table(
            "asset",
            "check",
            "severity",
            "evaluated",
            "description",
            title="Failed checks",
            style="red",
        )
        for c in dagster.failed_checks:
            table.add_row(c.asset, c.check, c.severity, c.evaluated_at, c.description)
        stdout.print(table)
    elif dagster.checks_evaluated:
        stdout.print(f"Checks: all {dagster.checks_evaluated} passed on their latest evaluation")


def _print_release_notes(settings: Settings, warehouse: Path) -> None:
    """`reekg status`: a refused release, unmatched landed files, quarantined rows."""
    from etl.ops.landing import unmatched_files
    from etl.ops.quarantine import accounting_lines, quarantine_lines
    from etl.publish.gate import refusal_lines
    from etl.trade.ingest import comtrade_touching

    for line in refusal_lines(settings.published_warehouse.parent):
        stdout.print(line, markup=False, style="red")
    for line in unmatched_files(settings.landing_dir):
        stdout.print(f"Landing: {line}", markup=False)
    for reason in comtrade_touching(settings.landing_dir)[1]:
        stdout.print(f"Landing: trade/comtrade: {reason}; file ignored", markup=False)
    for line in quarantine_lines(warehouse):
        stdout.print(f"Quarantined: {line}", markup=False)
    for line in accounting_lines(warehouse):
        stdout.print(f"Rows accounted: {line}", markup=False)


def _print_warehouse(state: Status) -> None:
    """`reekg status`: rows per warehouse table."""
    if state.warehouse_tables:
        table = Table("table", "rows", title=f"Warehouse {state.warehouse_path}")
        for row in state.warehouse_tables:
            table.add_row(row["table"], f"{row['rows']:,}")
        stdout.print(table)
    if state.warehouse_message:
        stdout.print(f"Warehouse: {state.warehouse_message}", markup=False)


def _print_graph(state: Status) -> None:
    """`reekg status`: triples per named graph of the published release."""
    from etl.cli.status import manifest_counts

    if state.graph:
        total, per_graph = manifest_counts(state.graph)
        table = Table(
            "graph", "triples", title=f"Graph release {state.graph.get('release_id', '?')}"
        )
        for name, count in sorted(per_graph.items()):
            table.add_row(name, f"{count:,}")
        table.add_row("total", "?" if total is None else f"{total:,}")
        stdout.print(table)
    if state.graph_message:
        stdout.print(f"Graph: {state.graph_message}", markup=False)
