"""The trade landing folder: which files are there and which partitions each one touches.

Which files count is etl/core/landing.py's rule (regular files, no symlinks, no `..`, inside the
landing folder), shared with the capacity and production landing.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from etl.core.landing import files_in
from etl.trade.models import (
    BACI_COUNTRY_GLOB,
    BACI_GLOB,
    COMTRADE_GLOB,
    LANDING_BACI,
    LANDING_COMTRADE,
)
from etl.trade.readers import TradeFileError, baci_file_info, read_header

PARTITION_COLUMNS = ("freqCode", "refYear", "refMonth")


def _files(landing: Path, parts: tuple[str, ...], pattern: str) -> list[Path]:
    return files_in(landing, parts, pattern)


def comtrade_files(landing: Path) -> list[Path]:
    return _files(landing, LANDING_COMTRADE, COMTRADE_GLOB)


def baci_files(landing: Path, year: int | None = None) -> list[Path]:
    files = []
    for path in _files(landing, LANDING_BACI, BACI_GLOB):
        try:
            file_year = baci_file_info(path)[1]
        except TradeFileError:
            continue  # not a BACI year file name (e.g. a README matching the glob)
        if year is None or file_year == year:
            files.append(path)
    return files


def baci_country_file(landing: Path) -> Path:
    """The newest BACI companion code list (country_codes_V*.csv) in the landing folder."""
    files = _files(landing, LANDING_BACI, BACI_COUNTRY_GLOB)
    if not files:
        folder = landing.joinpath(*LANDING_BACI)
        raise TradeFileError(f"{folder}: no {BACI_COUNTRY_GLOB} (BACI's country code list)")
    return files[-1]


def comtrade_partitions(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(annual partition keys, monthly partition keys) present in a Comtrade file (one scan)."""
    missing = [c for c in PARTITION_COLUMNS if c not in read_header(path)]
    if missing:
        raise TradeFileError(
            f"{path}: row 1 (header): missing column(s) {', '.join(missing)} (not a Comtrade CSV?)"
        )
    found = (
        pl.scan_csv(path, infer_schema=False, truncate_ragged_lines=True, encoding="utf8-lossy")
        .select(
            pl.col("freqCode").str.strip_chars(),
            pl.col("refYear").str.strip_chars().cast(pl.Int32, strict=False).alias("year"),
            pl.col("refMonth").str.strip_chars().cast(pl.Int32, strict=False).alias("month"),
        )
        .unique()
        .collect(engine="streaming")
    )
    years = found.filter((pl.col("freqCode") == "A") & pl.col("year").is_not_null())
    months = found.filter(
        (pl.col("freqCode") == "M")
        & pl.col("year").is_not_null()
        & pl.col("month").is_between(1, 12)
    )
    return (
        tuple(sorted({str(y) for y in years["year"]})),
        tuple(sorted({f"{y}-{m:02d}" for y, m in months.select("year", "month").iter_rows()})),
    )
