"""Streamed readers for UN Comtrade and CEPII BACI files.

Each file is scanned lazily by Polars (all columns as strings, so HS codes keep their leading
zeros), filtered to the rare-earth HS codes and to one partition before anything is collected,
and only the kept rows are typed and checked. Rows that fail a check come back as rejections
(file, physical line, field, value, reason); the rest come back in the `core.trade_flows` layout.
Rows of other HS codes are never collected, so their defects are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from etl.core.contracts import empty_rejections, reject_where
from etl.trade.models import (
    BACI_COLUMNS,
    BACI_COUNTRY_COLUMNS,
    BACI_SOURCE_ID,
    CLASSIFICATIONS,
    COMTRADE_COLUMNS,
    COMTRADE_FLOWS,
    COMTRADE_SOURCE_ID,
    DATASET_BACI,
    DATASET_COMTRADE,
    FLOW_SCHEMA,
    RARE_EARTH_HS_CODES,
    SOURCE_SIDECAR_SUFFIX,
    SYNTHETIC_SOURCE_ID,
)

NULL_WORDS = ("", "NA", "N/A", "null", "NULL")
BACI_NAME = re.compile(
    r"BACI_(?P<hs>HS\d{2})_Y(?P<year>\d{4})_(?P<release>V\w+?)(?:[-_.].*)?\.csv$"
)
HEADER_LINE = 1  # physical line of the header; data row n (0-based) is on line n + 2


class TradeFileError(Exception):
    """A trade file that cannot be read at all; the message names the file."""


@dataclass(frozen=True)
class ReadResult:
    """Rows in the `core.trade_flows` layout, rejected rows, and counts for metadata."""

    flows: pl.DataFrame
    rejected: pl.DataFrame
    scanned_files: tuple[str, ...]
    dropped_breakdowns: int = 0


@dataclass(frozen=True)
class CountryCodes:
    """Code -> ISO3 lookups: Comtrade/M49 numbers, ISO3 spellings, and which ISO3 are aggregates."""

    m49: dict[str, str]
    iso3: frozenset[str]
    aggregates: frozenset[str]

    @classmethod
    def from_frames(cls, codes: pl.DataFrame, countries: pl.DataFrame) -> CountryCodes:
        """`codes` has system, code, iso3; `countries` has iso3, is_aggregate."""
        numeric = codes.filter(pl.col("system").is_in(["m49", "comtrade"]))
        # Comtrade's own numbers (842 for the USA) win over plain M49 ones.
        ordered = numeric.sort(pl.col("system") == "comtrade")
        m49 = {str(int(c)): i for c, i in ordered.select("code", "iso3").iter_rows() if c.isdigit()}
        m49.update({c: i for c, i in ordered.select("code", "iso3").iter_rows() if not c.isdigit()})
        aggregates = countries.filter(pl.col("is_aggregate"))["iso3"].to_list()
        return cls(
            m49=m49,
            iso3=frozenset(countries["iso3"].to_list()),
            aggregates=frozenset(aggregates),
        )

    @classmethod
    def from_reference_csv(cls, reference_dir: Path) -> CountryCodes:
        """Build from `countries.csv` and `country_aliases.csv` (before `core` tables exist)."""
        countries = pl.read_csv(reference_dir / "countries.csv", infer_schema=False).select(
            pl.col("iso3"),
            pl.col("m49"),
            (pl.col("is_aggregate").str.to_lowercase() == "true").alias("is_aggregate"),
        )
        aliases = pl.read_csv(reference_dir / "country_aliases.csv", infer_schema=False)
        codes = pl.concat(
            [
                countries.filter(pl.col("m49").is_not_null()).select(
                    pl.lit("m49").alias("system"), pl.col("m49").alias("code"), "iso3"
                ),
                aliases.select("system", pl.col("alias").alias("code"), "iso3"),
            ]
        )
        return cls.from_frames(codes, countries.select("iso3", "is_aggregate"))

    @classmethod
    def from_warehouse(cls, con: duckdb.DuckDBPyConnection) -> CountryCodes:
        """Build from `core.country_codes` and `core.countries` (the reference domain's tables)."""
        codes = con.sql(
            "SELECT system, CAST(code AS VARCHAR) AS code, iso3 FROM core.country_codes"
        ).pl()
        countries = con.sql(
            "SELECT iso3, coalesce(is_aggregate, false) AS is_aggregate FROM core.countries"
        ).pl()
        m49 = con.sql(
            "SELECT 'm49' AS system, CAST(m49 AS VARCHAR) AS code, iso3 FROM core.countries "
            "WHERE m49 IS NOT NULL"
        ).pl()
        return cls.from_frames(pl.concat([m49, codes]), countries)

    def lookup_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {"code": list(self.m49), "iso3": list(self.m49.values())},
            schema={"code": pl.String, "iso3": pl.String},
        )


def source_id_for(path: Path, default: str) -> str:
    """The source of a landed file: its `<file>.source_id` sidecar, else 'synthetic' in the name."""
    sidecar = path.with_name(path.name + SOURCE_SIDECAR_SUFFIX)
    if sidecar.is_file():
        text = sidecar.read_text(encoding="utf-8").strip()
        if text:
            return text
    if "synthetic" in path.name.lower():
        return SYNTHETIC_SOURCE_ID
    return default


def _clean(name: str) -> pl.Expr:
    """A string column trimmed, with the usual null words as nulls."""
    col = pl.col(name).str.strip_chars()
    return pl.when(col.is_in(NULL_WORDS)).then(pl.lit(None, pl.String)).otherwise(col).alias(name)


def _trim(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars()


def _hs6(name: str) -> pl.Expr:
    """An HS code as six characters with its leading zeros (some writers drop them)."""
    return _trim(name).str.zfill(6)


def _file_iso3(name: str) -> pl.Expr:
    col = pl.col(name)
    return pl.when(col.str.contains(r"^[A-Z]{3}$")).then(col).otherwise(pl.lit(None, pl.String))


def _number(name: str) -> pl.Expr:
    return pl.col(name).str.replace_all(",", "").cast(pl.Float64, strict=False)


def _scan(path: Path, columns: Sequence[str]) -> pl.LazyFrame:
    """Lazy all-string scan of one CSV with file path and physical line number."""
    header = read_header(path)
    missing = [c for c in columns if c not in header]
    if missing:
        raise TradeFileError(
            f"{path}: row 1 (header): missing column(s) {', '.join(missing)} "
            f"(found {', '.join(header) or 'nothing'})"
        )
    return pl.scan_csv(
        path,
        infer_schema=False,
        row_index_name="source_row",
        row_index_offset=HEADER_LINE + 1,
        include_file_paths="source_file",
        truncate_ragged_lines=True,
        missing_columns="insert",
        encoding="utf8-lossy",
    )


def read_header(path: Path) -> list[str]:
    if not path.is_file():
        raise TradeFileError(f"{path}: file not found")
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline()
    if not first.strip():
        raise TradeFileError(f"{path}: empty file, expected a CSV header")
    return [h.strip().strip('"') for h in first.rstrip("\r\n").split(",")]


def _rejections(
    frame: pl.DataFrame, rules: Iterable[tuple[pl.Expr, str, str | pl.Expr]]
) -> pl.DataFrame:
    parts = [reject_where(frame, mask, field, reason) for mask, field, reason in rules]
    return pl.concat([empty_rejections(), *parts]).sort("source_file", "source_row", "field")


def _as_flows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select([pl.col(c).cast(t).alias(c) for c, t in FLOW_SCHEMA.items()])


def _number_rules(name: str, required: bool) -> list[tuple[pl.Expr, str, str]]:
    raw, typed = pl.col(name), _number(name)
    rules: list[tuple[pl.Expr, str, str]] = [
        (raw.is_not_null() & typed.is_null(), name, "not a number"),
        (typed < 0, name, "negative"),
    ]
    if required:
        rules.append((raw.is_null(), name, "missing value"))
    return rules


def read_comtrade(
    paths: Sequence[Path],
    codes: CountryCodes,
    year: int,
    month: int | None = None,
    hs_codes: Sequence[str] = RARE_EARTH_HS_CODES,
    partition_key: str | None = None,
) -> ReadResult:
    """Rows of one year (annual files, freqCode A) or one month (freqCode M) from Comtrade CSVs.

    Only totals are kept (partner2 World, all transport modes, customs C00); breakdown rows are
    counted and dropped. A key that appears twice (in one file or across files) is kept once,
    the later copies are rejected as duplicates.
    """
    freq = "A" if month is None else "M"
    key = partition_key or (f"{year}" if month is None else f"{year}-{month:02d}")
    frames, scanned, dropped = [], [], 0
    for path in sorted(paths):
        # Filter on the few columns that decide, then clean the kept rows only.
        in_partition = (
            (_trim("freqCode") == freq)
            & (_trim("refYear") == str(year))
            & _hs6("cmdCode").is_in(list(hs_codes))
        )
        if month is not None:
            in_partition &= _trim("refMonth").cast(pl.Int32, strict=False) == month
        lf = (
            _scan(path, COMTRADE_COLUMNS)
            .filter(in_partition)
            .with_columns(*[_clean(c) for c in COMTRADE_COLUMNS])
            .with_columns(pl.col("cmdCode").str.zfill(6))
        )
        is_total = (
            pl.col("partner2Code").fill_null("0").is_in(["0", "W00"])
            & pl.col("motCode").fill_null("0").is_in(["0"])
            & pl.col("customsCode").fill_null("C00").is_in(["C00"])
        )
        part = lf.with_columns(
            is_total.alias("_is_total"),
            pl.lit(source_id_for(path, COMTRADE_SOURCE_ID)).alias("source_id"),
        ).collect(engine="streaming")
        dropped += part.filter(~pl.col("_is_total")).height
        frames.append(part.filter(pl.col("_is_total")).drop("_is_total"))
        scanned.append(str(path))
    if not frames:
        return ReadResult(pl.DataFrame(schema=FLOW_SCHEMA), empty_rejections(), ())
    raw = pl.concat(frames, how="vertical_relaxed")
    lookup = codes.lookup_frame()
    raw = (
        raw.join(
            lookup.rename({"code": "reporterCode", "iso3": "_reporter"}),
            on="reporterCode",
            how="left",
        )
        .join(
            lookup.rename({"code": "partnerCode", "iso3": "_partner"}), on="partnerCode", how="left"
        )
        .with_columns(
            pl.col("classificationCode")
            .replace_strict(CLASSIFICATIONS, default=None)
            .alias("_class"),
            # A code missing from the reference tables falls back to the file's own ISO3
            # column when that is a plain alpha-3 code (aggregates such as W00, S19, _X are not).
            pl.coalesce("_reporter", _file_iso3("reporterISO")).alias("_reporter"),
            pl.coalesce("_partner", _file_iso3("partnerISO")).alias("_partner"),
        )
    )
    flows = list(COMTRADE_FLOWS)
    rules: list[tuple[pl.Expr, str, str | pl.Expr]] = [
        (
            ~pl.col("flowCode").is_in(flows) | pl.col("flowCode").is_null(),
            "flowCode",
            f"flow code not handled (expected {', '.join(flows)})",
        ),
        (
            pl.col("_reporter").is_null(),
            "reporterCode",
            "unknown reporter code (not in country_codes/countries, no ISO3 in the file)",
        ),
        (
            pl.col("_partner").is_null(),
            "partnerCode",
            "unknown partner code (not in country_codes/countries, no ISO3 in the file)",
        ),
        (pl.col("_class").is_null(), "classificationCode", "unknown HS classification"),
        *_number_rules("primaryValue", required=True),
        *_number_rules("netWgt", required=False),
    ]
    if month is not None:
        rules.append((pl.col("refMonth").is_null(), "refMonth", "missing month in monthly data"))
    rejected = _rejections(raw, rules)
    good = raw.join(
        rejected.select("source_file", "source_row").unique(),
        on=["source_file", "source_row"],
        how="anti",
    )
    dup_key = [
        "reporterCode",
        "flowCode",
        "partnerCode",
        "cmdCode",
        "classificationCode",
        "refMonth",
    ]
    good = good.sort("source_file", "source_row").with_columns(
        pl.struct(dup_key).is_first_distinct().alias("_first"),
        pl.format(
            "duplicate key of {} row {}",
            pl.col("source_file").first(),
            pl.col("source_row").first(),
        )
        .over(dup_key)
        .alias("_dup_reason"),
    )
    duplicates = reject_where(good, ~pl.col("_first"), "cmdCode", pl.col("_dup_reason"))
    good = good.filter(pl.col("_first"))
    is_import = pl.col("flowCode").is_in(["M", "RM"])
    kg = pl.col("qtyUnitAbbr").str.to_lowercase().eq("kg") | pl.col("qtyUnitCode").eq("8")
    tonnes = pl.coalesce(_number("netWgt"), pl.when(kg).then(_number("qty"))) / 1000.0
    out = good.select(
        pl.lit(DATASET_COMTRADE).alias("dataset"),
        pl.lit(key).alias("partition_key"),
        pl.lit(year).alias("year"),
        pl.lit(month, pl.Int32).alias("month"),
        pl.lit(key).alias("period"),
        pl.lit(freq).alias("freq"),
        pl.col("_reporter").alias("reporter_iso3"),
        pl.col("_partner").alias("partner_iso3"),
        pl.when(is_import)
        .then(pl.col("_partner"))
        .otherwise(pl.col("_reporter"))
        .alias("exporter_iso3"),
        pl.when(is_import)
        .then(pl.col("_reporter"))
        .otherwise(pl.col("_partner"))
        .alias("importer_iso3"),
        pl.col("flowCode")
        .replace_strict({k: v[0] for k, v in COMTRADE_FLOWS.items()})
        .alias("flow"),
        pl.col("flowCode")
        .replace_strict({k: v[1] for k, v in COMTRADE_FLOWS.items()})
        .alias("reporter_side"),
        pl.col("flowCode")
        .replace_strict({k: v[2] for k, v in COMTRADE_FLOWS.items()})
        .alias("counts_as_origin"),
        (pl.col("_partner").is_in(list(codes.aggregates)) | pl.col("partnerCode").eq("0")).alias(
            "is_aggregate_partner"
        ),
        pl.col("cmdCode").alias("hs_code"),
        pl.col("_class").alias("classification"),
        tonnes.alias("tonnes"),
        _number("primaryValue").alias("value_usd"),
        pl.lit(None, pl.String).alias("release"),
        "source_id",
        "source_file",
        "source_row",
    )
    return ReadResult(
        flows=_as_flows(out),
        rejected=pl.concat([rejected, duplicates]).sort("source_file", "source_row", "field"),
        scanned_files=tuple(scanned),
        dropped_breakdowns=dropped,
    )


def baci_file_info(path: Path) -> tuple[str, int, str]:
    """(classification, year, release) from a BACI file name such as BACI_HS22_Y2023_V202501.csv."""
    match = BACI_NAME.search(path.name)
    if match is None:
        raise TradeFileError(
            f"{path}: not a BACI file name (expected BACI_HS22_Y2023_V202501.csv or similar)"
        )
    hs = match["hs"]
    if hs not in CLASSIFICATIONS:
        raise TradeFileError(f"{path}: unknown HS revision {hs} in the file name")
    return CLASSIFICATIONS[hs], int(match["year"]), match["release"]


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
    raw = (
        _scan(path, BACI_COLUMNS)
        .filter(_hs6("k").is_in(list(hs_codes)))
        .with_columns(*[_clean(c) for c in BACI_COLUMNS])
        .with_columns(pl.col("k").str.zfill(6))
        .with_columns(
            pl.col("i").cast(pl.Int64, strict=False).cast(pl.String).alias("_i"),
            pl.col("j").cast(pl.Int64, strict=False).cast(pl.String).alias("_j"),
        )
        .collect(engine="streaming")
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
    return ReadResult(flows=_as_flows(out), rejected=rejected, scanned_files=(str(path),))
