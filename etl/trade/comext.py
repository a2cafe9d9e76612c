"""Eurostat Comext imports (EU-27 members x partners x CN8, EUR) into `core.trade_flows`.

The bundled extract (data/trade/trade_eu27_imports_by_member_partner_cn8_2022_2023_comext.csv)
and every CSV in landing/trade/comext/ with the same header feed one yearly partition each
(dataset trade.comext). A landed file replaces the bundled rows of the keys it holds (declarant,
partner, flow, CN8, year) and adds new ones (a new year lands without code changes). Values stay
in EUR (`value`, `currency`); `value_usd` is null, never converted without a sourced rate. The
CN8 code is kept in `cn_code` beside its HS6 in `hs_code`.
"""

from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import polars as pl

from etl.core.contracts import empty_rejections, reject_where
from etl.core.landing import landed_files_of, merge_by_key
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource
from etl.reference.lookups import CountryCodes
from etl.trade.common import COMEXT_FILE, GROUP, OWNERS, REF_COUNTRIES, REF_SOURCES
from etl.trade.ingest import _partition_metadata, clear_partitions, country_codes, ingest
from etl.trade.models import (
    COMEXT_BUNDLED_SOURCE_ID,
    COMEXT_CONTRACT,
    COMEXT_SOURCE_ID,
    DATASET_COMEXT,
    LANDING_COMEXT,
    as_flows,
)
from etl.trade.partitions import YEARLY
from etl.trade.readers import ReadResult, source_id_for


def comext_files(landing: Path) -> list[Path]:
    """CSVs of landing/trade/comext whose header is the Comext layout, in merge order
    (the project's landing rules: etl/core/landing.py)."""
    return landed_files_of(landing, "/".join(LANDING_COMEXT), COMEXT_CONTRACT)


def comext_years(paths: Sequence[Path]) -> list[str]:
    """The years (partition keys) the files hold."""
    years: set[str] = set()
    for path in paths:
        frame = pl.read_csv(path, columns=["year"], infer_schema=False)
        years |= {y.strip() for y in frame["year"].drop_nulls().to_list()}
    return sorted(y for y in years if y.isdigit())


def read_comext(
    bundled: Path | None,
    landed: Sequence[Path],
    landing: Path,
    codes: CountryCodes,
    year: int,
    first_year: bool = False,
) -> ReadResult:
    """Rows of one year: bundled file first, then each landed file; the last file holding a
    key wins (`merge_by_key`). Rows with an unknown country or a CN8 outside its HS6 are
    rejected; a rejected row without a readable year is reported with the first year."""
    key = str(year)
    merged = merge_by_key(COMEXT_CONTRACT, bundled, str(bundled), landing, landed)
    paths = ([bundled] if bundled is not None and bundled.is_file() else []) + list(landed)
    source_ids = pl.DataFrame(
        {
            "source_file": list(merged.labels),
            "source_id": [
                COMEXT_BUNDLED_SOURCE_ID if p == bundled else source_id_for(p, COMEXT_SOURCE_ID)
                for p in paths
            ],
        }
    )
    good = merged.good.filter(pl.col("year") == year).join(source_ids, on="source_file", how="left")
    years = pl.concat(
        [
            r.raw.select(
                "source_file",
                pl.col("source_row").cast(pl.Int64),
                pl.col("year").str.strip_chars().alias("_year"),
            )
            for r in merged.results
        ]
    )
    claimed = pl.concat([empty_rejections(), merged.rejected], how="vertical_relaxed").join(
        years, on=["source_file", "source_row"], how="left"
    )
    no_year = ~claimed["_year"].fill_null("").str.contains(r"^\d{4}$")
    mine = (claimed["_year"] == key).fill_null(False) | (no_year & first_year)
    rejected = claimed.filter(mine).drop("_year")
    known = list(codes.iso3)
    checks = pl.concat(
        [
            empty_rejections(),
            reject_where(good, ~pl.col("reporter_iso3").is_in(known), "reporter_iso3",
                         "unknown ISO3 code"),
            reject_where(good, ~pl.col("partner_iso3").is_in(known), "partner_iso3",
                         "unknown ISO3 code"),
            reject_where(good, pl.col("cn8_code").str.slice(0, 6) != pl.col("hs6_code"),
                         "hs6_code", "not the first six digits of cn8_code"),
        ]
    )  # fmt: skip
    good = good.join(
        checks.select("source_file", "source_row"), on=["source_file", "source_row"], how="anti"
    )
    flows = good.select(
        pl.lit(DATASET_COMEXT).alias("dataset"),
        pl.lit(key).alias("partition_key"),
        pl.col("year").cast(pl.Int32),
        pl.lit(None, pl.Int32).alias("month"),
        pl.col("year").cast(pl.String).alias("period"),
        pl.lit("A").alias("freq"),
        pl.col("reporter_iso3"),
        pl.col("partner_iso3"),
        pl.col("partner_iso3").alias("exporter_iso3"),
        pl.col("reporter_iso3").alias("importer_iso3"),
        pl.lit("import").alias("flow"),
        pl.lit("importer").alias("reporter_side"),
        pl.lit(True).alias("counts_as_origin"),
        pl.col("partner_iso3").is_in(list(codes.aggregates)).alias("is_aggregate_partner"),
        pl.col("hs6_code").alias("hs_code"),
        pl.lit("CN").alias("classification"),
        (pl.col("net_weight_kg") / 1000.0).alias("tonnes"),
        pl.lit(None, pl.Float64).alias("value_usd"),
        pl.lit(None, pl.String).alias("release"),
        "source_id",
        "source_file",
        "source_row",
        pl.col("value_eur").alias("value"),
        pl.lit("EUR").alias("currency"),
        pl.col("cn8_code").alias("cn_code"),
        pl.lit("hs6").alias("code_kind"),
    ).sort("importer_iso3", "exporter_iso3", "cn_code")
    return ReadResult(
        flows=as_flows(flows),
        rejected=pl.concat([rejected, checks]).sort("source_file", "source_row", "field"),
        scanned_files=tuple(str(p) for p in paths),
    )


@dg.asset(
    key=["trade", "comext"],
    partitions_def=YEARLY,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name=GROUP,
    kinds={"duckdb", "polars", "csv"},
    owners=OWNERS,
    pool=WRITER_POOL,
    deps=[REF_COUNTRIES, REF_SOURCES],
    description="Eurostat Comext imports of the rare-earth CN8 codes by EU member and partner "
    "(EUR, CN8 beside its HS6), bundled extract plus landing/trade/comext/*.csv, one year per "
    "partition, into core.trade_flows (dataset trade.comext).",
)
def comext(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    bundled = settings.data(*COMEXT_FILE)
    landing = Path(settings.landing_dir)
    landed = comext_files(landing)
    present = comext_years([p for p in (bundled, *landed) if p.is_file()])
    results: dict[str, ReadResult] = {}
    with warehouse.connect() as con:
        codes = country_codes(con, settings)
        for key in context.partition_keys:
            if key not in present:
                continue
            results[key] = read_comext(bundled, landed, landing, codes, int(key), key == present[0])
            ingest(con, settings, DATASET_COMEXT, key, results[key])
        clear_partitions(
            con, DATASET_COMEXT, [k for k in context.partition_keys if k not in results]
        )
        return dg.MaterializeResult(metadata=_partition_metadata(con, results))
