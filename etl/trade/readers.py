"""Streamed readers for UN Comtrade and CEPII BACI files.

Each file is streamed once by Polars as lines; only the lines that may hold a rare-earth HS
code are parsed as CSV (`candidate_rows`: all columns as strings, so HS codes keep their
leading zeros), then filtered to the exact codes and to one partition, and only the kept rows
are typed and checked. Rows that fail a check come back as rejections
(file, physical line, field, value, reason); the rest come back in the `core.trade_flows` layout.
Rows of other HS codes are never collected, so their defects are not reported.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.core.contracts import empty_rejections, reject_where
from etl.reference.lookups import CountryCodes
from etl.trade.models import (
    CLASSIFICATIONS,
    COMTRADE_COLUMNS,
    COMTRADE_FLOWS,
    COMTRADE_SOURCE_ID,
    DATASET_COMTRADE,
    FLOW_SCHEMA,
    RARE_EARTH_HS_CODES,
    SOURCE_SIDECAR_SUFFIX,
    SYNTHETIC_SOURCE_ID,
    as_flows,
    kept_codes,
)
from etl.trade.validation import (
    field_count,
    field_counts,
    header_problem,
    non_finite_rule,
    ragged_rules,
    scan_lines,
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
    # (file, rows of the partition read, rows set aside as breakdowns) per file
    file_rows: tuple[tuple[str, int, int], ...] = ()


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
    """An HS code as six characters with its leading zeros (some writers drop them); a
    4-digit heading stays a heading."""
    code = _trim(name)
    return pl.when(code.str.len_chars() == 4).then(code).otherwise(code.str.zfill(6))


def _code_variants(hs_codes: Sequence[str]) -> list[str]:
    """Each code and the code without some of its leading zeros (writers drop them)."""
    return sorted({c[i:] for c in hs_codes for i in range(len(c) - len(c.lstrip("0")) + 1)})


def _any_of(literals: Sequence[str]) -> str:
    """A regex matching any of `literals` (Polars' regex engine finds a set of literals about
    twice as fast as `str.contains_any` here: bench/trade/RESULTS.md)."""
    return "|".join(re.escape(literal) for literal in literals)


def _code_candidates(name: str, hs_codes: Sequence[str]) -> pl.Expr:
    """A cheap superset of `_hs6(name).is_in(hs_codes)`, evaluated inside the scan.

    It allocates no strings: the raw cell is one of the codes (or a code without some of its
    leading zeros), or is not six bytes long, or starts or ends with a space or a tab. Every
    cell that trims and zero-fills to a code passes (the one gap: a code with leading zeros,
    written without them and padded to six bytes with other whitespace than spaces or tabs;
    none of the rare-earth codes starts with a zero). The exact test runs on the kept rows.
    """
    col = pl.col(name)
    candidate = col.is_in(_code_variants(hs_codes)) | (col.str.len_bytes() != 6)
    for blank in (" ", "\t"):
        candidate |= col.str.starts_with(blank) | col.str.ends_with(blank)
    return candidate.fill_null(False)


def candidate_rows(
    path: Path, columns: Sequence[str], code_column: str, hs_codes: Sequence[str]
) -> pl.DataFrame:
    """The rows of `path` whose `code_column` may hold one of `hs_codes`, every header column
    (`columns` must be among them) as a string,
    with `source_file` and `source_row` (physical line); the exact test runs on them after.

    One streamed pass reads each line as one string and keeps the lines holding a code (or a
    code without leading zeros: a cell that trims and zero-fills to a code holds one), or a
    0x1F byte (the line splitter; such a line is rebuilt and checked); only those are parsed
    as CSV. If they do not parse one record per line (a quoted field across lines), the file
    is read by the full CSV scan instead (`_scan` with `_code_candidates`), same result.
    """
    header = header_with(path, columns)
    lines = scan_lines(path)
    # The line rebuilt (with what follows a 0x1F byte), as a new string: a kept line that
    # stayed a view into the scan's buffers would keep the whole file in memory.
    whole = pl.concat_str(
        [pl.col("line").fill_null(""), pl.lit("\x1f") + pl.col("rest")], ignore_nulls=True
    )
    picked = (
        lines.filter(
            (pl.col("source_row") == HEADER_LINE)
            | pl.col("line").str.contains(_any_of(_code_variants(hs_codes)))
            | pl.col("rest").is_not_null()
        )
        .select(pl.col("source_row").cast(pl.Int64), whole.alias("line"))
        .with_columns(field_count(pl.col("line")).alias("_fields"))
        .collect(engine="streaming")
    )
    header_fields = int(picked["_fields"][0]) if picked.height else len(header)
    if picked.height <= 1:
        return _with_fields(_scan(path, header).head(0).collect(), header_fields)
    buffer = io.BytesIO()
    picked.select("line").write_csv(buffer, include_header=False, quote_style="never")
    buffer.seek(0)
    try:
        frame = pl.read_csv(
            buffer, infer_schema=False, truncate_ragged_lines=True, encoding="utf8-lossy"
        )
    except pl.exceptions.PolarsError:
        frame = None
    if frame is None or frame.height != picked.height - 1 or frame.columns != header:
        full = _scan(path, header).filter(_code_candidates(code_column, hs_codes)).collect()
        counts = field_counts(path, full["source_row"].to_list())
        full = full.with_columns(pl.col("source_row").cast(pl.Int64)).join(
            counts.rename({"fields": "_fields"}), on="source_row", how="left"
        )
        return _with_fields(full, header_fields)
    return _with_fields(
        frame.with_columns(
            picked["source_row"][1:].alias("source_row"),
            pl.lit(str(path)).alias("source_file"),
            picked["_fields"][1:].alias("_fields"),
        ),
        header_fields,
    )


def _with_fields(frame: pl.DataFrame, header_fields: int) -> pl.DataFrame:
    """`source_row` as Int64, `_fields` (of each row's line) and `_header_fields`."""
    if "_fields" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Int64).alias("_fields"))
    return frame.with_columns(
        pl.col("source_row").cast(pl.Int64),
        pl.col("_fields").fill_null(header_fields),
        pl.lit(header_fields, pl.Int64).alias("_header_fields"),
    )


def _file_iso3(name: str) -> pl.Expr:
    col = pl.col(name)
    return pl.when(col.str.contains(r"^[A-Z]{3}$")).then(col).otherwise(pl.lit(None, pl.String))


def _number(name: str) -> pl.Expr:
    return pl.col(name).str.replace_all(",", "").cast(pl.Float64, strict=False)


def header_with(path: Path, columns: Sequence[str]) -> list[str]:
    """The header of `path`, which must name every one of `columns`."""
    header = read_header(path)
    missing = [c for c in columns if c not in header]
    if missing:
        raise TradeFileError(
            f"{path}: row 1 (header): missing column(s) {', '.join(missing)} "
            f"(found {', '.join(header) or 'nothing'})"
        )
    return header


def _scan(path: Path, columns: Sequence[str]) -> pl.LazyFrame:
    """Lazy all-string scan of one CSV with file path and physical line number."""
    header_with(path, columns)
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
    names = [h.strip().strip('"') for h in first.rstrip("\r\n").split(",")]
    problem = header_problem(path, names)
    if problem:
        raise TradeFileError(f"{path}: row 1 (header): {problem}")
    return names


def _rejections(
    frame: pl.DataFrame, rules: Iterable[tuple[pl.Expr, str, str | pl.Expr]]
) -> pl.DataFrame:
    rules = [*rules, *ragged_rules(frame)]
    parts = [reject_where(frame, mask, field, reason) for mask, field, reason in rules]
    return pl.concat([empty_rejections(), *parts]).sort("source_file", "source_row", "field")


def _as_flows(frame: pl.DataFrame) -> pl.DataFrame:
    return as_flows(frame)


def _number_rules(name: str, required: bool) -> list[tuple[pl.Expr, str, str]]:
    raw, typed = pl.col(name), _number(name)
    rules: list[tuple[pl.Expr, str, str]] = [
        (raw.is_not_null() & typed.is_null(), name, "not a number"),
        (typed < 0, name, "negative"),
        non_finite_rule(name, typed),
    ]
    if required:
        rules.append((raw.is_null(), name, "missing value"))
    return rules


# The Comtrade columns the reader uses (partition, totals, codes, checks, key, values); the scan
# materializes only these, though the header must hold every column of COMTRADE_COLUMNS.
COMTRADE_READ: tuple[str, ...] = (
    "freqCode",
    "refYear",
    "refMonth",
    "reporterCode",
    "reporterISO",
    "flowCode",
    "partnerCode",
    "partnerISO",
    "partner2Code",
    "classificationCode",
    "cmdCode",
    "customsCode",
    "motCode",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "netWgt",
    "primaryValue",
)


def _comtrade_totals(
    path: Path, year: int, month: int | None, hs_codes: Sequence[str]
) -> tuple[pl.DataFrame, int]:
    """Step 1: the file's rows of the partition and HS codes, cleaned; totals and dropped count."""
    freq = "A" if month is None else "M"
    # Filter on the few columns that decide, then clean the kept rows only.
    in_partition = (
        (_trim("freqCode") == freq)
        & (_trim("refYear") == str(year))
        & _hs6("cmdCode").is_in(kept_codes(hs_codes))
    )
    if month is not None:
        in_partition &= _trim("refMonth").cast(pl.Int32, strict=False) == month
    # One streamed pass keeps the lines that may hold a code (`candidate_rows`), then only the
    # columns read here (COMTRADE_READ); the exact partition test and the cleaning run on those.
    candidates = candidate_rows(path, COMTRADE_COLUMNS, "cmdCode", kept_codes(hs_codes)).select(
        *COMTRADE_READ, "source_row", "source_file", "_fields", "_header_fields"
    )
    lf = (
        candidates.lazy()
        .filter(in_partition)
        .with_columns(*[_clean(c) for c in COMTRADE_READ])
        .with_columns(_hs6("cmdCode"))
    )
    is_total = (
        pl.col("partner2Code").fill_null("0").is_in(["0", "W00"])
        & pl.col("motCode").fill_null("0").is_in(["0"])
        & pl.col("customsCode").fill_null("C00").is_in(["C00"])
    )
    part = lf.with_columns(
        is_total.alias("_is_total"),
        pl.lit(source_id_for(path, COMTRADE_SOURCE_ID)).alias("source_id"),
    ).collect()
    dropped = part.filter(~pl.col("_is_total")).height
    return part.filter(pl.col("_is_total")).drop("_is_total"), dropped


def _resolve_comtrade_codes(raw: pl.DataFrame, codes: CountryCodes) -> pl.DataFrame:
    """Step 2: reporter and partner codes to ISO3 (`_reporter`, `_partner`), HS revision."""
    lookup = codes.lookup_frame()
    return (
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


def _comtrade_rules(month: int | None) -> list[tuple[pl.Expr, str, str | pl.Expr]]:
    """Step 3: what rejects a Comtrade row."""
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
    return rules


COMTRADE_KEY = [
    "reporterCode",
    "flowCode",
    "partnerCode",
    "cmdCode",
    "classificationCode",
    "refMonth",
]


def _drop_duplicates(good: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Step 4: the first row of each key is kept; later copies are rejected naming the first."""
    good = good.sort("source_file", "source_row").with_columns(
        pl.struct(COMTRADE_KEY).is_first_distinct().alias("_first"),
        pl.format(
            "duplicate key of {} row {}",
            pl.col("source_file").first(),
            pl.col("source_row").first(),
        )
        .over(COMTRADE_KEY)
        .alias("_dup_reason"),
    )
    duplicates = reject_where(good, ~pl.col("_first"), "cmdCode", pl.col("_dup_reason"))
    return good.filter(pl.col("_first")), duplicates


def _comtrade_flows(
    good: pl.DataFrame, codes: CountryCodes, key: str, year: int, month: int | None
) -> pl.DataFrame:
    """Step 5: kept rows in the `core.trade_flows` layout (exporter/importer by flow)."""
    is_import = pl.col("flowCode").is_in(["M", "RM"])
    kg = pl.col("qtyUnitAbbr").str.to_lowercase().eq("kg") | pl.col("qtyUnitCode").eq("8")
    tonnes = pl.coalesce(_number("netWgt"), pl.when(kg).then(_number("qty"))) / 1000.0
    by_flow = {
        name: {k: v[i] for k, v in COMTRADE_FLOWS.items()}
        for i, name in enumerate(("flow", "reporter_side", "counts_as_origin"))
    }
    out = good.select(
        pl.lit(DATASET_COMTRADE).alias("dataset"),
        pl.lit(key).alias("partition_key"),
        pl.lit(year).alias("year"),
        pl.lit(month, pl.Int32).alias("month"),
        pl.lit(key).alias("period"),
        pl.lit("A" if month is None else "M").alias("freq"),
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
        *[pl.col("flowCode").replace_strict(m).alias(name) for name, m in by_flow.items()],
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
    return _as_flows(out)


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
    key = partition_key or (f"{year}" if month is None else f"{year}-{month:02d}")
    frames, scanned, dropped, file_rows = [], [], 0, []
    for path in sorted(paths):
        totals, breakdowns = _comtrade_totals(path, year, month, hs_codes)
        frames.append(totals)
        dropped += breakdowns
        scanned.append(str(path))
        file_rows.append((str(path), totals.height + breakdowns, breakdowns))
    if not frames:
        return ReadResult(pl.DataFrame(schema=FLOW_SCHEMA), empty_rejections(), ())
    raw = _resolve_comtrade_codes(pl.concat(frames, how="vertical_relaxed"), codes)
    rejected = _rejections(raw, _comtrade_rules(month))
    good = raw.join(
        rejected.select("source_file", "source_row").unique(),
        on=["source_file", "source_row"],
        how="anti",
    )
    good, duplicates = _drop_duplicates(good)
    return ReadResult(
        flows=_comtrade_flows(good, codes, key, year, month),
        rejected=pl.concat([rejected, duplicates]).sort("source_file", "source_row", "field"),
        scanned_files=tuple(scanned),
        dropped_breakdowns=dropped,
        file_rows=tuple(file_rows),
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
