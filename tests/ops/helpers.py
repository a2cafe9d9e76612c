"""Shared helpers of the ops tests: isolated deployments, headless runs in subprocesses, hashes."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import rdflib
import rdflib.compare

from etl.ops.instance import ensure_instance_home
from etl.settings import BUNDLED_DATA, PROJECT_ROOT, Settings

# Every asset (`make run`); an empty selection means all.
EVERYTHING = ""
HASHED_SCHEMAS = ("raw", "core", "marts", "quarantine")
PROVENANCE_GRAPH = "provenance"


@dataclass(frozen=True)
class Deployment:
    """One isolated deployment under a temporary folder, and the env that points at it."""

    settings: Settings
    dagster_home: Path
    env: dict[str, str]


def deployment(root: Path, data_dir: Path | None = None) -> Deployment:
    """A deployment under `root` (own REEKG_HOME, DAGSTER_HOME, copy of the bundled data)."""
    data = data_dir or root / "data"
    if data_dir is None:
        shutil.copytree(BUNDLED_DATA, data)
    home = root / "home"
    settings = Settings.under(home, data)
    dagster_home = ensure_instance_home(root / "dagster")
    env = {
        **os.environ,
        "REEKG_HOME": str(home),
        "REEKG_DATA_DIR": str(data),
        "DAGSTER_HOME": str(dagster_home),
        "PYTHONWARNINGS": "ignore",
    }
    for var in (
        "REEKG_WAREHOUSE",
        "REEKG_PUBLISHED_WAREHOUSE",
        "REEKG_GRAPH_DIR",
        "REEKG_LANDING_DIR",
        "REEKG_REPORT_DIR",
    ):
        env.pop(var, None)
    return Deployment(settings, dagster_home, env)


RUN_SCRIPT = """
import sys
from etl.ops.recovery import recover_orphaned_runs
from etl.cli.run import materialize_all
from etl.ops.instance import instance_for
from etl.settings import Settings
recover_orphaned_runs(instance_for(Settings.from_env()))
from etl.publish.gate import refusal_lines
settings = Settings.from_env()
summary = materialize_all(selection=sys.argv[1] or None)
if not summary.success:
    print("FAILED", summary.failed_steps, summary.checks_failed)
    print(" | ".join(refusal_lines(settings.published_warehouse.parent)))
sys.exit(0 if summary.success else 1)
"""

# A run whose graph candidate was overtaken by a concurrent run's newer tables is refused by the
# publish gate (docs/operations.md, "Publishing"); the run that wrote the newer state publishes.
STALE_REFUSALS = ("older than its input", "not evaluated since the asset last changed")


def assert_published_or_refused_as_stale(returncodes: list[int], outputs: list[str]) -> None:
    """Every concurrent run succeeded, or failed only at the release step because the gate
    found its candidate stale; at least one of them published."""
    assert 0 in returncodes, outputs[-1][-4000:]
    for code, out in zip(returncodes, outputs, strict=True):
        if code != 0:
            stale = any(reason in out for reason in STALE_REFUSALS)
            assert "FAILED ['publish_release'] []" in out and stale, out[-4000:]


def run_headless(dep: Deployment, selection: str = EVERYTHING) -> subprocess.Popen[str]:
    """Start `materialize_all(selection)` in a subprocess on the deployment."""
    return subprocess.Popen(
        [sys.executable, "-c", RUN_SCRIPT, selection],
        cwd=PROJECT_ROOT,
        env=dep.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_headless_ok(dep: Deployment, selection: str = EVERYTHING, timeout: float = 240) -> str:
    """Run headless to completion; fail the test with the output if it did not succeed."""
    proc = run_headless(dep, selection)
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out[-4000:]
    return out


def table_hashes(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and content hash (md5 of the rows in a total order) of every table, every
    value exactly as stored (doubles too: the marts round or sum exactly, so reruns match)."""
    out: dict[str, tuple[int, str]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name IN (SELECT unnest($schemas)) ORDER BY schema_name, table_name, "
            "column_index",
            {"schemas": list(HASHED_SCHEMAS)},
        ).fetchall()
        tables: dict[tuple[str, str], list[str]] = {}
        for schema, table, column, data_type in columns:
            quoted = '"' + column.replace('"', '""') + '"'
            del data_type
            value = f"CAST({quoted} AS VARCHAR)"
            tables.setdefault((schema, table), []).append(f"coalesce({value}, '<null>')")
        for (schema, table), values in tables.items():
            row = " || '\x1f' || ".join(values)
            count, digest = con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r, '\n' ORDER BY r), '')) "
                f'FROM (SELECT {row} AS r FROM "{schema}"."{table}")'
            ).fetchone() or (0, "")
            out[f"{schema}.{table}"] = (int(count), str(digest))
    return out


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def graph_release(graph_dir: Path) -> Path:
    """The folder the `current` symlink points at."""
    return (graph_dir / "current").resolve(strict=True)


def content_graphs(release: Path) -> dict[str, rdflib.Graph]:
    """The release's named graphs except provenance (which names the run and its time)."""
    dataset = rdflib.Dataset()
    dataset.parse(release / "dataset.nq", format="nquads")
    return {
        str(g.identifier): g
        for g in dataset.graphs()
        if len(g) and not str(g.identifier).endswith("/" + PROVENANCE_GRAPH)
    }


def assert_isomorphic_releases(first: Path, second: Path) -> None:
    """Both releases hold the same graphs, each isomorphic (blank nodes matched), with a diff."""
    a, b = content_graphs(first), content_graphs(second)
    assert sorted(a) == sorted(b)
    for name in a:
        if not rdflib.compare.isomorphic(a[name], b[name]):
            _, only_a, only_b = rdflib.compare.graph_diff(
                rdflib.compare.to_isomorphic(a[name]), rdflib.compare.to_isomorphic(b[name])
            )
            raise AssertionError(
                f"graph {name} differs: {len(only_a)} triples only in the first, "
                f"{len(only_b)} only in the second; "
                f"e.g. {sorted(only_a)[:3]} / {sorted(only_b)[:3]}"
            )


DAEMON = Path(PROJECT_ROOT) / ".venv" / "bin" / "dagster-daemon"


def start_daemon(dep: Deployment, log_path: Path) -> subprocess.Popen[bytes]:
    """A real `dagster-daemon` on the deployment (code location tests/ops/deployment.py)."""
    log = log_path.open("w")
    try:
        return subprocess.Popen(
            [str(DAEMON), "run", "-m", "tests.ops.deployment", "-d", str(PROJECT_ROOT)],
            cwd=PROJECT_ROOT,
            env=dep.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()  # the child keeps its own descriptor


def stop_daemon(daemon: subprocess.Popen[bytes]) -> None:
    """Stop the daemon and its children (its own process group only)."""
    os.killpg(daemon.pid, signal.SIGTERM)
    try:
        daemon.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait(timeout=10)


def reekg_cli(dep: Deployment, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `reekg` command line on the deployment."""
    return subprocess.run(
        [str(Path(PROJECT_ROOT) / ".venv" / "bin" / "reekg"), *args],
        cwd=PROJECT_ROOT,
        env=dep.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def make_run(dep: Deployment, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`make run`'s command (`python -m etl.cli`) on the deployment: summary on stdout."""
    return subprocess.run(
        [sys.executable, "-m", "etl.cli"],
        cwd=PROJECT_ROOT,
        env=dep.env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
