"""Trade assets: Comtrade and BACI partitions into `core.trade_flows`, bundled figures, marts.

Partition assets stream their files (see `readers.py`), then replace their partition of
`core.trade_flows` and of `quarantine.rejected_rows` in one transaction, so a rerun leaves the
same rows. Marts are rebuilt from `core` with `CREATE OR REPLACE` from `.sql` files.
"""

from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import polars as pl

from etl.core.contracts import empty_rejections, read_contract, reject_where
from etl.core.metadata import materialize_result, table_metadata
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import (
    WRITER_POOL,
    WarehouseResource,
    load_sql,
    replace_quarantine,
    replace_rows,
)
from etl.trade.landing import baci_country_file, baci_files, comtrade_files, comtrade_partitions
from etl.trade.models import (
    AGREEMENTS_TABLE,
    BUYERS_TABLE,
    CHINA_CUSTOMS_CONTRACT,
    CHINA_CUSTOMS_TABLE,
    DATASET_AGREEMENTS,
    DATASET_BACI,
    DATASET_BUNDLED,
    DATASET_COMTRADE,
    FLOW_SCHEMA,
    FLOWS_TABLE,
    FLOWS_YEARLY_TABLE,
    LANDING_AGREEMENTS,
    MART_EXPOSURE,
    MART_FLOWS,
    MART_MIRROR,
    MART_SCENARIO_INFO,
    MART_SHARES,
    QUOTA_MART,
    RARE_EARTH_HS_CODES,
    SQL_DIR,
    SUPPLY_AGREEMENT_CONTRACT,
    US_BUNDLED_CONTRACT,
    US_BUNDLED_SOURCE_ID,
)
from etl.trade.readers import (
    CountryCodes,
    ReadResult,
    TradeFileError,
    read_baci,
    read_baci_countries,
    read_comtrade,
)

GROUP = "trade"
OWNERS = ["team:trade"]
YEARLY = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start="1995", fmt="%Y", end_offset=1
)
MONTHLY = dg.MonthlyPartitionsDefinition(start_date="2000-01", fmt="%Y-%m", end_offset=1)

REF_COUNTRIES = dg.AssetKey(["reference", "countries"])
REF_SOURCES = dg.AssetKey(["reference", "sources"])
REF_ORGANISATIONS = dg.AssetKey(["reference", "organisations"])
QUOTA_BY_HOLDER = dg.AssetKey(["marts", "quota_by_holder"])
BUNDLED_PARTITION = "bundled"
ALL_PARTITION = "all"
US_FILE = ("trade", "us_imports_hs280530_by_partner.csv")
CHINA_FILE = ("trade", "china_customs_re_exports.csv")
AGREEMENTS_FILE = ("trade", "supply_agreements.csv")

SCENARIO_ASSUMPTIONS = (
    "Capacity means the holder's share of China's latest smelting/separation quota "
    "(marts.quota_by_holder), as in marts.buyer_exposure_chain.",
    "China's exports of every rare-earth HS code fall in proportion to the capacity cut "
    "(cut_fraction x the target's share of the quota).",
    "No other Chinese holder, no other country and no stock makes up the loss "
    "in the scenario year.",
    "Each buyer keeps its supplier mix; shortfall_share_of_imports is relative to the buyer's "
    "imports of that commodity from all suppliers in the same report.",
    "Imports from Hong Kong are not traced back to China (re-exports are not origins).",
    "Province of a holder = core.organisations.hq_province_id (headquarters, not plant sites).",
)


class TradeSelection(dg.Config):
    """Which HS6 codes the readers keep (the rare-earth codes by default)."""

    hs_codes: list[str] = list(RARE_EARTH_HS_CODES)  # noqa: RUF012 (pydantic copies defaults)


class TradeMartConfig(dg.Config):
    """`include_synthetic`: keep synthetic rows in marts (flagged is_synthetic); off by default."""

    include_synthetic: bool = False


def has_table(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, _, name = qualified.partition(".")
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(rows[0][0])


def country_codes(con: duckdb.DuckDBPyConnection, settings: SettingsResource) -> CountryCodes:
    """Code lookups from `core.country_codes` when the reference domain built it, else the CSVs."""
    if has_table(con, "core.country_codes") and has_table(con, "core.countries"):
        return CountryCodes.from_warehouse(con)
    return CountryCodes.from_reference_csv(settings.data("reference"))


def prepare_reference(con: duckdb.DuckDBPyConnection, settings: SettingsResource) -> None:
    """Temp tables `trade_source_kinds` and `trade_countries`, from `core` or the reference CSVs."""
    reference = settings.data("reference")
    if has_table(con, "core.sources"):
        con.execute(load_sql(SQL_DIR, "create_source_kinds_from_core"))
    else:
        con.execute(
            load_sql(SQL_DIR, "create_source_kinds_from_csv"),
            {"path": str(reference / "sources.csv")},
        )
    if has_table(con, "core.countries"):
        con.execute(load_sql(SQL_DIR, "create_countries_from_core"))
    else:
        con.execute(
            load_sql(SQL_DIR, "create_countries_from_csv"),
            {"path": str(reference / "countries.csv")},
        )


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
        con.register("_incoming_flows", result.flows.to_arrow())
        con.register("_incoming_rejects", result.rejected.to_arrow())
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


def read_us_bundled(path: Path, codes: CountryCodes) -> ReadResult:
    """The bundled US importer-reported HS 280530 file as trade flows (reporter USA, imports)."""
    result = read_contract(path, US_BUNDLED_CONTRACT)
    good = result.good
    unknown = reject_where(
        good, ~pl.col("partner_iso3").is_in(list(codes.iso3)), "partner_iso3", "unknown ISO3 code"
    )
    good = good.join(unknown.select("source_row"), on="source_row", how="anti")
    aggregate = pl.col("is_aggregate_partner") | pl.col("partner_iso3").is_in(
        list(codes.aggregates)
    )
    flows = good.select(
        pl.lit(DATASET_BUNDLED).alias("dataset"),
        pl.lit(BUNDLED_PARTITION).alias("partition_key"),
        pl.col("year").cast(pl.Int32),
        pl.lit(None, pl.Int32).alias("month"),
        pl.col("year").cast(pl.String).alias("period"),
        pl.lit("A").alias("freq"),
        pl.lit("USA").alias("reporter_iso3"),
        pl.col("partner_iso3"),
        pl.col("partner_iso3").alias("exporter_iso3"),
        pl.lit("USA").alias("importer_iso3"),
        pl.lit("import").alias("flow"),
        pl.lit("importer").alias("reporter_side"),
        pl.lit(True).alias("counts_as_origin"),
        aggregate.alias("is_aggregate_partner"),
        pl.col("canonical_product_id").alias("hs_code"),
        pl.lit(None, pl.String).alias("classification"),
        pl.lit(None, pl.Float64).alias("tonnes"),
        pl.col("import_value_usd").alias("value_usd"),
        pl.lit(None, pl.String).alias("release"),
        pl.lit(US_BUNDLED_SOURCE_ID).alias("source_id"),
        "source_file",
        "source_row",
    )
    return ReadResult(
        flows=flows.select([pl.col(c).cast(t) for c, t in FLOW_SCHEMA.items()]),
        rejected=pl.concat([result.rejected, unknown]),
        scanned_files=(str(path),),
    )


def read_china_customs(
    path: Path, names: pl.DataFrame, sources: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """China customs totals and magnet exports: partner names -> ISO3, source URL -> source_id."""
    result = read_contract(path, CHINA_CUSTOMS_CONTRACT)
    frame = result.good.join(names, left_on="partner", right_on="name", how="left").join(
        sources, left_on="source_url", right_on="url", how="left"
    )
    rejected = pl.concat(
        [
            result.rejected,
            reject_where(frame, pl.col("iso3").is_null(), "partner", "unknown partner name"),
            reject_where(
                frame, pl.col("source_id").is_null(), "source_url", "URL not in sources.csv"
            ),
        ]
    )
    frame = frame.join(rejected.select("source_row"), on="source_row", how="anti")
    magnets = pl.col("product").str.to_lowercase().str.contains("magnet")
    period_from = pl.col("period").str.extract(r"^(\d{4}(?:-\d{2})?)")
    period_to = pl.coalesce(pl.col("period").str.extract(r"/(\d{4}-\d{2})$"), period_from)
    out = frame.select(
        "period",
        period_from.str.slice(0, 4).cast(pl.Int32).alias("year"),
        period_from.str.extract(r"-(\d{2})$").cast(pl.Int32).alias("month_from"),
        period_to.str.extract(r"-(\d{2})$").cast(pl.Int32).alias("month_to"),
        "flow",
        pl.lit("CHN").alias("reporter_iso3"),
        pl.col("iso3").alias("partner_iso3"),
        pl.col("is_aggregate").alias("is_aggregate_partner"),
        "product",
        pl.when(magnets).then(pl.lit("850511")).alias("hs_code"),
        pl.when(pl.col("product").str.contains("85051110"))
        .then(pl.lit("85051110"))
        .alias("cn_code"),
        "tonnes",
        "source_id",
        pl.col("note"),
        "source_file",
        "source_row",
    )
    return out, rejected


def _name_lookup(settings: SettingsResource) -> pl.DataFrame:
    reference = settings.data("reference")
    countries = pl.read_csv(reference / "countries.csv", infer_schema=False)
    aliases = pl.read_csv(reference / "country_aliases.csv", infer_schema=False).filter(
        pl.col("system") == "name"
    )
    aggregate = countries.select("iso3", (pl.col("is_aggregate") == "true").alias("is_aggregate"))
    return (
        pl.concat(
            [
                countries.select("name", "iso3"),
                aliases.select(pl.col("alias").alias("name"), "iso3"),
            ]
        )
        .unique("name", keep="first")
        .join(aggregate, on="iso3", how="left")
    )


@dg.asset(
    key=["trade", "bundled_flows"],
    group_name=GROUP,
    kinds={"duckdb", "polars", "csv"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[REF_COUNTRIES, REF_SOURCES],
    description="Bundled real trade figures: US imports of HS 280530 by partner "
    "(importer-reported, into core.trade_flows) and China customs totals and magnet exports "
    "(core.china_customs_trade).",
)
def bundled_flows(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        us = read_us_bundled(settings.data(*US_FILE), country_codes(con, settings))
        ingest(con, settings, DATASET_BUNDLED, BUNDLED_PARTITION, us)
        meta = _partition_metadata(con, {BUNDLED_PARTITION: us})
        sources = pl.read_csv(settings.data("reference", "sources.csv"), infer_schema=False)
        china, rejected = read_china_customs(
            settings.data(*CHINA_FILE),
            _name_lookup(settings),
            sources.select("source_id", "url").filter(pl.col("url").is_not_null()).unique("url"),
        )
        replace_rows(con, CHINA_CUSTOMS_TABLE, china)
        replace_quarantine(con, DATASET_BUNDLED + ".china_customs", ALL_PARTITION, rejected)
        china_meta = table_metadata(con, CHINA_CUSTOMS_TABLE)
        return dg.MaterializeResult(
            metadata={
                **meta,
                "china_customs_rows": china_meta["dagster/row_count"],
                "china_customs_rejected": dg.MetadataValue.int(rejected.height),
            }
        )


@dg.asset(
    key=["trade", "supply_agreements"],
    group_name=GROUP,
    kinds={"duckdb", "polars", "csv"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[REF_SOURCES],
    description="Supply agreements (buyer, supplier, commodity, volume, start, end, source) from "
    "data/trade/supply_agreements.csv and landing/trade/agreements/*.csv into "
    "core.supply_agreements.",
)
def supply_agreements(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    landing = Path(settings.landing_dir).joinpath(*LANDING_AGREEMENTS)
    paths = [settings.data(*AGREEMENTS_FILE), *sorted(landing.glob("*.csv"))]
    goods, rejects = [], []
    for path in paths:
        if path.is_file():
            result = read_contract(path, SUPPLY_AGREEMENT_CONTRACT)
            goods.append(result.good)
            rejects.append(result.rejected)
    schema = SUPPLY_AGREEMENT_CONTRACT.polars_schema | {
        "source_file": pl.String,
        "source_row": pl.Int64,
    }
    good = pl.concat([pl.DataFrame(schema=schema), *goods])
    with warehouse.connect() as con:
        prepare_reference(con, settings)
        known = con.sql("SELECT source_id FROM trade_source_kinds").pl()["source_id"].to_list()
        unknown = reject_where(
            good, ~pl.col("source_id").is_in(known), "source_id", "not in sources.csv"
        )
        dup = reject_where(
            good,
            ~pl.col("agreement_id").is_first_distinct(),
            "agreement_id",
            "duplicate agreement_id",
        )
        rejected = pl.concat([empty_rejections(), *rejects, unknown, dup])
        good = good.join(
            rejected.select("source_file", "source_row"),
            on=["source_file", "source_row"],
            how="anti",
        )
        replace_rows(con, AGREEMENTS_TABLE, good)
        replace_quarantine(con, DATASET_AGREEMENTS, ALL_PARTITION, rejected)
        return materialize_result(
            con, AGREEMENTS_TABLE, rejected_rows=dg.MetadataValue.int(rejected.height)
        )


FLOW_INPUTS = [
    dg.AssetKey(["trade", "comtrade_annual"]),
    dg.AssetKey(["trade", "comtrade_monthly"]),
    dg.AssetKey(["trade", "baci"]),
    dg.AssetKey(["trade", "bundled_flows"]),
]
MART_KEYS = {
    "flows": dg.AssetKey(["marts", "trade_flows"]),
    "yearly": dg.AssetKey(["trade", "flows_yearly"]),
    "shares": dg.AssetKey(["marts", "buyer_supplier_shares"]),
    "mirror": dg.AssetKey(["marts", "mirror_discrepancy"]),
    "exposure": dg.AssetKey(["marts", "buyer_exposure_chain"]),
    "scenario": dg.AssetKey(["marts", "scenario_shortfall"]),
    "buyers": dg.AssetKey(["trade", "buyers"]),
}
# Rebuild a mart when anything upstream was updated (partitioned inputs included).
ON_UPSTREAM_UPDATE = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
)


def _build(
    con: duckdb.DuckDBPyConnection, settings: SettingsResource, sql: str, table: str, **params: Any
) -> dg.MaterializeResult:
    prepare_reference(con, settings)
    con.execute(load_sql(SQL_DIR, sql), params or None)
    return materialize_result(con, table)


def _ensure_flows_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(load_sql(SQL_DIR, "create_trade_flows"))


@dg.asset(
    key=MART_KEYS["flows"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[*FLOW_INPUTS, REF_SOURCES],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="Bilateral trade flows (World/aggregate partners excluded), all sources, with "
    "reporter_side and counts_as_origin (false for re-exports/re-imports). Synthetic rows are "
    "excluded unless include_synthetic (then is_synthetic = true marks them).",
)
def trade_flows_mart(
    config: TradeMartConfig, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        _ensure_flows_table(con)
        return _build(
            con,
            settings,
            "build_trade_flows_mart",
            MART_FLOWS,
            include_synthetic=config.include_synthetic,
        )


def _sql_mart(key: str, sql: str, table: str, dep: str, description: str) -> dg.AssetsDefinition:
    """A trade mart that is one SQL file over its upstream trade table."""

    @dg.asset(
        key=MART_KEYS[key],
        group_name=GROUP,
        kinds={"duckdb", "sql"},
        owners=OWNERS,
        pool=WRITER_POOL,
        deps=[MART_KEYS[dep]],
        automation_condition=ON_UPSTREAM_UPDATE,
        description=description,
    )
    def _mart(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            return _build(con, settings, sql, table)

    return _mart


trade_flows_yearly = _sql_mart(
    "yearly",
    "build_trade_flows_yearly",
    FLOWS_YEARLY_TABLE,
    "flows",
    "Origin flows per year with one source per report (importer, exporter or reconciled), "
    "monthly rows summed where no annual report exists (core.trade_flows_yearly).",
)
buyer_supplier_shares = _sql_mart(
    "shares",
    "build_buyer_supplier_shares",
    MART_SHARES,
    "yearly",
    "Per buyer, commodity and year: each supplier's share of value and tonnes, the HHI of "
    "suppliers (0-10,000) and China's share.",
)
mirror_discrepancy = _sql_mart(
    "mirror",
    "build_mirror_discrepancy",
    MART_MIRROR,
    "yearly",
    "Exporter-reported vs importer-reported value and tonnes per pair, commodity and year, "
    "with the gap.",
)


@dg.asset(
    key=MART_KEYS["exposure"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[MART_KEYS["shares"], QUOTA_BY_HOLDER, REF_ORGANISATIONS],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="A buyer's imports from China apportioned to the Chinese quota holders and their "
    "provinces by each holder's share of the smelting/separation quota.",
)
def buyer_exposure_chain(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        for needed in (QUOTA_MART, "core.organisations"):
            if not has_table(con, needed):
                raise dg.Failure(
                    f"{needed} is missing: materialize the capacity and reference "
                    "assets (marts/quota_by_holder, reference/organisations) first"
                )
        return _build(con, settings, "build_buyer_exposure_chain", MART_EXPOSURE)


@dg.asset(
    key=MART_KEYS["scenario"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[MART_KEYS["exposure"]],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="Creates the table macro marts.scenario_shortfall(holder_or_province, "
    "cut_fraction) and marts.scenario_shortfall_assumptions (what the scenario assumes).",
)
def scenario_shortfall(warehouse: WarehouseResource) -> dg.MaterializeResult:
    assumptions = pl.DataFrame(
        {
            "n": list(range(1, len(SCENARIO_ASSUMPTIONS) + 1)),
            "assumption": list(SCENARIO_ASSUMPTIONS),
        }
    )
    with warehouse.connect() as con:
        con.execute(load_sql(SQL_DIR, "create_scenario_shortfall"))
        replace_rows(con, MART_SCENARIO_INFO, assumptions)
        return materialize_result(
            con,
            MART_SCENARIO_INFO,
            macro=dg.MetadataValue.text(
                "marts.scenario_shortfall(holder_or_province, cut_fraction)"
            ),
            example=dg.MetadataValue.md(
                "```sql\nSELECT * FROM marts.scenario_shortfall('CN-JX', 0.3);\n```"
            ),
        )


@dg.asset(
    key=MART_KEYS["buyers"],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[MART_KEYS["flows"], dg.AssetKey(["trade", "supply_agreements"]), REF_COUNTRIES],
    automation_condition=ON_UPSTREAM_UPDATE,
    description="Buyer entities: importing countries seen in (non-synthetic) trade and companies "
    "named as buyers in supply agreements (core.buyers).",
)
def buyers(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        if not has_table(con, AGREEMENTS_TABLE):
            raise dg.Failure(
                "core.supply_agreements is missing: materialize trade/supply_agreements"
            )
        return _build(con, settings, "build_buyers", BUYERS_TABLE)


PARTITIONED_ASSETS = [comtrade_annual, comtrade_monthly, baci]
UNPARTITIONED_ASSETS = [
    bundled_flows,
    supply_agreements,
    trade_flows_mart,
    trade_flows_yearly,
    buyer_supplier_shares,
    mirror_discrepancy,
    buyer_exposure_chain,
    scenario_shortfall,
    buyers,
]
ASSETS = [*PARTITIONED_ASSETS, *UNPARTITIONED_ASSETS]
