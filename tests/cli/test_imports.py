"""Start-up stays light: the command line and the `etl` package import no heavy library until a
command needs it (the timing itself is in bench/query/bench_cli.py)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("dagster", "httpx", "starlette", "uvicorn", "pyoxigraph", "rdflib", "duckdb", "polars")


def loaded_after(statement: str) -> list[str]:
    """Top-level packages from HEAVY that `statement` imports, in a fresh interpreter."""
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True)
    return list(json.loads(out.stdout))


def test_help_and_version_import_nothing_heavy() -> None:
    statement = (
        "import contextlib, io\n"
        "from etl.cli.main import app\n"
        "for args in (['--help'], ['--version'], ['sql', '--help'], ['run', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as shown:\n"
        "        try:\n"
        "            app(args)\n"
        "        except SystemExit:\n"
        "            pass\n"
        "    assert 'reekg' in shown.getvalue() or 'Usage' in shown.getvalue()"
    )
    assert loaded_after(statement) == []


def test_a_command_still_loads_what_it_needs() -> None:  # the check above can fail
    assert "dagster" in loaded_after("import etl.cli.run")
