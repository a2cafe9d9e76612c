"""The bundled trade files: US imports by partner, China customs totals, supply agreements."""

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
    GROUP,
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
    DATASET_AGREEMENTS,
    DATASET_BUNDLED,
    FLOW_SCHEMA,
    LANDING_AGREEMENTS,
    SUPPLY_AGREEMENT_CONTRACT,
    US_BUNDLED_CONTRACT,
    US_BUNDLED_SOURCE_ID,
)
from etl.trade.partitions import ALL_PARTITION, BUNDLED_PARTITION
from etl.trade.readers import ReadResult


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
