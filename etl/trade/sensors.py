"""Landing sensor and monthly schedule of the trade domain."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import polars as pl

from etl.core.landing import settled
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


def _stamp(path: Path) -> str | None:
    """mtime and size of a settled file (etl/core/landing.py); None while it may still be
    being copied in."""
    stat = path.stat()
    if not settled(path):
        return None
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def _changed_stamp(path: Path, cursor: dict[str, str], seen: dict[str, str]) -> str | None:
    """The file's stamp when it is new or changed since the cursor, else None.

    Records in `seen` what the next cursor keeps for it (a settling file keeps its old stamp).
    """
    stamp = _stamp(path)
    if stamp is None:
        if str(path) in cursor:
            seen[str(path)] = cursor[str(path)]
        return None
    seen[str(path)] = stamp
    return None if cursor.get(str(path)) == stamp else stamp


def plan_runs(
    landing: Path, cursor: dict[str, str]
) -> tuple[list[dg.RunRequest], dict[str, str], list[str]]:
    """Run requests for the partitions touched by new or changed files, and the next cursor.

    The cursor maps each file path to its mtime and size; an unchanged file is not read again,
    and a file modified in the last `SETTLE_SECONDS` is left for the next tick.
    One request per (asset, partition), whichever number of files touch it.
    """
    seen: dict[str, str] = {}
    notes: list[str] = []
    wanted: dict[tuple[str, str], list[str]] = {}
    for path in comtrade_files(landing):
        stamp = _changed_stamp(path, cursor, seen)
        if stamp is None:
            continue
        try:
            annual, monthly = comtrade_partitions(path)
        except (TradeFileError, pl.exceptions.PolarsError) as exc:
            notes.append(f"skipped until it changes: {exc}")
            continue
        for key in annual:
            wanted.setdefault(("comtrade_annual", key), []).append(f"{path.name}@{stamp}")
        for key in monthly:
            wanted.setdefault(("comtrade_monthly", key), []).append(f"{path.name}@{stamp}")
    for path in baci_files(landing):
        stamp = _changed_stamp(path, cursor, seen)
        if stamp is None:
            continue
        year = str(baci_file_info(path)[1])
        wanted.setdefault(("baci", year), []).append(f"{path.name}@{stamp}")
    for path in comext_files(landing):
        stamp = _changed_stamp(path, cursor, seen)
        if stamp is None:
            continue
        for year in comext_years([path]):
            wanted.setdefault(("comext", year), []).append(f"{path.name}@{stamp}")
    assets = {
        "comtrade_annual": comtrade_annual,
        "comtrade_monthly": comtrade_monthly,
        "baci": baci,
        "comext": comext,
    }
    jobs = {
        "comtrade_annual": YEARLY_JOB,
        "comtrade_monthly": MONTHLY_JOB,
        "baci": YEARLY_JOB,
        "comext": YEARLY_JOB,
    }
    requests = [
        dg.RunRequest(
            run_key=f"trade/{asset}/{key}/" + ",".join(sorted(files)),
            job_name=jobs[asset],
            asset_selection=[assets[asset].key],
            partition_key=key,
            tags={"reekg/trigger": "landing", "reekg/files": ",".join(sorted(files))[:1000]},
        )
        for (asset, key), files in sorted(wanted.items())
    ]
    return requests, seen, notes


@dg.sensor(
    name="trade_landing_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    jobs=[trade_yearly_ingest_job, trade_monthly_ingest_job],
    description="Watches landing/trade/comtrade/*.csv, landing/trade/comext/*.csv and "
    "landing/trade/baci/BACI_*_Y*_*.csv and "
    "requests runs only for the year/month partitions a new or changed file touches.",
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
