"""The bundled trade files: US and Japan imports by partner, China's monthly exports by
destination, China customs totals, supply agreements."""

from pathlib import Path

import dagster as dg
import polars as pl

from etl.core.contracts import empty_rejections, read_contract, reject_where
from etl.core.loading import account_files, record_accounting
from etl.core.metadata import materialize_result, table_metadata
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, replace_quarantine, replace_rows
from etl.reference.lookups import CountryCodes, country_names, source_urls
from etl.trade.common import (
    AGREEMENTS_FILE,
    CHINA_FILE,
    CHINA_GROUP_FILE,
    GROUP,
    JAPAN_FILE,
    OWNERS,
    REF_COUNTRIES,
    REF_SOURCES,
    US_FILE,
)
from etl.trade.ingest import _partition_metadata, country_codes, ingest, prepare_reference
from etl.trade.models import (
    AGREEMENTS_TABLE,
    CHINA_CUSTOMS_CONTRACT,
    CHINA_CUSTOMS_TABLE,
    CHINA_GROUP_MONTHLY_CONTRACT,
    CHINA_MONTHLY_SOURCE_ID,
    DATASET_AGREEMENTS,
    DATASET_BUNDLED,
    JAPAN_PREVIEW_CONTRACT,
    JAPAN_PREVIEW_SOURCE_ID,
    LANDING_AGREEMENTS,
    SUPPLY_AGREEMENT_CONTRACT,
    US_BUNDLED_SOURCE_ID,
    US_IMPORTS_CONTRACT,
    as_flows,
)
from etl.trade.partitions import ALL_PARTITION, BUNDLED_PARTITION
from etl.trade.readers import ReadResult


def _known_partners(good: pl.DataFrame, codes: CountryCodes) -> tuple[pl.DataFrame, pl.DataFrame]:
    unknown = reject_where(
        good, ~pl.col("partner_iso3").is_in(list(codes.iso3)), "partner_iso3", "unknown ISO3 code"
    )
    return good.join(unknown.select("source_row"), on="source_row", how="anti"), unknown


def _importer_flows(
    good: pl.DataFrame, reporter: str, source_id: str, codes: CountryCodes, complete: bool
) -> pl.DataFrame:
    """Importer-reported yearly rows of `reporter` in the core.trade_flows layout (USD)."""
    return as_flows(
        good.select(
            pl.lit(DATASET_BUNDLED).alias("dataset"),
            pl.lit(BUNDLED_PARTITION).alias("partition_key"),
            pl.col("year").cast(pl.Int32),
            pl.lit(None, pl.Int32).alias("month"),
            pl.col("year").cast(pl.String).alias("period"),
            pl.lit("A").alias("freq"),
            pl.lit(reporter).alias("reporter_iso3"),
            pl.col("partner_iso3"),
            pl.col("partner_iso3").alias("exporter_iso3"),
            pl.lit(reporter).alias("importer_iso3"),
            pl.lit("import").alias("flow"),
            pl.lit("importer").alias("reporter_side"),
            pl.lit(True).alias("counts_as_origin"),
            pl.col("partner_iso3").is_in(list(codes.aggregates)).alias("is_aggregate_partner"),
            pl.col("hs_code"),
            pl.lit(None, pl.String).alias("classification"),
            (pl.col("net_weight_kg") / 1000.0).alias("tonnes"),
            pl.col("value_usd"),
            pl.lit(None, pl.String).alias("release"),
            pl.lit(source_id).alias("source_id"),
            "source_file",
            "source_row",
            pl.lit(complete).alias("is_complete"),
        )
    )


def read_us_bundled(path: Path, codes: CountryCodes) -> ReadResult:
    """US-reported imports of HS 280530, 284610 and 284690 by partner, 2018-2025 (USD)."""
    result = read_contract(path, US_IMPORTS_CONTRACT)
    good, unknown = _known_partners(result.good, codes)
    return ReadResult(
        flows=_importer_flows(good, "USA", US_BUNDLED_SOURCE_ID, codes, complete=True),
        rejected=pl.concat([result.rejected, unknown]),
        scanned_files=(str(path),),
    )


def read_japan_preview(path: Path, codes: CountryCodes) -> ReadResult:
    """Japan-reported imports of the 2846 heading (Comtrade public preview): incomplete, so
    every row has is_complete = false (a missing partner is not a zero)."""
    result = read_contract(path, JAPAN_PREVIEW_CONTRACT)
    good, unknown = _known_partners(result.good, codes)
    return ReadResult(
        flows=_importer_flows(good, "JPN", JAPAN_PREVIEW_SOURCE_ID, codes, complete=False),
        rejected=pl.concat([result.rejected, unknown]),
        scanned_files=(str(path),),
    )


def read_china_group_monthly(path: Path, codes: CountryCodes) -> ReadResult:
    """China-reported monthly exports by destination. A code like 280530+284690+850511 is a
    group the source summed: it stays one `hs_code` with code_kind 'group', never split."""
    result = read_contract(path, CHINA_GROUP_MONTHLY_CONTRACT)
    good, unknown = _known_partners(result.good, codes)
    period = pl.format("{}-{}", pl.col("year"), pl.col("month").cast(pl.String).str.zfill(2))
    flows = as_flows(
        good.select(
            pl.lit(DATASET_BUNDLED).alias("dataset"),
            pl.lit(BUNDLED_PARTITION).alias("partition_key"),
            pl.col("year").cast(pl.Int32),
            pl.col("month").cast(pl.Int32),
            period.alias("period"),
            pl.lit("M").alias("freq"),
            pl.lit("CHN").alias("reporter_iso3"),
            pl.col("partner_iso3"),
            pl.lit("CHN").alias("exporter_iso3"),
            pl.col("partner_iso3").alias("importer_iso3"),
            pl.lit("export").alias("flow"),
            pl.lit("exporter").alias("reporter_side"),
            pl.lit(True).alias("counts_as_origin"),
            pl.col("partner_iso3").is_in(list(codes.aggregates)).alias("is_aggregate_partner"),
            pl.col("hs_code"),
            pl.lit(None, pl.String).alias("classification"),
            (pl.col("net_weight_kg") / 1000.0).alias("tonnes"),
            pl.col("value_usd"),
            pl.lit(None, pl.String).alias("release"),
            pl.lit(CHINA_MONTHLY_SOURCE_ID).alias("source_id"),
            "source_file",
            "source_row",
        )
    )
    return ReadResult(
        flows=flows, rejected=pl.concat([result.rejected, unknown]), scanned_files=(str(path),)
    )


def read_bundled_flows(settings: SettingsResource, codes: CountryCodes) -> ReadResult:
    """Every bundled flow file, as one partition ('bundled') of dataset trade.bundled."""
    parts = [
        read_us_bundled(settings.data(*US_FILE), codes),
        read_japan_preview(settings.data(*JAPAN_FILE), codes),
        read_china_group_monthly(settings.data(*CHINA_GROUP_FILE), codes),
    ]
    return ReadResult(
        flows=pl.concat([p.flows for p in parts]),
        rejected=pl.concat([empty_rejections(), *[p.rejected for p in parts]]),
        scanned_files=tuple(f for p in parts for f in p.scanned_files),
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
        # GAC lines are China's national codes: never put in HS6 850511 (all metal magnets,
        # about twice GAC's rare-earth magnet line 85051110).
        pl.lit(None, pl.String).alias("hs_code"),
        pl.when(magnets & pl.col("product").str.contains("85051110"))
        .then(pl.lit("85051110"))
        .alias("cn_code"),
        "tonnes",
        "source_id",
        pl.col("note"),
        "source_file",
        "source_row",
    )
    return out, rejected


@dg.asset(
    key=["trade", "bundled_flows"],
    group_name=GROUP,
    kinds={"duckdb", "polars", "csv"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[REF_COUNTRIES, REF_SOURCES],
    description="Bundled real trade figures into core.trade_flows: US imports of HS 280530, "
    "284610, 284690 by partner, Japan's imports of the 2846 heading (Comtrade preview, "
    "incomplete), China's monthly exports of a summed code group by destination; and China "
    "customs totals and magnet exports (core.china_customs_trade).",
)
def bundled_flows(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        us = read_bundled_flows(settings, country_codes(con, settings))
        ingest(con, settings, DATASET_BUNDLED, BUNDLED_PARTITION, us)
        meta = _partition_metadata(con, {BUNDLED_PARTITION: us})
        china, rejected = read_china_customs(
            settings.data(*CHINA_FILE),
            country_names(settings.data("reference")),
            source_urls(settings.data("reference")),
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
    goods, rejects, results = [], [], []
    for path in paths:
        if path.is_file():
            result = read_contract(path, SUPPLY_AGREEMENT_CONTRACT)
            goods.append(result.good)
            rejects.append(result.rejected)
            results.append((str(path), result))
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
        labels, reads = [label for label, _ in results], [r for _, r in results]
        accounts = account_files(labels, reads, good, rejected)
        record_accounting(con, DATASET_AGREEMENTS, ALL_PARTITION, accounts)
        return materialize_result(
            con, AGREEMENTS_TABLE, rejected_rows=dg.MetadataValue.int(rejected.height)
        )
