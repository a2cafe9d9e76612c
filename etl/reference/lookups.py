"""The reference domain's public lookups of countries and sources, for the other domains.

Each reads the reference tables in `core` once the reference assets built them, and the bundled
reference files (`data/reference/*.csv`) before that, so a domain can load on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from etl.core.warehouse import load_sql

SQL_DIR = Path(__file__).parent / "sql"
COUNTRIES_TABLE = "core.countries"
CODES_TABLE = "core.country_codes"
SOURCES_TABLE = "core.sources"


def has_table(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """True when the table `schema.name` exists."""
    schema, _, name = qualified.partition(".")
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(rows[0][0])


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


def country_codes(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> CountryCodes:
    """Code lookups from `core.country_codes` when the reference domain built it, else the CSVs."""
    if has_table(con, CODES_TABLE) and has_table(con, COUNTRIES_TABLE):
        return CountryCodes.from_warehouse(con)
    return CountryCodes.from_reference_csv(reference_dir)


def country_names(reference_dir: Path) -> pl.DataFrame:
    """name -> iso3, is_aggregate: the countries' names and their `name` aliases (Burma, ...)."""
    countries = pl.read_csv(reference_dir / "countries.csv", infer_schema=False)
    aliases = pl.read_csv(reference_dir / "country_aliases.csv", infer_schema=False).filter(
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


def source_urls(reference_dir: Path) -> pl.DataFrame:
    """source_id, url of every registered source that has a URL (one source per URL)."""
    sources = pl.read_csv(reference_dir / "sources.csv", infer_schema=False)
    return sources.select("source_id", "url").filter(pl.col("url").is_not_null()).unique("url")


def register_lookup_tables(con: duckdb.DuckDBPyConnection, reference_dir: Path) -> None:
    """Temp tables `trade_source_kinds` (source_id, kind) and `trade_countries` (iso3, name)."""
    if has_table(con, SOURCES_TABLE):
        con.execute(load_sql(SQL_DIR, "create_source_kinds_from_core"))
    else:
        con.execute(
            load_sql(SQL_DIR, "create_source_kinds_from_csv"),
            {"path": str(reference_dir / "sources.csv")},
        )
    if has_table(con, COUNTRIES_TABLE):
        con.execute(load_sql(SQL_DIR, "create_countries_from_core"))
    else:
        con.execute(
            load_sql(SQL_DIR, "create_countries_from_csv"),
            {"path": str(reference_dir / "countries.csv")},
        )
