"""The publish gate under a real daemon: a landed defect fails a blocking check, the sensors and
declarative automation then rebuild what follows it, and nothing moves for readers: the
published warehouse, the graph's `current`, the report and the release manifest stay as they
were, and `reekg status` says why. Also: a run that would empty a published mart is refused."""

from __future__ import annotations

import csv
import io
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from etl.publish.gate import read_refusal
from etl.publish.release import CONFIRM_SHRINK_VAR, release_manifest_path
from etl.settings import BUNDLED_DATA
from tests.ops.helpers import (
    Deployment,
    deployment,
    file_sha256,
    graph_release,
    reekg_cli,
    run_headless,
    run_headless_ok,
    start_daemon,
    stop_daemon,
)

WAIT_SECONDS = 240.0
QUOTA_FILE = "capacity/china_re_quotas_2015_2023.csv"
# 2023 batch 1, China Rare Earth Group, smelting: the unit error of issue 12 ("369,906").
DEFECT_ROW = ("2023", "1", "group", "China Rare Earth Group", "all", "smelting_separation")
DEFECT_VALUE = "369,906"
ACTIVE = (
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
)


def published_state(dep: Deployment) -> dict[str, str]:
    """Everything a reader sees: warehouse bytes, graph release, report bytes, manifest."""
    settings = dep.settings
    return {
        "warehouse": file_sha256(settings.published_warehouse),
        "graph": graph_release(settings.graph_dir).name,
        "report": file_sha256(settings.report_dir / "index.html"),
        "manifest": file_sha256(release_manifest_path(settings.published_warehouse.parent)),
    }


def year_with_defect(source: Path) -> str:
    """The quota file's 2023 rows, with one group figure replaced by DEFECT_VALUE."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"), newline="")))
    header, body = rows[0], [r for r in rows[1:] if r and r[0] == "2023"]
    value = header.index("tonnes_reo")
    hits = [r for r in body if tuple(r[:6]) == DEFECT_ROW]
    assert len(hits) == 1, hits
    hits[0][value] = DEFECT_VALUE
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    return out.getvalue()


@pytest.mark.daemon
def test_daemon_does_not_publish_past_a_failed_blocking_check(tmp_path: Path) -> None:
    dep = deployment(tmp_path)
    run_headless_ok(dep)
    before = published_state(dep)
    published_dir = dep.settings.published_warehouse.parent
    instance = dg.DagsterInstance.from_config(str(dep.dagster_home))
    log_path = tmp_path / "daemon.log"
    daemon = start_daemon(dep, log_path)
    try:
        landing = dep.settings.landing_dir / QUOTA_FILE
        landing.parent.mkdir(parents=True)
        landing.write_text(year_with_defect(BUNDLED_DATA / QUOTA_FILE), encoding="utf-8")
        deadline = time.monotonic() + WAIT_SECONDS
        settled = False
        while time.monotonic() < deadline and not settled:
            time.sleep(3)
            log = log_path.read_text(encoding="utf-8", errors="replace")
            assert daemon.poll() is None, log[-3000:]
            assert "Error while importing code" not in log, log[-5000:]
            runs = instance.get_runs()
            settled = read_refusal(published_dir) is not None and not any(
                r.status in ACTIVE for r in runs
            )
        runs = instance.get_runs()
        assert settled, f"no refusal within {WAIT_SECONDS:.0f} s: {[r.job_name for r in runs]}"
    finally:
        stop_daemon(daemon)

    # automation did try to publish (a run selected the release step) and was refused
    refusal = read_refusal(published_dir)
    assert refusal is not None
    assert any("capacity/quotas:holder_within_batch_total" in r for r in refusal["reasons"])
    assert any("369,906" in r for r in refusal["reasons"]), refusal
    assert any(r.tags.get("reekg/trigger") == "automation" for r in runs)
    assert published_state(dep) == before
    status = reekg_cli(dep, "status")
    assert status.returncode == 0, status.stderr
    text = " ".join(status.stdout.split())
    assert "Release refused" in text
    assert "holder_within_batch_total" in text


def test_a_run_that_would_empty_a_mart_is_refused_unless_confirmed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATA, data)
    dep = deployment(tmp_path, data)
    run_headless_ok(dep)
    before = published_state(dep)
    bundled = (data / QUOTA_FILE).read_text(encoding="utf-8")
    (data / QUOTA_FILE).write_text(bundled.splitlines()[0] + "\n", encoding="utf-8")
    quota_rows = len(bundled.splitlines()) - 1
    assert quota_rows > 50

    proc = run_headless(dep)
    out, _ = proc.communicate(timeout=240)
    assert proc.returncode != 0, out[-3000:]
    assert published_state(dep) == before
    refusal = read_refusal(dep.settings.published_warehouse.parent)
    assert refusal is not None
    assert any(
        r.startswith("core.quotas: would shrink from") and f"{quota_rows:,}" in r
        for r in refusal["reasons"]
    ), refusal

    confirmed = Deployment(dep.settings, dep.dagster_home, {**dep.env, CONFIRM_SHRINK_VAR: "1"})
    run_headless_ok(confirmed)
    assert published_state(dep)["warehouse"] != before["warehouse"]
    assert read_refusal(dep.settings.published_warehouse.parent) is None
