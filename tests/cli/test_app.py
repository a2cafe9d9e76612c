"""`reekg` commands as users call them (Typer's CliRunner, in process): version, SPARQL limits,
DuckDB's hints, streamed export, short IRIs, one-line run errors, the Dagster instance."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from etl.cli.main import app
from etl.query.warehouse_sql import EXPORT_BATCH_ROWS
from tests.cli.conftest import one_line_error
from tests.query.data import JIANGXI

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_version() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"reekg {declared}"


def test_sparql_max_rows(published_home: Path) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert runner.invoke(app, ["sparql", query, "-F", "csv"]).exit_code == 0
    line = one_line_error(runner.invoke(app, ["sparql", query, "--max-rows", "5"]))
    assert "more than 5 rows" in line


def test_sparql_timeout(published_home: Path) -> None:
    line = one_line_error(runner.invoke(app, ["sparql", SLOW, "--timeout", "1"]))
    assert "exceeded the 1 s timeout" in line


def test_sparql_default_limits_are_the_endpoints() -> None:
    from etl.query.endpoint import EndpointConfig

    text = runner.invoke(app, ["sparql", "--help"], terminal_width=200).stdout
    config = EndpointConfig(Path("."))
    assert f"{config.timeout}" in text and f"{config.max_rows}" in text


def test_sparql_table_abbreviates_iris(published_home: Path) -> None:
    query = f"SELECT ?s ?c WHERE {{ ?s a ?c FILTER(?s = <{JIANGXI}>) }}"
    result = runner.invoke(app, ["sparql", query], terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "id:province/CN-JX" in result.stdout and "ree:Province" in result.stdout
    assert "…" not in result.stdout


def test_sql_keeps_duckdbs_hint(published_home: Path) -> None:
    line = one_line_error(runner.invoke(app, ["sql", "SELECT * FROM quota_by_holder"]))
    assert 'Did you mean "marts.quota_by_holder"' in line
    line = one_line_error(runner.invoke(app, ["sql", "SELECT nope FROM marts.quota_by_holder"]))
    assert "Candidate bindings" in line and "holder_id" in line


ROWS = EXPORT_BATCH_ROWS * 2 + 7  # three batches
GENERATED = f"SELECT range AS i, 'row ' || range AS label, range / 4 AS q FROM range({ROWS})"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_sql_export_streams_every_batch(published_home: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(app, ["sql", GENERATED, "-F", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{ROWS:,} rows" in result.stderr
    con = duckdb.connect()
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    got = con.execute(
        f"SELECT count(*), sum(i), count(DISTINCT label), max(q) FROM {reader}(?)", [str(out)]
    ).fetchone()
    assert got == (ROWS, ROWS * (ROWS - 1) // 2, ROWS, (ROWS - 1) / 4)
    if fmt == "csv":
        lines = out.read_text().splitlines()
        assert lines[0] == "i,label,q" and lines.count("i,label,q") == 1
        assert len(lines) == ROWS + 1
    else:
        assert pq.ParquetFile(out).schema_arrow.names == ["i", "label", "q"]


def test_sql_export_empty_result_has_a_header(published_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty.csv"
    query = "SELECT year, holder_id FROM marts.quota_by_holder WHERE false"
    assert runner.invoke(app, ["sql", query, "-F", "csv", "-o", str(out)]).exit_code == 0
    assert out.read_text().splitlines() == ["year,holder_id"]


def test_sql_export_failure_leaves_no_file(published_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "bad.csv"
    query = "SELECT CAST('x' || range AS INTEGER) FROM range(300000)"
    one_line_error(runner.invoke(app, ["sql", query, "-F", "csv", "-o", str(out)]))
    assert not out.exists()


def test_sql_csv_to_stdout(published_home: Path) -> None:
    result = runner.invoke(app, ["sql", "SELECT range AS n FROM range(3)", "-F", "csv"])
    assert result.exit_code == 0 and result.stdout.splitlines() == ["n", "0", "1", "2"]


def test_status_names_its_instance(published_home: Path) -> None:
    result = runner.invoke(app, ["status"], terminal_width=300)
    assert result.exit_code == 0, result.output
    assert f"Dagster instance: {published_home / 'dagster'} (DAGSTER_HOME)" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--partition", "1890"],
            "--partition '1890' is not a partition of the selection (2020..2027, 1995..2026",
        ),
        (["--select", "key:nope/*"], "--select 'key:nope/*' matches no asset"),
        (["--select", "marts/*"], "write 'key:marts/*'"),
        (["--select", "key:marts/* and ((("], "--select 'key:marts/* and (((':"),
    ],
)
def test_run_refuses_what_would_do_nothing(home: Path, args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["run", *args])
    line = one_line_error(result)
    assert expected in line, line
    assert not (home / "warehouse.duckdb").exists()  # nothing ran
