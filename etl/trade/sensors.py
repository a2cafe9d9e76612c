"""Landing sensor and monthly schedule of the trade domain."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from etl.core.landing import file_digest, settled
from etl.core.runs import FILES_TAG, TRIGGER_TAG
from etl.core.settings_resource import SettingsResource
from etl.trade.assets import (
    UNPARTITIONED_ASSETS,
    baci,
    comext,
    comtrade_annual,
    comtrade_monthly,
)
from etl.trade.comext import comext_files, comext_years
from etl.trade.landing import baci_files, comtrade_files, comtrade_partitions
from etl.trade.readers import TradeFileError, baci_file_info

YEARLY_JOB = "trade_yearly_ingest"
MONTHLY_JOB = "trade_monthly_ingest"
# One job per partitions definition: a Dagster job cannot mix yearly and monthly assets.
trade_yearly_ingest_job = dg.define_asset_job(
    YEARLY_JOB,
    selection=dg.AssetSelection.assets(comtrade_annual, baci, comext),
    description="Yearly trade partitions (Comtrade annual, BACI, Comext) from the landing folder.",
)
trade_monthly_ingest_job = dg.define_asset_job(
    MONTHLY_JOB,
    selection=dg.AssetSelection.assets(comtrade_monthly),
    description="Monthly Comtrade partitions from the landing folder.",
)


ASSETS = {
    "comtrade_annual": comtrade_annual,
    "comtrade_monthly": comtrade_monthly,
    "baci": baci,
    "comext": comext,
}
JOBS = {
    "comtrade_annual": YEARLY_JOB,
    "comtrade_monthly": MONTHLY_JOB,
    "baci": YEARLY_JOB,
    "comext": YEARLY_JOB,
}


def _partitions(path: Path, kind: str) -> list[str]:
    """`asset/key` of every partition a landed file holds rows of (raises for a bad file)."""
    if kind == "baci":
        return [f"baci/{baci_file_info(path)[1]}"]
    if kind == "comext":
        return [f"comext/{year}" for year in comext_years([path])]
    annual, monthly = comtrade_partitions(path)
    return [f"comtrade_annual/{k}" for k in annual] + [f"comtrade_monthly/{k}" for k in monthly]


def plan_runs(
    landing: Path, cursor: dict[str, Any]
) -> tuple[list[dg.RunRequest], dict[str, Any], list[str]]:
    """Run requests for the partitions whose landed content changed, and the next cursor.

    Change is by content (etl/core/landing.py's `file_digest`, streamed): the cursor keeps per
    file its digest and the partitions it holds (a touched file with the same bytes starts
    nothing; only a changed file is parsed for its partitions). A changed file
    requests the partitions it holds now and held before (rows that left it revert); a removed
    file requests the partitions it held. A file modified in the last `SETTLE_SECONDS` is left
    for the next tick. One request per (asset, partition), whichever number of files touch it.
    """
    seen: dict[str, Any] = {}
    notes: list[str] = []
    wanted: dict[str, list[str]] = defaultdict(list)
    present = [
        *((p, "comtrade") for p in comtrade_files(landing)),
        *((p, "baci") for p in baci_files(landing)),
        *((p, "comext") for p in comext_files(landing)),
    ]
    listed = {str(p) for p, _ in present}
    for path, kind in present:
        old = cursor.get(str(path))
        old = old if isinstance(old, dict) else None  # an mtime:size cursor of old: re-read
        if not settled(path):
            if old is not None:
                seen[str(path)] = old
            continue
        digest = file_digest(path)
        if old is not None and old.get("digest") == digest:
            seen[str(path)] = old
            continue
        try:
            parts = _partitions(path, kind)
        except (TradeFileError, pl.exceptions.PolarsError) as exc:
            notes.append(f"skipped until it changes: {exc}")
            parts = []
        seen[str(path)] = {"digest": digest, "partitions": parts}
        for part in sorted({*parts, *(old or {}).get("partitions", [])}):
            wanted[part].append(f"{path.name}@{digest}")
    for name, old in sorted(cursor.items()):
        if name not in listed and isinstance(old, dict):  # removed: its partitions revert
            for part in old.get("partitions", []):
                wanted[part].append(f"{Path(name).name}@gone")
    requests = []
    for part, files in sorted(wanted.items()):
        asset, _, key = part.partition("/")
        requests.append(
            dg.RunRequest(
                run_key=f"trade/{part}/" + ",".join(sorted(files)),
                job_name=JOBS[asset],
                asset_selection=[ASSETS[asset].key],
                partition_key=key,
                tags={TRIGGER_TAG: "landing", FILES_TAG: ",".join(sorted(files))[:1000]},
            )
        )
    return requests, seen, notes


@dg.sensor(
    name="trade_landing_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    jobs=[trade_yearly_ingest_job, trade_monthly_ingest_job],
    description="Watches landing/trade/comtrade/*.csv, landing/trade/comext/*.csv and "
    "landing/trade/baci/BACI_*_Y*_*.csv and requests runs only for the year/month partitions "
    "whose content changed (by digest) or whose file was removed.",
)
def trade_landing_sensor(
    context: dg.SensorEvaluationContext, settings: SettingsResource
) -> dg.SensorResult:
    cursor = json.loads(context.cursor) if context.cursor else {}
    requests, seen, notes = plan_runs(Path(settings.landing_dir), cursor)
    for note in notes:
        context.log.warning(note)
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))


trade_refresh_job = dg.define_asset_job(
    "trade_refresh",
    selection=dg.AssetSelection.assets(*UNPARTITIONED_ASSETS),
    description="Bundled trade figures, agreements, buyers and every trade mart.",
)

trade_monthly_schedule = dg.ScheduleDefinition(
    name="trade_monthly",
    job=trade_refresh_job,
    cron_schedule="0 6 2 * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Monthly: reload bundled trade figures and agreements, rebuild trade marts.",
)
