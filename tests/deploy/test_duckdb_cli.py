"""The published warehouse opens in DuckDB's own CLI from PyPI (`duckdb-cli`, a 1.x release):
every README SQL example, the `marts.scenario_shortfall` table macro included, returns in the
CLI what DuckDB 2.x's Python client returns on the same file."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.cli.run import RunSummary
from etl.settings import Settings

CLI = Path(sys.executable).parent / "duckdb"
README = Path(__file__).parents[2] / "README.md"
BLOCKS = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
SHORTFALL = next(b for b in BLOCKS if "marts.scenario_shortfall(" in b)


def cli(database: Path, sql: str) -> list[list[str]]:
    """Rows the DuckDB CLI prints as CSV (header dropped) for `sql` on `database`, read-only."""
    done = subprocess.run(
        [str(CLI), "-readonly", "-csv", str(database), "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return list(csv.reader(io.StringIO(done.stdout)))[1:]


def normalised(value: object) -> str:
    """A value as the CLI prints it in CSV (NULL; numbers compared at 10 significant digits)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.10g}"
    return "NULL" if value is None else str(value)


def cli_normalised(value: str) -> str:
    try:
        return f"{float(value):.10g}" if re.fullmatch(r"-?[\d.e+-]+", value) else value
    except ValueError:
        return value


def test_cli_is_a_1x_release() -> None:
    done = subprocess.run([str(CLI), "--version"], capture_output=True, text=True, timeout=30)
    assert done.stdout.startswith("v1."), done.stdout


def test_published_file_is_in_the_1_4_storage_format(
    pipeline: tuple[Settings, RunSummary],
) -> None:
    settings, _ = pipeline
    with duckdb.connect() as con:
        con.execute("ATTACH ? AS published (READ_ONLY)", [str(settings.published_warehouse)])
        (tags,) = con.execute(
            "SELECT tags FROM duckdb_databases() WHERE database_name = 'published'"
        ).fetchone() or (None,)
    assert tags["storage_version"] == "v1.4.0+", tags


def test_native_2x_file_is_refused_by_the_cli(
    pipeline: tuple[Settings, RunSummary], tmp_path: Path
) -> None:
    """Guards the test itself: a file in 2.x's own format really is unreadable for the CLI."""
    native = tmp_path / "native.duckdb"
    duckdb.connect(str(native)).execute("CREATE TABLE t AS SELECT 1 AS x").close()
    done = subprocess.run(
        [str(CLI), "-readonly", str(native), "-c", "SELECT 1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode != 0 and "version" in done.stderr.lower(), done.stderr


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example{i}" for i in range(len(BLOCKS))])
def test_readme_example_in_cli_matches_python(
    pipeline: tuple[Settings, RunSummary], published: duckdb.DuckDBPyConnection, block: str
) -> None:
    settings, _ = pipeline
    query = "\n".join(line for line in block.splitlines() if not line.startswith("--"))
    expected = [[normalised(v) for v in row] for row in published.execute(query).fetchall()]
    got = [[cli_normalised(v) for v in row] for row in cli(settings.published_warehouse, query)]
    assert expected, "example returned no rows"
    assert got == expected


def test_table_macro_in_cli(pipeline: tuple[Settings, RunSummary]) -> None:
    settings, _ = pipeline
    macros = cli(
        settings.published_warehouse,
        "SELECT schema_name, function_name FROM duckdb_functions() "
        "WHERE function_type = 'table_macro' AND NOT internal",
    )
    assert ["marts", "scenario_shortfall"] in macros
    query = "\n".join(line for line in SHORTFALL.splitlines() if not line.startswith("--"))
    rows = cli(settings.published_warehouse, query)
    assert rows and all(row[0] == "2023" for row in rows), rows
