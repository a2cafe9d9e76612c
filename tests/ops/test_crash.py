"""SIGKILL in the middle of a warehouse write, a publish or a graph build: what readers see
stays intact and readable, and the next run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from etl.graph.store import open_published_store
from etl.ops.recovery import ACTIVE
from etl.settings import PROJECT_ROOT
from tests.ops.conftest import Baseline
from tests.ops.helpers import file_sha256, graph_release, run_headless_ok, table_hashes

READY_TIMEOUT = 150.0
# What the killed run and the next run materialize, per crash point.
SELECTIONS = {
    "warehouse": 'key:"capacity/quotas" or group:publish',
    "publish": "group:publish",
    "graph": "group:graph",
}


def run_until_crash_point(baseline: Baseline, point: str, ready: Path) -> None:
    """Start the crash driver, wait until it sits at `point`, SIGKILL it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.ops.crash_driver", point, str(ready), SELECTIONS[point]],
        cwd=PROJECT_ROOT,
        env=baseline.dep.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not ready.exists():
            if proc.poll() is not None:
                pytest.fail(
                    f"driver exited before the crash point:\n{proc.communicate()[0][-3000:]}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"driver did not reach the crash point {point} in {READY_TIMEOUT:.0f} s"
                )
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


@pytest.mark.parametrize("point", sorted(SELECTIONS))
def test_sigkill_leaves_published_data_intact(
    baseline: Baseline, point: str, tmp_path: Path
) -> None:
    settings = baseline.dep.settings
    published_sha = file_sha256(settings.published_warehouse)
    release = graph_release(settings.graph_dir)
    release_sha = file_sha256(release / "dataset.nq")

    run_until_crash_point(baseline, point, tmp_path / "ready")

    # Readers: the published snapshot and graph are byte-for-byte the last published ones.
    assert file_sha256(settings.published_warehouse) == published_sha
    assert table_hashes(settings.published_warehouse) == baseline.tables
    assert graph_release(settings.graph_dir) == release
    assert file_sha256(release / "dataset.nq") == release_sha
    store = open_published_store(settings.graph_dir)
    assert len(store) > 0
    del store
    if point == "warehouse":
        # The killed transaction had deleted every quota row; none of that is visible.
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            count = con.execute("SELECT count(*) FROM core.quotas").fetchone()
        assert count == (baseline.tables["core.quotas"][0],)

    # The next run completes and publishes the same content again.
    run_headless_ok(baseline.dep, SELECTIONS[point], timeout=200)
    assert table_hashes(settings.published_warehouse) == baseline.tables
    if point == "graph":
        assert graph_release(settings.graph_dir) != release
    # The killed run was marked failed and holds no writer slot any more.
    instance = dg.DagsterInstance.from_config(str(baseline.dep.dagster_home))
    assert not instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE))
    assert not instance.event_log_storage.get_concurrency_run_ids()
