"""The landing sensor's file discovery and run planning, and the ops definitions' policies."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import dagster as dg
import pytest

from etl.core.landing import inside
from etl.core.runs import FILE_READ_RETRY, RANGE_END, RANGE_START
from etl.core.settings_resource import SettingsResource
from etl.definitions import LANDING, build_defs
from etl.ops.automation import (
    YEARLY_FRESHNESS,
    apply_operations,
    landing_requests,
    landing_sensor_for,
)
from etl.ops.landing import (
    QUOTAS,
    USGS_WORLD,
    WHOLE_FILE,
    changed_partitions,
    landed_files,
)
from etl.settings import Settings

HEADER = "year,batch,entity_type,entity,ore_type,quota_type,tonnes_reo,is_derived,source_url\n"
OLD = time.time() - 60


def write(path: Path, text: str, mtime: float = OLD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def quota_file(landing: Path, rows: dict[str, str]) -> Path:
    body = "".join(
        f"{year},1,national,China,all,mining,{value},false,https://x.test/\n"
        for year, value in rows.items()
    )
    return write(landing / "capacity" / "china_re_quotas_2015_2023.csv", HEADER + body)


def test_only_files_inside_the_landing_folder_count(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    outside = write(
        tmp_path / "elsewhere.csv",
        HEADER + "2019,1,national,China,all,mining,1,false,https://x.test/\n",
    )
    (landing / "capacity").mkdir(parents=True)
    (landing / "capacity" / "china_re_quotas_2015_2023.csv").symlink_to(outside)
    (landing / "production").symlink_to(tmp_path)  # a whole folder pointing outside
    write(tmp_path / "mcs2024-raree_world.csv", "x\n")
    assert not inside(landing, landing / "capacity" / ".." / ".." / "elsewhere.csv")
    assert not inside(landing, landing / "capacity" / "china_re_quotas_2015_2023.csv")
    assert landed_files(landing) == []


def test_unsettled_files_wait_for_the_next_tick(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    quota_file(landing, {"2022": "10"})
    os.utime(landing / "capacity" / "china_re_quotas_2015_2023.csv")  # just written
    assert landed_files(landing) == []
    assert len(landed_files(landing, now=time.time() + 10)) == 1


def test_only_changed_quota_years_are_requested(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    quota_file(landing, {"2021": "10", "2022": "20", "2023": "30"})
    first = landed_files(landing)
    cursor = {f.relpath: f.digests for f in first}
    assert sorted(changed_partitions(first, {})[QUOTAS]) == ["2021", "2022", "2023"]
    assert changed_partitions(first, cursor) == {}

    quota_file(landing, {"2021": "10", "2022": "25", "2023": "30"})
    assert sorted(changed_partitions(landed_files(landing), cursor)[QUOTAS]) == ["2022"]
    quota_file(landing, {"2021": "10", "2022": "20"})  # 2023 rows removed
    assert sorted(changed_partitions(landed_files(landing), cursor)[QUOTAS]) == ["2023"]


def test_run_requests_cover_changed_partitions_only() -> None:
    changed = {
        QUOTAS: {
            "2019": ["capacity/q.csv@d1"],
            "2021": ["capacity/q.csv@d1"],
            "1899": ["capacity/q.csv@d1"],
        },
        USGS_WORLD: {"2024": ["production/a.csv@d2"], "2031": ["production/b.csv@d3"]},
        dg.AssetKey(["capacity", "facilities"]): {WHOLE_FILE: ["capacity/facilities.csv@d4"]},
    }
    requests, notes = landing_requests(changed, ["2019", "2020", "2021"], ["2024"], LANDING)
    by_job = {r.job_name: r for r in requests}
    assert (
        by_job["capacity_quotas"].tags[RANGE_START],
        by_job["capacity_quotas"].tags[RANGE_END],
    ) == (
        "2019",
        "2021",
    )
    assert by_job["production_usgs"].partition_key == "2024"
    assert by_job["capacity_files"].asset_selection == [dg.AssetKey(["capacity", "facilities"])]
    assert any("1899" in n for n in notes) and any("2031" in n for n in notes)
    assert by_job["capacity_quotas"].tags["reekg/files"] == "capacity/q.csv"
    # The same partitions with other content get another run key (no dedupe of a real change).
    changed[QUOTAS] = {"2019": ["capacity/q.csv@d9"]}
    again, _ = landing_requests(changed, ["2019", "2020", "2021"], ["2024"], LANDING)
    assert {r.run_key for r in again}.isdisjoint({by_job["capacity_quotas"].run_key})


def test_sensor_requests_once_per_change(tmp_path: Path) -> None:
    settings = Settings.under(tmp_path)
    quota_file(settings.landing_dir, {"2022": "20", "2023": "30"})
    resources = {"settings": SettingsResource.from_settings(settings)}
    landing_sensor = landing_sensor_for(LANDING)
    with dg.build_sensor_context(resources=resources) as context:
        first = landing_sensor(context)
    assert isinstance(first, dg.SensorResult) and first.run_requests
    (request,) = first.run_requests
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2022", "2023")
    with dg.build_sensor_context(cursor=first.cursor, resources=resources) as context:
        second = landing_sensor(context)
    assert isinstance(second, dg.SensorResult) and not second.run_requests
    assert json.loads(second.cursor or "{}") == json.loads(first.cursor or "{}")


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    return apply_operations(build_defs(Settings.under(tmp_path_factory.mktemp("defs"))))


def test_deployment_loads_like_a_code_server(deployed: dg.Definitions) -> None:
    repository = deployed.get_repository_def()
    repository.load_all_definitions()  # resolves every job and sensor target, as the daemon does
    assert apply_operations(deployed).resolve_all_asset_specs()


def test_ops_sensors_and_schedules_run_by_default(deployed: dg.Definitions) -> None:
    repository = deployed.get_repository_def()
    for name in (
        "capacity_production_landing_sensor",
        "follow_inputs_sensor",
        "orphaned_runs_sensor",
    ):
        assert repository.get_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING
    for name in ("capacity_quotas_yearly", "production_usgs_yearly"):
        schedule = repository.get_schedule_def(name)
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_jobs_reading_files_retry_with_exponential_backoff(deployed: dg.Definitions) -> None:
    assert FILE_READ_RETRY.backoff == dg.Backoff.EXPONENTIAL and FILE_READ_RETRY.max_retries == 3
    for name in ("capacity_quotas", "production_usgs", "capacity_files"):
        job = deployed.resolve_job_def(name)
        assert job.op_retry_policy == FILE_READ_RETRY, name


def test_followers_follow_their_inputs_and_everything_has_a_freshness_policy(
    deployed: dg.Definitions,
) -> None:
    specs = {s.key.to_user_string(): s for s in deployed.resolve_all_asset_specs()}
    for key in (
        "marts/quota_by_holder",
        "marts/world_production",
        "publish/warehouse",
        "graph/release_candidate",
        "graph/published",
    ):
        condition = specs[key].automation_condition
        assert condition is not None and condition.get_label() == "follow_inputs", key
    assert specs["capacity/quotas"].automation_condition is None  # pulled by schedule/sensor
    assert all(s.freshness_policy is not None for s in specs.values())
    assert specs["capacity/quotas"].freshness_policy == YEARLY_FRESHNESS
    assert specs["publish/warehouse"].freshness_policy != YEARLY_FRESHNESS  # trade is monthly
