"""A real Dagster daemon: a file dropped in the landing folder makes the landing sensor launch a
run for exactly the partitions it holds, and declarative automation then rebuilds the marts,
the graph and the published warehouse."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import pytest

from etl.core.runs import RANGE_END, RANGE_START
from etl.ops.automation import FILES_TAG, TRIGGER_TAG
from etl.settings import PROJECT_ROOT
from tests.ops.helpers import deployment, run_headless_ok

WAIT_SECONDS = 240.0
DAEMON = Path(PROJECT_ROOT) / ".venv" / "bin" / "dagster-daemon"
QUOTA_FILE = "capacity/china_re_quotas_2015_2023.csv"
USGS_FILE = "production/mcs2024-raree_world.csv"
FOLLOWERS = [
    dg.AssetKey(["marts", "quota_by_holder"]),
    dg.AssetKey(["marts", "quota_change"]),
    dg.AssetKey(["marts", "world_production"]),
    dg.AssetKey(["publish", "warehouse"]),
    dg.AssetKey(["graph", "release_candidate"]),
    dg.AssetKey(["graph", "published"]),
    dg.AssetKey(["report", "html"]),
]


def only_year(source: Path, year: str) -> str:
    """The quota file with its header and the rows of one year only."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"), newline="")))
    column = rows[0].index("year")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [rows[0], *(r for r in rows[1:] if r and r[column] == year)]
    )
    return out.getvalue()


def landing_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    return list(instance.get_runs(filters=dg.RunsFilter(tags={TRIGGER_TAG: "landing"})))


def latest_after(instance: dg.DagsterInstance, key: dg.AssetKey, after: float) -> bool:
    event = instance.get_latest_materialization_event(key)
    return event is not None and event.timestamp > after


@pytest.mark.daemon
def test_landing_file_runs_its_partitions_then_followers(tmp_path: Path) -> None:
    dep = deployment(tmp_path)
    run_headless_ok(dep)  # everything materialized once, as in a running deployment
    instance = dg.DagsterInstance.from_config(str(dep.dagster_home))
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(DAEMON), "run", "-m", "tests.ops.deployment", "-d", str(PROJECT_ROOT)],
        cwd=PROJECT_ROOT,
        env=dep.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        landing = dep.settings.landing_dir
        (landing / "capacity").mkdir(parents=True)
        (landing / "production").mkdir(parents=True)
        (landing / QUOTA_FILE).write_text(
            only_year(dep.settings.data_dir / QUOTA_FILE, "2023"), encoding="utf-8"
        )
        shutil.copyfile(dep.settings.data_dir / USGS_FILE, landing / USGS_FILE)
        # Not followed: a symlink to a file outside the landing folder.
        outside = tmp_path / "outside.csv"
        outside.write_text("facility_id\nx\n", encoding="utf-8")
        (landing / "capacity" / "facilities.csv").symlink_to(outside)
        dropped = time.time()

        deadline = time.monotonic() + WAIT_SECONDS
        done = False
        while time.monotonic() < deadline and not done:
            time.sleep(3)
            log_text = (tmp_path / "daemon.log").read_text(encoding="utf-8", errors="replace")
            assert daemon.poll() is None, log_text[-3000:]
            assert "Error while importing code" not in log_text, log_text[-5000:]
            runs = landing_runs(instance)
            failed = [r for r in runs if r.status == dg.DagsterRunStatus.FAILURE]
            assert not failed, f"landing run failed: {failed[0].run_id}"
            finished = [r for r in runs if r.status == dg.DagsterRunStatus.SUCCESS]
            if len(finished) < 2:
                continue
            records = [instance.get_run_record_by_id(r.run_id) for r in finished]
            ends = [(r.end_time or 0.0) if r else 0.0 for r in records]
            done = all(latest_after(instance, k, max(ends)) for k in FOLLOWERS)
        all_runs = instance.get_runs()
        assert done, (
            f"followers not rebuilt within {WAIT_SECONDS:.0f} s; runs: "
            f"{[(r.job_name, r.status.value, r.tags.get(TRIGGER_TAG)) for r in all_runs]}"
        )

        by_job = {r.job_name: r for r in landing_runs(instance)}
        assert sorted(by_job) == ["capacity_quotas", "production_usgs"]
        quotas = by_job["capacity_quotas"]
        assert (quotas.tags[RANGE_START], quotas.tags[RANGE_END]) == ("2023", "2023")
        assert quotas.tags[FILES_TAG] == QUOTA_FILE
        assert by_job["production_usgs"].tags["dagster/partition"] == "2024"
        quota_partitions = {
            e.partition_key
            for e in instance.fetch_materializations(
                dg.AssetKey(["capacity", "quotas"]), limit=100
            ).records
            if e.timestamp > dropped
        }
        assert quota_partitions == {"2023"}
        latest = [instance.get_latest_materialization_event(k) for k in FOLLOWERS]
        for run_id in {e.run_id for e in latest if e is not None}:
            run = instance.get_run_by_id(run_id)
            assert run is not None and run.tags.get(TRIGGER_TAG) == "automation", run
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait(timeout=10)
        log.close()
