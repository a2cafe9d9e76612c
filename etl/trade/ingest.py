"""Comtrade and BACI partitions into `core.trade_flows` (with their rejected rows).

Partition assets stream their landing files (see `readers.py`), then replace their partition of
`core.trade_flows` and of `quarantine.rejected_rows` in one transaction, so a rerun leaves the
same rows.
"""

from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import polars as pl

from etl.core.loading import record_accounting
from etl.core.metadata import table_metadata
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, load_sql
from etl.reference.lookups import CountryCodes, register_lookup_tables
from etl.reference.lookups import country_codes as reference_country_codes
from etl.trade.baci import read_baci, read_baci_countries
from etl.trade.common import GROUP, OWNERS, REF_COUNTRIES, REF_SOURCES, TradeSelection
from etl.trade.landing import baci_country_file, baci_files, comtrade_files, comtrade_partitions
from etl.trade.models import DATASET_BACI, DATASET_COMTRADE, FLOWS_TABLE, SQL_DIR
from etl.trade.partitions import MONTHLY, YEARLY
from etl.trade.readers import ReadResult, TradeFileError, read_comtrade
from etl.trade.validation import trade_accounts


def country_codes(con: duckdb.DuckDBPyConnection, settings: SettingsResource) -> CountryCodes:
    """The reference domain's country code lookups (from `core`, else its bundled files)."""
    return reference_country_codes(con, settings.data("reference"))


def prepare_reference(con: duckdb.DuckDBPyConnection, settings: SettingsResource) -> None:
    """Temp tables `trade_source_kinds` and `trade_countries` (the reference domain's lookups)."""
    register_lookup_tables(con, settings.data("reference"))


def _unregistered(con: duckdb.DuckDBPyConnection, result: ReadResult) -> list[str]:
    known = {r[0] for r in con.execute("SELECT source_id FROM trade_source_kinds").fetchall()}
    return sorted(set(result.flows["source_id"].unique().to_list()) - known)


def write_partition(
    con: duckdb.DuckDBPyConnection, dataset: str, partition_key: str, result: ReadResult
) -> None:
    """Replace one partition of core.trade_flows and its rejected rows in one transaction."""
    con.execute(load_sql(SQL_DIR, "create_trade_flows"))
    params = {"dataset": dataset, "partition_key": partition_key}
    con.execute("BEGIN TRANSACTION")
    try:
        # Arrow C streams (each scanned once below): DuckDB reads them without importing
        # pyarrow, which costs more than the write itself in a fresh process.
        con.register("_incoming_flows", result.flows.__arrow_c_stream__())
        con.register("_incoming_rejects", result.rejected.__arrow_c_stream__())
        con.execute(load_sql(SQL_DIR, "delete_trade_partition"), params)
        con.execute(load_sql(SQL_DIR, "insert_trade_partition"))
        con.execute(load_sql(SQL_DIR, "delete_quarantine_partition"), params)
        con.execute(load_sql(SQL_DIR, "insert_quarantine_partition"), params)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_incoming_flows")
        con.unregister("_incoming_rejects")


def _partition_metadata(
    con: duckdb.DuckDBPyConnection, results: dict[str, ReadResult]
) -> dict[str, Any]:
    meta: dict[str, Any] = table_metadata(con, FLOWS_TABLE)
    meta["table_rows_all_partitions"] = meta["dagster/row_count"]
    meta["dagster/row_count"] = dg.MetadataValue.int(sum(r.flows.height for r in results.values()))
    touched = {k: r for k, r in results.items() if r.scanned_files}
    meta["partitions_with_files"] = dg.MetadataValue.json(
        {k: r.flows.height for k, r in sorted(touched.items())}
    )
    meta["rejected_rows"] = dg.MetadataValue.int(sum(r.rejected.height for r in results.values()))
    meta["dropped_breakdown_rows"] = dg.MetadataValue.int(
        sum(r.dropped_breakdowns for r in results.values())
    )
    meta["files"] = dg.MetadataValue.json(
        sorted({f for r in results.values() for f in r.scanned_files})
    )
    return meta


def clear_partitions(con: duckdb.DuckDBPyConnection, dataset: str, keys: list[str]) -> None:
    """Empty the partitions no landed file touches any more (flows and rejections), at once."""
    if not keys:
        return
    con.execute(load_sql(SQL_DIR, "create_trade_flows"))
    params = {"dataset": dataset, "partition_keys": keys}
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(load_sql(SQL_DIR, "delete_trade_partitions"), params)
        con.execute(load_sql(SQL_DIR, "delete_quarantine_partitions"), params)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def ingest(
    con: duckdb.DuckDBPyConnection,
    settings: SettingsResource,
    dataset: str,
    partition_key: str,
    result: ReadResult,
) -> None:
    """Check the rows' sources are registered, then replace the partition."""
    prepare_reference(con, settings)
    unknown = _unregistered(con, result)
    if unknown:
        raise TradeFileError(
            f"{', '.join(result.scanned_files)}: source_id {', '.join(unknown)} not in "
            "data/reference/sources.csv (check the file's .source_id sidecar)"
        )
    write_partition(con, dataset, partition_key, result)
    record_accounting(
        con, dataset, partition_key, trade_accounts(result.file_rows, result.flows, result.rejected)
    )


def comtrade_touching(landing: Path) -> tuple[dict[str, list[Path]], list[str]]:
    """Partition key ('2023' or '2023-03') -> the Comtrade landing files holding its rows.

    Also the files skipped because they are not Comtrade CSVs (with the reason).
    """
    touching: dict[str, list[Path]] = {}
    skipped: list[str] = []
    for path in comtrade_files(landing):
        try:
            annual, monthly = comtrade_partitions(path)
        except TradeFileError as exc:
            skipped.append(str(exc))
            continue
        for key in (*annual, *monthly):
            touching.setdefault(key, []).append(path)
    return touching, skipped


def comtrade_run(
    partition_keys: list[str],
    hs_codes: list[str],
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> dg.MaterializeResult:
    """Replace each partition ('2023' annual or '2023-03' monthly) from the landing files."""
    touching, skipped = comtrade_touching(Path(settings.landing_dir))
    for reason in skipped:
        dg.get_dagster_logger().warning(f"skipped: {reason}")
    results: dict[str, ReadResult] = {}
    with warehouse.connect() as con:
        codes = country_codes(con, settings)
        for key in partition_keys:
            year, _, month = key.partition("-")
            files = touching.get(key, [])
            if not files:
                continue
            results[key] = read_comtrade(
                files, codes, int(year), int(month) if month else None, hs_codes, key
            )
            ingest(con, settings, DATASET_COMTRADE, key, results[key])
        clear_partitions(con, DATASET_COMTRADE, [k for k in partition_keys if k not in results])
        meta = _partition_metadata(con, results)
        meta["skipped_files"] = dg.MetadataValue.json(skipped)
        return dg.MaterializeResult(metadata=meta)


@dg.asset(
    key=["trade", "comtrade_annual"],
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name=GROUP,
    kinds={"duckdb", "polars", "csv"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[REF_COUNTRIES, REF_SOURCES],
    description="UN Comtrade annual rows (freqCode A) of one year from landing/trade/comtrade, "
    "rare-earth HS codes only, into core.trade_flows (dataset trade.comtrade).",
)
def comtrade_annual(
    context: dg.AssetExecutionContext,
    config: TradeSelection,
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> dg.MaterializeResult:
    return comtrade_run(context.partition_keys, config.hs_codes, warehouse, settings)


@dg.asset(
    key=["trade", "comtrade_monthly"],
    partitions_def=MONTHLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name=GROUP,
    kinds={"duckdb", "polars", "csv"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[REF_COUNTRIES, REF_SOURCES],
    description="UN Comtrade monthly rows (freqCode M) of one month from landing/trade/comtrade, "
    "rare-earth HS codes only, into core.trade_flows (dataset trade.comtrade).",
)
def comtrade_monthly(
    context: dg.AssetExecutionContext,
    config: TradeSelection,
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> dg.MaterializeResult:
    return comtrade_run(context.partition_keys, config.hs_codes, warehouse, settings)


def baci_run(
    partition_keys: list[str],
    hs_codes: list[str],
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> dg.MaterializeResult:
    """Replace each year from every BACI file of that year (with the newest code list)."""
    landing = Path(settings.landing_dir)
    results: dict[str, ReadResult] = {}
    with warehouse.connect() as con:
        for key in partition_keys:
            files = baci_files(landing, int(key))
            if not files:
                continue
            aggregates = country_codes(con, settings).aggregates
            countries = read_baci_countries(baci_country_file(landing))
            parts = [read_baci(p, countries, aggregates, hs_codes) for p in files]
            results[key] = ReadResult(
                flows=pl.concat([r.flows for r in parts]),
                rejected=pl.concat([r.rejected for r in parts]),
                scanned_files=tuple(str(p) for p in files),
                file_rows=tuple(f for r in parts for f in r.file_rows),
            )
            ingest(con, settings, DATASET_BACI, key, results[key])
        clear_partitions(con, DATASET_BACI, [k for k in partition_keys if k not in results])
        return dg.MaterializeResult(metadata=_partition_metadata(con, results))


@dg.asset(
    key=["trade", "baci"],
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name=GROUP,
    kinds={"duckdb", "polars", "csv"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[REF_COUNTRIES, REF_SOURCES],
    description="CEPII BACI year files (BACI_*_Y<year>_*.csv) from landing/trade/baci, "
    "rare-earth HS codes only, value in USD and tonnes, into core.trade_flows "
    "(dataset trade.baci).",
)
def baci(
    context: dg.AssetExecutionContext,
    config: TradeSelection,
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> dg.MaterializeResult:
    return baci_run(context.partition_keys, config.hs_codes, warehouse, settings)
