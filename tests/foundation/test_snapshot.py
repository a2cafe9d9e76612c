"""One snapshot of every asset key, check, job, schedule and sensor the deployment declares.

Asset keys are a contract (IRIs, lineage and the published warehouse use them); a change here
is deliberate: update `definitions_snapshot.json` with what the failure prints.
"""

import json
from pathlib import Path

import dagster as dg

from etl.definitions import build_defs
from etl.settings import Settings

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")


def declared(defs: dg.Definitions) -> dict[str, list[str]]:
    """Names of everything `defs` declares, sorted per kind."""
    repository = defs.get_repository_def()
    return {
        "assets": sorted(s.key.to_user_string() for s in defs.resolve_all_asset_specs()),
        "checks": sorted(
            f"{k.asset_key.to_user_string()}:{k.name}"
            for k in defs.resolve_asset_graph().asset_check_keys
        ),
        "jobs": sorted(j.name for j in repository.get_all_jobs() if not j.name.startswith("__")),
        "schedules": sorted(s.name for s in repository.schedule_defs),
        "sensors": sorted(s.name for s in repository.sensor_defs),
    }


def test_definitions_match_the_snapshot(tmp_path: Path) -> None:
    found = declared(build_defs(Settings.under(tmp_path)))
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert found == expected, json.dumps(found, indent=1)


def test_docs_state_the_sensor_intervals_the_code_uses(tmp_path: Path) -> None:
    import re

    docs = (Path(__file__).parents[2] / "docs" / "operations.md").read_text(encoding="utf-8")
    stated = {
        name: int(seconds)
        for name, seconds in re.findall(r"^\| `(\w+)`[^|]*\| (\d+) s \|", docs, flags=re.M)
    }
    repository = build_defs(Settings.under(tmp_path)).get_repository_def()
    used = {s.name: s.minimum_interval_seconds for s in repository.sensor_defs}
    assert stated == used
