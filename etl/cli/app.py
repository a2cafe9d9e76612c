"""The `reekg` command line: run, sql, sparql, serve, status.

Heavy imports (Dagster, the endpoint) happen inside the commands, so `reekg --help` and
`reekg sql` start fast. Every error is one line on stderr and a non-zero exit code; set
`REEKG_DEBUG=1` to get the traceback instead.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from etl.query.limits import DEFAULT_MAX_ROWS, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, DEFAULT_WORKERS
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.cli.status import DagsterStatus, Status
    from etl.query.warehouse_sql import ExportFormat

EXIT_ERROR = 1
EXIT_USAGE = 2
DEFAULT_TABLE_ROWS = 100

stdout = Console()
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(Exception):
    """An error to report as one line (exit code 1)."""


class OneLineErrors(TyperGroup):
    """Typer group whose usage and runtime errors print as a single line on stderr."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        standalone = kwargs.pop("standalone_mode", True)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except typer.Abort:
            return _fail("aborted", EXIT_ERROR, standalone)
        except typer.TyperException as exc:  # Typer's (vendored) click errors
            format_message = getattr(exc, "format_message", None)
            message = format_message() if callable(format_message) else str(exc)
            code = int(getattr(exc, "exit_code", EXIT_ERROR))
            ctx = getattr(exc, "ctx", None)
            if code == EXIT_USAGE and ctx is not None:
                message += f" (see '{ctx.command_path} --help')"
            return _fail(message, code, standalone)
        except CliError as exc:
            return _fail(str(exc), EXIT_ERROR, standalone)
        except Exception as exc:
            if os.environ.get("REEKG_DEBUG"):
                raise
            message = str(exc).strip().splitlines()
            detail = message[0] if message else ""
            return _fail(f"{type(exc).__name__}: {detail}", EXIT_ERROR, standalone)
        code = result if isinstance(result, int) else 0
        if standalone:
            sys.exit(code)
        return code


def _fail(message: str, code: int, standalone: bool) -> int:
    stderr.print(f"reekg: error: {' '.join(message.split())}", markup=False)
    if standalone:
        sys.exit(code)
    return code


app = typer.Typer(
    cls=OneLineErrors,
    help="Rare-earth supply chain pipeline: run it, query it with SQL and SPARQL, serve it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


DISTRIBUTION = "reekg"


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version(DISTRIBUTION)
        except PackageNotFoundError:
            number = "unknown (not installed as a package)"
        typer.echo(f"reekg {number}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Rare-earth supply chain pipeline: run it, query it with SQL and SPARQL, serve it."""


class SqlFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class SparqlFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"
    jsonld = "jsonld"


def _query_text(query: str | None, file: Path | None, kind: str) -> str:
    if (query is None) == (file is None):
        raise CliError(f"give a {kind} query as an argument or with -f FILE (exactly one)")
    if file is not None:
        if not file.is_file():
            raise CliError(f"{file}: no such query file")
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"{file}: cannot read query file ({exc})") from exc
    assert query is not None
    return query


def _write(data: bytes, output: Path | None, force: bool = False) -> None:
    from etl.query.output import OutputRefused, protected_paths, write_output

    if output is None:
        sys.stdout.buffer.write(data)
        if data and not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
        return
    try:
        write_output(data, output, force, protected_paths(Settings.from_env()))
    except OutputRefused as exc:
        raise CliError(str(exc)) from exc
    stderr.print(f"wrote {output} ({len(data):,} bytes)", markup=False)


def inside(folder: Path, name: str, what: str) -> Path:
    """`folder/name`, refusing names that would leave `folder` (`..`, absolute, symlinks out)."""
    root = folder.resolve()
    target = (root / name).resolve()
    if not target.is_relative_to(root) or target == root:
        raise CliError(f"{what} {name!r} is not inside {root}")
    return target


@app.command()
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


@app.command()
def sql(
    query: Annotated[str | None, typer.Argument(help="SQL text (or use -f).")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from this file.")
    ] = None,
    fmt: Annotated[SqlFormat, typer.Option("--format", "-F", help="Output format.")] = (
        SqlFormat.table
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (needed for parquet).")
    ] = None,
    limit: Annotated[
        int, typer.Option(help="Rows shown by the table format (others write every row).")
    ] = DEFAULT_TABLE_ROWS,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing --output file.")
    ] = False,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            help="DuckDB file (default: the published snapshot, REEKG_PUBLISHED_WAREHOUSE)."
        ),
    ] = None,
) -> None:
    """Run SQL on the published warehouse, opened read-only; table, CSV, JSON or Parquet."""
    from etl.query.warehouse_sql import WarehouseError, run_sql

    text = _query_text(query, file, "SQL")
    path = warehouse or Settings.from_env().published_warehouse
    if fmt in (SqlFormat.csv, SqlFormat.parquet):
        _export(path, text, fmt, output, force)
        return
    try:
        frame = run_sql(path, text)
    except WarehouseError as exc:
        raise CliError(str(exc)) from exc
    if fmt is SqlFormat.json:
        _write(frame.write_json().encode(), output, force)
    else:
        from etl.query.output import data_table

        table = data_table(frame.columns, frame.head(limit).iter_rows(), show_lines=False)
        if output is not None:
            raise CliError("--output needs --format csv, json or parquet")
        stdout.print(table)
        more = frame.height - min(frame.height, limit)
        stderr.print(
            f"{frame.height:,} rows" + (f" ({more:,} not shown; use --format csv)" if more else ""),
            markup=False,
        )


def _export(path: Path, text: str, fmt: SqlFormat, output: Path | None, force: bool) -> None:
    """`reekg sql --format csv|parquet`: streamed from DuckDB in Arrow batches to the file (or
    CSV to stdout), so memory stays flat on results of any size."""
    from etl.query.output import OutputRefused, open_output, protected_paths
    from etl.query.warehouse_sql import WarehouseError, connect_read_only, export_sql

    kind: ExportFormat = "parquet" if fmt is SqlFormat.parquet else "csv"
    try:
        if output is None:
            if kind == "parquet":
                raise CliError("--format parquet needs --output FILE")
            connect_read_only(path).close()  # a missing warehouse is an error before any output
            rows = export_sql(path, text, "csv", sys.stdout.buffer)
            sys.stdout.flush()
            return
        with open_output(output, force, protected_paths(Settings.from_env())) as out:
            rows = export_sql(path, text, kind, out)
    except (WarehouseError, OutputRefused) as exc:
        raise CliError(str(exc)) from exc
    stderr.print(f"wrote {output} ({rows:,} rows, {output.stat().st_size:,} bytes)", markup=False)


@app.command()
def sparql(
    query: Annotated[str | None, typer.Argument(help="SPARQL text (or use -f).")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from this file.")
    ] = None,
    fmt: Annotated[
        SparqlFormat | None,
        typer.Option(
            "--format",
            "-F",
            help="table/csv/tsv/json/xml for SELECT and ASK; turtle/ntriples/jsonld for "
            "CONSTRUCT and DESCRIBE (default: table, or turtle).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing --output file.")
    ] = False,
    release: Annotated[
        str | None, typer.Option(help="Query this release id instead of the current one.")
    ] = None,
    graph_dir: Annotated[
        Path | None, typer.Option(help="Graph folder (default: REEKG_GRAPH_DIR).")
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds the query may run before it is stopped.")
    ] = DEFAULT_TIMEOUT,
    max_rows: Annotated[
        int, typer.Option(help="Most result rows (or triples); 0 = no limit.")
    ] = DEFAULT_MAX_ROWS,
    memory_mb: Annotated[
        int, typer.Option(help="Memory ceiling of the query worker in MiB; 0 = no limit.")
    ] = DEFAULT_MEMORY_MB,
) -> None:
    """Run SPARQL on the published graph (read-only; SERVICE and updates are refused), under
    the endpoint's limits: timeout, row cap and memory ceiling."""
    from etl.graph.store import RELEASES, STORE
    from etl.query.output import data_table, sparql_json_rows
    from etl.query.worker import QueryRequest, WorkerLimits, run_isolated

    if timeout <= 0 or max_rows < 0 or memory_mb < 0:
        raise CliError("--timeout must be > 0, --max-rows and --memory-mb >= 0")
    text = _query_text(query, file, "SPARQL")
    folder = graph_dir or Settings.from_env().graph_dir
    store_path = None
    if release is not None:
        location = inside(folder / RELEASES, release, "release") / STORE
        if not location.is_dir():
            raise CliError(f"release {release!r} has no store in {folder / RELEASES}")
        store_path = str(location)
    name = None if fmt in (None, SparqlFormat.table) else fmt.value
    accept = "application/sparql-results+json, text/turtle;q=0.9"
    request = QueryRequest(query=text, accept=accept, format_name=name)
    limits = WorkerLimits(
        max_rows=max_rows or None,
        memory_bytes=memory_mb * 2**20 if memory_mb else None,
        store_path=store_path,
    )
    response = run_isolated(folder, request, limits, timeout)
    if response.status != 200:
        raise CliError(response.body.decode("utf-8", "replace").strip())
    if name is not None or response.form in ("CONSTRUCT", "DESCRIBE"):
        if fmt is SparqlFormat.table:
            raise CliError("--format table fits SELECT and ASK; use turtle or ntriples")
        _write(response.body, output, force)
    elif output is not None:
        raise CliError("--output needs a file format such as csv, tsv or json")
    elif response.form == "ASK":
        stdout.print("true" if json.loads(response.body)["boolean"] else "false")
    else:
        from etl.query.prefixes import declared_prefixes, ontology_prefixes

        variables, rows = sparql_json_rows(response.body)
        prefixes = {**ontology_prefixes(), **declared_prefixes(text)}
        stdout.print(data_table(variables, rows, prefixes))
        stderr.print(f"{response.count:,} rows", markup=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind (loopback unless you mean it).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="TCP port.")] = 7878,
    timeout: Annotated[
        float, typer.Option(help="Seconds a query may run before it is stopped.")
    ] = DEFAULT_TIMEOUT,
    max_rows: Annotated[
        int, typer.Option(help="Most result rows (or triples) a query may return; 0 = no limit.")
    ] = DEFAULT_MAX_ROWS,
    workers: Annotated[int, typer.Option(help="Query worker processes.")] = DEFAULT_WORKERS,
    memory_mb: Annotated[
        int, typer.Option(help="Memory ceiling of each query worker in MiB; 0 = no limit.")
    ] = DEFAULT_MEMORY_MB,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="Origin allowed to query from a browser (CORS), repeatable; default any ('*')."
        ),
    ] = None,
    cors: Annotated[
        bool, typer.Option("--cors/--no-cors", help="Send CORS headers (on by default).")
    ] = True,
    graph_dir: Annotated[
        Path | None, typer.Option(help="Graph folder (default: REEKG_GRAPH_DIR).")
    ] = None,
) -> None:
    """Start the read-only SPARQL 1.1 endpoint (query page at /sparql, entities at /id/...)."""
    from etl.query.endpoint import EndpointConfig
    from etl.query.endpoint import serve as run_server

    if timeout <= 0 or workers < 1 or max_rows < 0 or not 0 < port < 65536:
        raise CliError("--timeout must be > 0, --workers >= 1, --max-rows >= 0, --port 1-65535")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        stderr.print(
            f"warning: binding {host}: the endpoint is reachable from other machines", markup=False
        )
    folder = graph_dir or Settings.from_env().graph_dir
    origins = tuple(cors_origin or ["*"]) if cors else ()
    config = EndpointConfig(
        folder.resolve(), timeout, max_rows or None, workers, memory_mb or None, origins
    )
    stderr.print(f"SPARQL endpoint on http://{host}:{port}/sparql (graph: {folder})", markup=False)
    run_server(config, host=host, port=port)


@app.command()
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
    from etl.ops.quarantine import quarantine_lines
    from etl.publish.gate import refusal_lines

    for line in refusal_lines(settings.published_warehouse.parent):
        stdout.print(line, markup=False, style="red")
    for line in unmatched_files(settings.landing_dir):
        stdout.print(f"Landing: {line}", markup=False)
    for line in quarantine_lines(warehouse):
        stdout.print(f"Quarantined: {line}", markup=False)


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


if __name__ == "__main__":
    app()
