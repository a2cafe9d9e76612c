"""Production and reserves: the USGS Mineral Commodity Summaries world table and US salient
statistics, one edition per partition, loaded exactly as published (qualifiers kept)."""

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from etl.core.contracts import ContractResult, read_contract, reject_where
from etl.core.landing import LANDING_LABEL, files_in, label_of
from etl.core.loading import account_files, drop_removed_landed, record_accounting
from etl.core.marts import sql_mart
from etl.core.metadata import materialize_result
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import (
    WRITER_POOL,
    WarehouseResource,
    load_sql,
    query_frame,
    replace_quarantine,
    replace_rows,
)
from etl.production.models import (
    SALIENT_FIXED,
    SALIENT_ITEMS,
    YearColumn,
    header,
    qualified_value,
    qualifier,
    salient_contract,
    usgs_world_contract,
    year_columns,
)

GROUP = "production"
SQL_DIR = Path(__file__).parent / "sql"
UNKNOWN_COUNTRY = "unknown country name (add it to data/reference/country_aliases.csv)"


FIRST_EDITION = 2020


def editions(today: date | None = None) -> list[str]:
    """MCS editions from 2020 to next year's: a new edition's file loads with no code change."""
    last = (today or date.today()).year + 1
    return [str(y) for y in range(FIRST_EDITION, last + 1)]


USGS_EDITIONS = dg.StaticPartitionsDefinition(editions())


def world_source_id(edition: str) -> str:
    """The registered source of one edition's world table."""
    return f"usgs-mcs{edition}-rare-earths"


def salient_source_id(edition: str) -> str:
    """The registered source of one edition's US salient-statistics table."""
    return f"usgs-mcs{edition}-rare-earths-salient"


def _optional(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A column of the file, or null where this edition's layout has no such column."""
    return pl.col(name) if name in frame.columns else pl.lit(None, pl.String)


def tidy_usgs(
    good: pl.DataFrame,
    columns: list[YearColumn],
    codes: pl.DataFrame,
    edition: str,
    source_id: str,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Long rows per country and year; the world total row kept apart; unknown names rejected.

    Every number comes with its qualifier (`>`, `<`, `W`, `XX`, `E`, `NA`, `-` or null).
    """
    named = good.join(
        codes.select(pl.col("code").alias("Country"), pl.col("iso3")), on="Country", how="left"
    )
    unknown = pl.col("iso3").is_null()
    rejected = reject_where(named, unknown, "Country", UNKNOWN_COUNTRY)
    named = named.filter(~unknown)
    reserves = _optional(named, "Reserves_t").alias("Reserves_t")
    named = named.with_columns(reserves)
    long = pl.concat(
        [
            named.select(
                pl.lit(edition).alias("edition"),
                pl.col("iso3").alias("country_iso3"),
                pl.lit(c.year, pl.Int32).alias("year"),
                qualified_value(c.name).alias("tonnes_reo"),
                qualifier(c.name).alias("qualifier"),
                pl.lit(c.is_estimate).alias("is_estimate"),
                qualified_value("Reserves_t").alias("reserves_t"),
                qualifier("Reserves_t").alias("reserves_qualifier"),
                _optional(named, "Prod_notes").alias("production_notes"),
                _optional(named, "Reserves_notes").alias("reserves_notes"),
                pl.lit(source_id).alias("source_id"),
            )
            for c in columns
        ]
    )
    is_world = pl.col("country_iso3") == "WLD"
    world = long.filter(is_world).select(
        "edition",
        "year",
        "tonnes_reo",
        "qualifier",
        "reserves_t",
        "reserves_qualifier",
        pl.lit(True).alias("is_rounded"),
        "source_id",
    )
    return long.filter(~is_world).sort("country_iso3", "year"), world, rejected


def tidy_salient(good: pl.DataFrame, edition: str, source_id: str) -> pl.DataFrame:
    """US salient statistics in long form: one row per year and item, value plus qualifier."""
    values = [
        c
        for c in good.columns
        if c not in {*(f.name for f in SALIENT_FIXED), "source_file", "source_row"}
    ]
    items = pl.DataFrame(
        {
            "source_column": list(SALIENT_ITEMS),
            "item": [i.item for i in SALIENT_ITEMS.values()],
            "unit": [i.unit for i in SALIENT_ITEMS.values()],
            "element_symbol": [i.element_symbol for i in SALIENT_ITEMS.values()],
        },
        schema={
            "source_column": pl.String,
            "item": pl.String,
            "unit": pl.String,
            "element_symbol": pl.String,
        },
    )
    long = good.unpivot(
        index=["Commodity", "Year", "source_file", "source_row"],
        on=values,
        variable_name="source_column",
        value_name="cell",
    )
    return (
        long.join(items, on="source_column", how="left")
        .select(
            pl.lit(edition).alias("edition"),
            pl.lit("USA").alias("country_iso3"),
            pl.col("Commodity").alias("commodity"),
            pl.col("Year").cast(pl.Int32).alias("year"),
            # a column this code does not know yet still lands, under its published name
            pl.coalesce("item", pl.col("source_column").str.to_lowercase()).alias("item"),
            qualified_value("cell").alias("value"),
            qualifier("cell").alias("qualifier"),
            "unit",
            "element_symbol",
            "source_column",
            pl.lit(source_id).alias("source_id"),
            "source_file",
            "source_row",
        )
        .sort("year", "source_column")
    )


@dg.asset(
    key=["production", "usgs_world"],
    group_name=GROUP,
    owners=["team:production"],
    kinds={"duckdb", "polars", "csv"},
    pool=WRITER_POOL,
    partitions_def=USGS_EDITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[dg.AssetKey(["reference", "countries"]), dg.AssetKey(["reference", "sources"])],
    description="USGS Mineral Commodity Summaries: world mine production and reserves by country "
    "(core.production) and the rounded world total kept apart (core.production_world), t REO, "
    "and the US salient statistics (core.us_salient: trade, consumption, oxide prices, net "
    "import reliance). One partition per edition; columns are read from each file's header and "
    "every number keeps its USGS qualifier.",
)
def usgs_world(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        con.execute(load_sql(SQL_DIR, "create_production_tables"))
    loaded = [e for e in context.partition_keys if _load_edition(e, warehouse, settings)]
    salient = [e for e in context.partition_keys if _load_salient(e, warehouse, settings)]
    missing = sorted(set(context.partition_keys) - set(loaded))
    if missing:
        context.log.info(f"no USGS file for edition(s) {', '.join(missing)}: nothing to load")
    with warehouse.connect() as con:
        return materialize_result(
            con,
            "core.production",
            editions_loaded=dg.MetadataValue.text(", ".join(loaded) or "none"),
            salient_editions_loaded=dg.MetadataValue.text(", ".join(salient) or "none"),
        )


def _raw_long(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw cells in long form (file, row, column, value): each edition has its own columns."""
    return raw.unpivot(
        index=["source_file", "source_row"], variable_name="column_name", value_name="value"
    ).sort("source_row", "column_name")


def edition_files(settings: SettingsResource, edition: str, table: str) -> list[tuple[Path, str]]:
    """(path, label) of one edition's `table` ("world" or "salient") files in merge order: the
    bundled `production/mcsYYYY-raree_<table>.csv`, then every landed
    `production/mcsYYYY-raree_<table>*.csv` in path order (etl/core/landing.py's rules)."""
    relpath = f"production/mcs{edition}-raree_{table}.csv"
    landing = Path(settings.landing_dir)
    found = [(settings.data(relpath), relpath)] if settings.data(relpath).is_file() else []
    pattern = f"mcs{edition}-raree_{table}*.csv"
    return found + [(p, label_of(landing, p)) for p in files_in(landing, "production", pattern)]


def _keep_landed(
    con: duckdb.DuckDBPyConnection, table: str, edition: str, labels: list[str]
) -> list[str]:
    """`labels` plus the landed labels of other editions already in `table` (kept)."""
    mine = f"{LANDING_LABEL}/production/mcs{edition}-"
    present = query_frame(con, f"SELECT DISTINCT source_file FROM {table}")["source_file"]
    return labels + [f for f in present.to_list() if f and not f.startswith(mine)]


def _rows_kept(good: pl.DataFrame, rejected: pl.DataFrame, key: str) -> pl.DataFrame:
    """(source_file, source_row, key) of a file's rows that passed every step."""
    rows = good.select("source_file", "source_row", pl.col(key).alias("key"))
    if rejected.height:
        rows = rows.join(
            rejected.select("source_file", "source_row"),
            on=["source_file", "source_row"],
            how="anti",
        )
    return rows


def _account(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    edition: str,
    labels: list[str],
    results: list[ContractResult],
    kept: list[pl.DataFrame],
    rejects: list[pl.DataFrame],
) -> None:
    """Rows in = landed + quarantined + superseded per file of one edition: a row whose key
    (country; salient: year) a later file of the edition also holds is superseded by it."""
    landed, superseded = [], []
    for i, rows in enumerate(kept):
        later = {k for frame in kept[i + 1 :] for k in frame["key"].to_list()}
        is_later = pl.col("key").is_in(list(later))
        superseded.append(rows.filter(is_later))
        landed.append(rows.filter(~is_later))
    rejected = (
        pl.concat(
            [r.select("source_file", "source_row") for r in rejects if r.height],
            how="vertical_relaxed",
        )
        if any(r.height for r in rejects)
        else pl.DataFrame(schema={"source_file": pl.String, "source_row": pl.Int64})
    )
    accounts = account_files(labels, results, pl.concat(landed), rejected, pl.concat(superseded))
    record_accounting(con, dataset, edition, accounts)


def _load_edition(edition: str, warehouse: WarehouseResource, settings: SettingsResource) -> bool:
    """Load one edition's world table if a file exists; False when there is none.

    Bundled and landed files of the edition merge by key (country, year; the world total by
    year): the later file wins, so a landed file supersedes only the keys it holds."""
    files = edition_files(settings, edition, "world")
    if not files:
        return False
    with warehouse.connect() as con:
        codes = query_frame(
            con, "SELECT code, iso3 FROM core.country_codes WHERE system IN ('name', 'iso3')"
        )
        countries, worlds, rejects, results, kept = [], [], [], [], []
        for path, label in files:
            columns = year_columns(path)
            result = read_contract(path, usgs_world_contract(columns, header(path)), label=label)
            country_rows, world, rejected = tidy_usgs(
                result.good, columns, codes, edition, world_source_id(edition)
            )
            countries.append(country_rows)
            worlds.append(world)
            rejects += [result.rejected, rejected]
            results.append(result)
            kept.append(_rows_kept(result.good, rejected, "Country"))
            replace_rows(con, "raw.usgs_world", _raw_long(result.raw), "source_file = ?", [label])
        labels = _keep_landed(con, "raw.usgs_world", edition, [label for _, label in files])
        drop_removed_landed(con, "raw.usgs_world", labels)
        merged = pl.concat(countries, how="diagonal_relaxed").unique(
            subset=["country_iso3", "year"], keep="last", maintain_order=True
        )
        world = pl.concat(worlds, how="diagonal_relaxed").unique(
            subset=["year"], keep="last", maintain_order=True
        )
        replace_rows(
            con, "core.production", merged.sort("country_iso3", "year"), "edition = ?", [edition]
        )
        replace_rows(con, "core.production_world", world.sort("year"), "edition = ?", [edition])
        replace_quarantine(con, "usgs_world", edition, pl.concat(rejects))
        _account(con, "usgs_world", edition, [lb for _, lb in files], results, kept, rejects)
    return True


def _load_salient(edition: str, warehouse: WarehouseResource, settings: SettingsResource) -> bool:
    """Load one edition's US salient statistics if a file exists, merged by key (year, column)
    like the world table."""
    files = edition_files(settings, edition, "salient")
    if not files:
        return False
    with warehouse.connect() as con:
        parts, rejects, results, kept = [], [], [], []
        for path, label in files:
            result = read_contract(path, salient_contract(path), label=label)
            parts.append(tidy_salient(result.good, edition, salient_source_id(edition)))
            rejects.append(result.rejected)
            results.append(result)
            kept.append(_rows_kept(result.good, result.rejected, "Year"))
            replace_rows(con, "raw.usgs_salient", _raw_long(result.raw), "source_file = ?", [label])
        labels = _keep_landed(con, "raw.usgs_salient", edition, [label for _, label in files])
        drop_removed_landed(con, "raw.usgs_salient", labels)
        salient = pl.concat(parts, how="diagonal_relaxed").unique(
            subset=["year", "source_column"], keep="last", maintain_order=True
        )
        replace_rows(
            con, "core.us_salient", salient.sort("year", "source_column"), "edition = ?", [edition]
        )
        replace_quarantine(con, "usgs_salient", edition, pl.concat(rejects))
        _account(con, "usgs_salient", edition, [lb for _, lb in files], results, kept, rejects)
    return True


world_production = sql_mart(
    "world_production",
    SQL_DIR,
    [usgs_world.key, dg.AssetKey(["reference", "countries"])],
    GROUP,
    "Mine production and reserves by edition, country (ISO3) and year with each country's share "
    "of the world total; China's share by year is one query away.",
)


production_revisions = sql_mart(
    "production_revisions",
    SQL_DIR,
    [usgs_world.key],
    GROUP,
    "How each country-year production figure moved between USGS editions: the figure in each "
    "edition beside the previous edition's figure for the same country and year, with the change.",
)

net_import_reliance = sql_mart(
    "net_import_reliance",
    SQL_DIR,
    [usgs_world.key],
    GROUP,
    "US net import reliance on rare earths by edition, year and item, percent of apparent "
    "consumption: '>95' is 95 with qualifier '>', 'E' (net exporter) has no number.",
)

oxide_prices = sql_mart(
    "oxide_prices",
    SQL_DIR,
    [usgs_world.key, dg.AssetKey(["reference", "elements"])],
    GROUP,
    "Rare-earth oxide (and mischmetal) prices by edition and year, USD/kg, from the US salient "
    "statistics, with the element each oxide belongs to.",
)
