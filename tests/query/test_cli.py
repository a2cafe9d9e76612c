"""The `reekg` command line through Typer's CliRunner, plus one real subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner, Result

from etl.cli.app import app
from tests.query.data import CREG, LABEL, TOTAL_TRIPLES, build_release, doc_examples

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty REEKG_HOME (nothing run, nothing published) with no DAGSTER_HOME."""
    for var in ("REEKG_PUBLISHED_WAREHOUSE", "REEKG_GRAPH_DIR", "REEKG_WAREHOUSE", "DAGSTER_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("REEKG_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def published_home(
    home: Path, graph_dir: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("REEKG_PUBLISHED_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("REEKG_GRAPH_DIR", str(graph_dir))
    return home


def one_line_error(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reekg: error: "), result.stderr
    assert "Traceback" not in result.output
    return str(lines[0])


@pytest.mark.parametrize("command", [[], ["run"], ["sql"], ["sparql"], ["serve"], ["status"]])
def test_help_on_every_command(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_sql_formats(published_home: Path, tmp_path: Path) -> None:
    query = "SELECT holder_id, tonnes_reo FROM marts.quota_by_holder ORDER BY tonnes_reo DESC"
    table = runner.invoke(app, ["sql", query])
    assert table.exit_code == 0 and "china-northern-rare-earth" in table.stdout
    as_csv = runner.invoke(app, ["sql", query, "--format", "csv"])
    assert as_csv.stdout.splitlines()[0] == "holder_id,tonnes_reo"
    as_json = json.loads(runner.invoke(app, ["sql", query, "-F", "json"]).stdout)
    assert [r["holder_id"] for r in as_json] == [
        "china-northern-rare-earth",
        "china-rare-earth-group",
    ]
    target = tmp_path / "out.parquet"
    result = runner.invoke(app, ["sql", query, "-F", "parquet", "-o", str(target)])
    assert result.exit_code == 0 and pl.read_parquet(target).height == 2


def test_sql_from_file(published_home: Path, tmp_path: Path) -> None:
    script = tmp_path / "q.sql"
    script.write_text("SELECT count(*) AS n FROM marts.world_production", encoding="utf-8")
    result = runner.invoke(app, ["sql", "-f", str(script), "-F", "csv"])
    assert result.stdout.splitlines() == ["n", "2"]


@pytest.mark.parametrize(
    "query",
    [
        "CREATE TABLE marts.x AS SELECT 1",
        "DELETE FROM marts.quota_by_holder",
        "COPY (SELECT 1) TO '{tmp}/leak.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "ATTACH '{tmp}/other.duckdb'",
        "SET enable_external_access = true",
    ],
)
def test_sql_is_read_only(
    published_home: Path, tmp_path: Path, warehouse: Path, query: str
) -> None:
    before = duckdb.connect(str(warehouse), read_only=True)
    count = before.execute("SELECT count(*) FROM marts.quota_by_holder").fetchone()
    before.close()
    result = runner.invoke(app, ["sql", query.format(tmp=tmp_path)])
    one_line_error(result)
    assert not (tmp_path / "leak.csv").exists() and not (tmp_path / "other.duckdb").exists()
    after = duckdb.connect(str(warehouse), read_only=True)
    assert after.execute("SELECT count(*) FROM marts.quota_by_holder").fetchone() == count
    after.close()


def test_sql_errors_are_one_line(home: Path) -> None:
    missing = one_line_error(runner.invoke(app, ["sql", "SELECT 1"]))
    assert "no published warehouse" in missing
    usage = one_line_error(runner.invoke(app, ["sql", "--bogus", "SELECT 1"]), code=2)
    assert "--bogus" in usage
    assert "exactly one" in one_line_error(runner.invoke(app, ["sql"]))


def test_sql_bad_query_is_one_line(published_home: Path) -> None:
    message = one_line_error(runner.invoke(app, ["sql", "SELEC 1"]))
    assert "syntax" in message.lower()
    message = one_line_error(runner.invoke(app, ["sql", "SELECT * FROM marts.nope"]))
    assert "marts.nope" in message or "nope" in message


def test_sparql_formats(published_home: Path) -> None:
    query = f"SELECT ?s ?l WHERE {{ ?s <{LABEL}> ?l }} ORDER BY ?l"
    table = runner.invoke(app, ["sparql", query])
    assert table.exit_code == 0 and "China Rare Earth Group" in table.stdout
    as_tsv = runner.invoke(app, ["sparql", query, "-F", "tsv"]).stdout.splitlines()
    assert as_tsv[0] == "?s\t?l" and len(as_tsv) == 4
    as_json = json.loads(runner.invoke(app, ["sparql", query, "-F", "json"]).stdout)
    assert len(as_json["results"]["bindings"]) == 3
    ask = runner.invoke(app, ["sparql", f"ASK {{ <{CREG}> ?p ?o }}"])
    assert ask.stdout.strip() == "true"
    turtle = runner.invoke(app, ["sparql", f"DESCRIBE <{CREG}>"])
    assert "China Rare Earth Group" in turtle.stdout and "@prefix" in turtle.stdout
    nt = runner.invoke(app, ["sparql", f"DESCRIBE <{CREG}>", "-F", "ntriples"]).stdout
    assert len(nt.strip().splitlines()) == 3


def test_sparql_refusals_and_errors(published_home: Path) -> None:
    refused = one_line_error(runner.invoke(app, ["sparql", "LOAD <http://example.org/x>"]))
    assert "refused" in refused
    service = "SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }"
    assert "SERVICE" in one_line_error(runner.invoke(app, ["sparql", service]))
    assert "syntax" in one_line_error(runner.invoke(app, ["sparql", "SELECT ?x {"])).lower()
    mismatch = one_line_error(runner.invoke(app, ["sparql", "ASK {}", "-F", "turtle"]))
    assert "does not fit" in mismatch


def test_sparql_without_a_graph(home: Path) -> None:
    assert "no published graph" in one_line_error(runner.invoke(app, ["sparql", "ASK {}"]))


def test_release_option_stays_inside_the_releases_folder(
    published_home: Path, graph_dir: Path
) -> None:
    for name in ("../../etc", "/tmp", "..", "r1/../../x"):
        message = one_line_error(runner.invoke(app, ["sparql", "ASK {}", "--release", name]))
        assert "not inside" in message
    ok = runner.invoke(app, ["sparql", "ASK { ?s ?p ?o }", "--release", "r1"])
    assert ok.exit_code == 0 and ok.stdout.strip() == "true"


def test_older_release_stays_queryable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyoxigraph as ox

    folder = tmp_path / "graph"
    build_release(folder, "r1")
    quad = ox.Quad(ox.NamedNode(CREG), ox.NamedNode(LABEL), ox.Literal("CREG"),
                   ox.NamedNode("https://w3id.org/reekg/graph/reference"))  # fmt: skip
    build_release(folder, "r2", [quad])
    monkeypatch.setenv("REEKG_GRAPH_DIR", str(folder))
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    current = runner.invoke(app, ["sparql", count, "-F", "csv"]).stdout.splitlines()
    old = runner.invoke(app, ["sparql", count, "-F", "csv", "--release", "r1"]).stdout
    assert current == ["n", "1"] and old.splitlines()[1] != "1"


def test_status_with_nothing_run(home: Path) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0
    assert "nothing has run yet" in result.stdout
    assert "no published warehouse" in result.stdout
    assert "no published graph" in result.stdout


def test_status_reports_materializations_failed_checks_and_counts(
    published_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    @dg.asset(key=["marts", "tiny"])
    def tiny() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"dagster/row_count": dg.MetadataValue.int(7)})

    @dg.asset_check(asset=tiny)
    def always_fails() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, description="deliberately failing")

    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    instance = dg.DagsterInstance.get()
    try:
        dg.materialize([tiny, always_fails], instance=instance, raise_on_error=False)
    finally:
        instance.dispose()
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    cells = [c.strip() for c in re.split(r"[│┃\n]", result.stdout)]  # table cells
    assert "marts/tiny" in cells and "7" in cells
    assert "always_fails" in cells and "ERROR" in cells
    assert "deliberately" in result.stdout and "failing" in result.stdout  # may wrap
    assert "marts.quota_by_holder" in cells
    assert "capacity-quotas" in cells and str(TOTAL_TRIPLES) in cells


def test_run_help_names_its_options() -> None:
    result = runner.invoke(app, ["run", "--help"], terminal_width=200)
    assert "--select" in result.stdout and "--partition" in result.stdout


def test_console_script_runs() -> None:
    script = Path(sys.executable).parent / "reekg"
    if not script.exists():
        subprocess.run(["flock", "/tmp/reekg-uv.lock", "uv", "sync", "--frozen"],
                       cwd=REPO, check=True, timeout=600)  # fmt: skip
    done = subprocess.run([str(script), "--help"], capture_output=True, timeout=60, text=True)
    assert done.returncode == 0
    for command in ("run", "sql", "sparql", "serve", "status"):
        assert command in done.stdout
    bad = subprocess.run([str(script), "sql", "--nope"], capture_output=True, timeout=60, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_documented_sql_runs_on_a_read_only_connection(warehouse: Path) -> None:
    examples = doc_examples("sql")
    assert len(examples) >= 4
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for sql in examples:
            assert con.sql(sql).pl().height > 0, sql
    finally:
        con.close()


def test_documented_sparql_runs(published_home: Path) -> None:
    examples = doc_examples("sparql")
    assert len(examples) >= 4
    for query in examples:
        result = runner.invoke(app, ["sparql", query, "-F", "json" if "DESCRIBE" not in query
                                     else "ntriples"])  # fmt: skip
        assert result.exit_code == 0, (query, result.output)
        assert result.stdout.strip() and '"bindings": []' not in result.stdout, query
