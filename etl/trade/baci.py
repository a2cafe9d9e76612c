"""Streamed reader for CEPII BACI year files and their companion country code list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl

from etl.trade.models import (
    BACI_COLUMNS,
    BACI_COUNTRY_COLUMNS,
    BACI_SOURCE_ID,
    DATASET_BACI,
    RARE_EARTH_HS_CODES,
)
from etl.trade.readers import (
    ReadResult,
    TradeFileError,
    _as_flows,
    _clean,
    _hs6,
    _number,
    _number_rules,
    _rejections,
    baci_file_info,
    candidate_rows,
    read_header,
    source_id_for,
)


def read_baci_countries(path: Path) -> pl.DataFrame:
    """BACI's companion code list: numeric country_code -> country_iso3."""
    header = read_header(path)
    missing = [c for c in BACI_COUNTRY_COLUMNS if c not in header]
    if missing:
        raise TradeFileError(f"{path}: row 1 (header): missing column(s) {', '.join(missing)}")
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    return (
        frame.select(
            pl.col("country_code")
            .str.strip_chars()
            .cast(pl.Int64, strict=False)
            .cast(pl.String)
            .alias("code"),
            pl.col("country_iso3").str.strip_chars().alias("iso3"),
        )
        .filter(pl.col("code").is_not_null() & pl.col("iso3").is_not_null())
        .unique("code", keep="first")
    )


def read_baci(
    path: Path,
    countries: pl.DataFrame,
    aggregates: Iterable[str] = (),
    hs_codes: Sequence[str] = RARE_EARTH_HS_CODES,
) -> ReadResult:
    """The rare-earth rows of one BACI year file, value in USD and quantity in tonnes."""
    classification, year, release = baci_file_info(path)
    source_id = source_id_for(path, BACI_SOURCE_ID)
    # One streamed pass keeps the lines that may hold a code (`candidate_rows`); the exact HS
    # test and the cleaning run on those few rows.
    raw = (
        candidate_rows(path, BACI_COLUMNS, "k", hs_codes)
        .lazy()
        .filter(_hs6("k").is_in(list(hs_codes)))
        .with_columns(*[_clean(c) for c in BACI_COLUMNS])
        .with_columns(pl.col("k").str.zfill(6))
        .with_columns(
            pl.col("i").cast(pl.Int64, strict=False).cast(pl.String).alias("_i"),
            pl.col("j").cast(pl.Int64, strict=False).cast(pl.String).alias("_j"),
        )
        .collect()
    )
    lookup = countries.select("code", "iso3")
    raw = raw.join(lookup.rename({"code": "_i", "iso3": "_exporter"}), on="_i", how="left").join(
        lookup.rename({"code": "_j", "iso3": "_importer"}), on="_j", how="left"
    )
    year_ok = pl.col("t").cast(pl.Int32, strict=False) == year
    rejected = _rejections(
        raw,
        [
            (~year_ok.fill_null(False), "t", f"year is not {year} (the year in the file name)"),
            (
                pl.col("_exporter").is_null(),
                "i",
                "unknown BACI country code (not in companion file)",
            ),
            (
                pl.col("_importer").is_null(),
                "j",
                "unknown BACI country code (not in companion file)",
            ),
            *_number_rules("v", required=True),
            *_number_rules("q", required=False),
        ],
    )
    good = raw.join(
        rejected.select("source_file", "source_row").unique(),
        on=["source_file", "source_row"],
        how="anti",
    )
    aggregate = pl.col("_importer").is_in(list(aggregates)) | pl.col("_exporter").is_in(
        list(aggregates)
    )
    out = good.select(
        pl.lit(DATASET_BACI).alias("dataset"),
        pl.lit(str(year)).alias("partition_key"),
        pl.lit(year).alias("year"),
        pl.lit(None, pl.Int32).alias("month"),
        pl.lit(str(year)).alias("period"),
        pl.lit("A").alias("freq"),
        pl.lit(None, pl.String).alias("reporter_iso3"),
        pl.lit(None, pl.String).alias("partner_iso3"),
        pl.col("_exporter").alias("exporter_iso3"),
        pl.col("_importer").alias("importer_iso3"),
        pl.lit("reconciled").alias("flow"),
        pl.lit("reconciled").alias("reporter_side"),
        pl.lit(True).alias("counts_as_origin"),
        aggregate.alias("is_aggregate_partner"),
        pl.col("k").alias("hs_code"),
        pl.lit(classification).alias("classification"),
        _number("q").alias("tonnes"),
        (_number("v") * 1000.0).alias("value_usd"),
        pl.lit(release).alias("release"),
        pl.lit(source_id).alias("source_id"),
        "source_file",
        "source_row",
    )
    return ReadResult(
        flows=_as_flows(out),
        rejected=rejected,
        scanned_files=(str(path),),
        file_rows=((str(path), raw.height, 0),),
    )
