"""The `reekg` command line: run, sql, sparql, serve, status.

Heavy imports (Dagster, the endpoint) happen inside the commands, so `reekg --help` and
`reekg sql` start fast. Every error is one line on stderr and a non-zero exit code; set
`REEKG_DEBUG=1` to get the traceback instead.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from etl.cli.common import EXIT_ERROR, EXIT_USAGE, CliError, stderr
from etl.cli.query_commands import sparql, sql
from etl.cli.run_commands import run, status
from etl.cli.serve import serve


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


for command in (run, sql, sparql, serve, status):
    app.command()(command)


if __name__ == "__main__":
    app()
