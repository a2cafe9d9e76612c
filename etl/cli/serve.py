"""`reekg serve`: start the read-only SPARQL endpoint."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from etl.cli.common import CliError, stderr
from etl.query.limits import DEFAULT_MAX_ROWS, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, DEFAULT_WORKERS
from etl.settings import Settings


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
