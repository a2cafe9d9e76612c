"""The definitions load headless and expose the asset keys users and IRIs rely on."""

import dagster as dg

from etl.definitions import build_defs
from etl.settings import Settings


def test_every_asset_is_described_grouped_and_owned(tmp_path):
    """The keys themselves are in test_snapshot.py."""
    defs = build_defs(Settings.under(tmp_path))
    specs = list(defs.resolve_all_asset_specs())
    for spec in specs:
        assert spec.description, f"{spec.key.to_user_string()} has no description"
        assert spec.group_name and spec.group_name != "default", spec.key
        assert spec.owners, spec.key


def test_yearly_quota_partitions_cover_the_bundled_years(tmp_path):
    defs = build_defs(Settings.under(tmp_path))
    spec = next(
        s for s in defs.resolve_all_asset_specs() if s.key == dg.AssetKey(["capacity", "quotas"])
    )
    assert spec.partitions_def is not None
    keys = spec.partitions_def.get_partition_keys()
    assert keys[0] == "2015" and "2023" in keys


def test_usgs_edition_partitions_cover_the_bundled_editions(tmp_path):
    defs = build_defs(Settings.under(tmp_path))
    spec = next(
        s
        for s in defs.resolve_all_asset_specs()
        if s.key == dg.AssetKey(["production", "usgs_world"])
    )
    assert spec.partitions_def is not None
    assert {"2022", "2023", "2024"} <= set(spec.partitions_def.get_partition_keys())


def test_workspace_points_at_the_definitions():
    from pathlib import Path

    import yaml

    workspace = yaml.safe_load((Path(__file__).parents[2] / "workspace.yaml").read_text())
    target = workspace["load_from"][0]["python_module"]
    assert target["module_name"] == "etl.definitions"
    assert target["attribute"] == "defs"


def test_dagster_validates_the_workspace(tmp_path):
    """What `dagster dev -w workspace.yaml` loads: every job, sensor and schedule resolves."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).parents[2]
    env = {**os.environ, "REEKG_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path)}
    dagster = Path(sys.executable).with_name("dagster")
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
