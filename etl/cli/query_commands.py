"""`reekg sql` and `reekg sparql`: read-only queries on the published warehouse and graph."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from etl.cli.common import CliError, inside, query_text, stderr, stdout, write
from etl.query.limits import DEFAULT_MAX_ROWS, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.query.warehouse_sql import ExportFormat

DEFAULT_TABLE_ROWS = 100


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

    text = query_text(query, file, "SQL")
    path = warehouse or Settings.from_env().published_warehouse
    if fmt in (SqlFormat.csv, SqlFormat.parquet):
        _export(path, text, fmt, output, force)
        return
    try:
        frame = run_sql(path, text)
    except WarehouseError as exc:
        raise CliError(str(exc)) from exc
    if fmt is SqlFormat.json:
        write(frame.write_json().encode(), output, force)
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
    text = query_text(query, file, "SPARQL")
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
        write(response.body, output, force)
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
