"""The reference domain's public lookups of countries and sources, for the other domains.

Each reads the reference tables in `core` once the reference assets built them, and the bundled
reference files (`data/reference/*.csv`) before that, so a domain can load on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pycountry

from etl.core.warehouse import load_sql

SQL_DIR = Path(__file__).parent / "sql"
COUNTRIES_TABLE = "core.countries"
CODES_TABLE = "core.country_codes"
SOURCES_TABLE = "core.sources"
ISO_SOURCE_ID = "iso-3166-1"
COUNTRY_COLUMNS = ("iso3", "iso2", "m49", "name", "is_aggregate")


def iso_countries() -> pl.DataFrame:
    """Every ISO 3166-1 country (the maintained list shipped by pycountry): iso3, iso2, m49,
    name (the common name when ISO has one: "South Korea"), is_aggregate (false)."""
    rows = [
        (c.alpha_3, c.alpha_2, int(c.numeric), getattr(c, "common_name", None) or c.name)
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_3)
    ]
    return pl.DataFrame(
        rows,
        schema={"iso3": pl.String, "iso2": pl.String, "m49": pl.Int64, "name": pl.String},
        orient="row",
    ).with_columns(pl.lit(False).alias("is_aggregate"))


def iso_names() -> pl.DataFrame:
    """name -> iso3 for every ISO name of a country: short, official and common names."""
    rows = {
        (name, c.alpha_3)
        for c in pycountry.countries
        for name in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None))
        if name
    }
    return pl.DataFrame(sorted(rows), schema={"name": pl.String, "iso3": pl.String}, orient="row")


def all_countries(curated: pl.DataFrame) -> pl.DataFrame:
    """The curated rows of `countries.csv` (their ids and names win; aggregates such as WLD and
    the residual OTH live only there), then every other ISO 3166-1 country, by iso3."""
    curated = curated.select(
        pl.col("iso3"),
        pl.col("iso2"),
        pl.col("m49").cast(pl.Int64),
        pl.col("name"),
        pl.col("is_aggregate").cast(pl.Boolean),
    )
    extra = iso_countries().join(curated.select("iso3"), on="iso3", how="anti")
    return pl.concat([curated, extra]).sort("iso3")


def country_code_rows(countries: pl.DataFrame, aliases: pl.DataFrame) -> pl.DataFrame:
    """system, code, iso3 of every code and name of `countries` (iso3, iso2, m49, name), the
    ISO names, and the `aliases` (alias, iso3, system); the first row of a (system, code) wins:
    curated names and aliases before ISO's own."""
    named = countries.filter(pl.col("iso2").is_not_null())
    numbered = countries.filter(pl.col("m49").is_not_null())
    return pl.concat(
        [
            countries.select(pl.lit("iso3").alias("system"), pl.col("iso3").alias("code"), "iso3"),
            named.select(pl.lit("iso2").alias("system"), pl.col("iso2").alias("code"), "iso3"),
            numbered.select(
                pl.lit("m49").alias("system"), pl.col("m49").cast(pl.String).alias("code"), "iso3"
            ),
            countries.select(pl.lit("name").alias("system"), pl.col("name").alias("code"), "iso3"),
            aliases.select("system", pl.col("alias").alias("code"), "iso3"),
            iso_names().select(
                pl.lit("name").alias("system"), pl.col("name").alias("code"), "iso3"
            ),
        ]
    ).unique(subset=["system", "code"], keep="first", maintain_order=True)


def reference_countries(reference_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(countries, codes) from the bundled files and the ISO list, before `core` tables exist."""
    curated = pl.read_csv(reference_dir / "countries.csv", infer_schema=False).with_columns(
        pl.col("m49").cast(pl.Int64), pl.col("is_aggregate").str.to_lowercase() == "true"
    )
    aliases = pl.read_csv(reference_dir / "country_aliases.csv", infer_schema=False)
    countries = all_countries(curated)
    return countries, country_code_rows(countries, aliases.select("alias", "iso3", "system"))


def iso2_to_iso3(reference_dir: Path) -> dict[str, str]:
    """ISO alpha-2 -> alpha-3 of every country, plus the statistics' own alpha-2 spellings
    (Comext's EL for Greece, XS for Serbia: `comext` aliases)."""
    _, codes = reference_countries(reference_dir)
    wanted = codes.filter(pl.col("system").is_in(["iso2", "comext"]))
    return dict(wanted.select("code", "iso3").iter_rows())


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
        """Build from `countries.csv`, `country_aliases.csv` and the ISO list (before `core`
        tables exist)."""
        countries, codes = reference_countries(reference_dir)
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
    """name -> iso3, is_aggregate: the countries' names, their `name` aliases (Burma, ...) and
    the ISO names ("Korea, Republic of")."""
    countries, codes = reference_countries(reference_dir)
    return (
        codes.filter(pl.col("system") == "name")
        .select(pl.col("code").alias("name"), "iso3")
        .join(countries.select("iso3", "is_aggregate"), on="iso3", how="left")
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
        countries, _ = reference_countries(reference_dir)
        con.register("_reference_countries", countries.select("iso3", "name").to_arrow())
        try:
            con.execute(load_sql(SQL_DIR, "create_countries_from_frame"))
        finally:
            con.unregister("_reference_countries")
