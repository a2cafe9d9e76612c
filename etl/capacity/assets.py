"""Capacity: China's quotas by year, batch and holder; provincial holdings; reallocations;
facilities inside and outside China."""

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from etl.capacity import models
from etl.capacity.partitions import QUOTA_YEARS
from etl.core.contracts import Contract, read_contract, reject_where
from etl.core.landing import MergedRead, landed_files_of, merge_by_key
from etl.core.loading import (
    account_files,
    drop_removed_landed,
    load_file,
    record_accounting,
    reject_outside_partitions,
    superseded_rows,
)
from etl.core.metadata import materialize_result
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import (
    WRITER_POOL,
    WarehouseResource,
    query_frame,
    replace_quarantine,
    replace_rows,
)
from etl.reference.aliases import (
    alias_table,
    known_source_ids,
    reject_unknown_sources,
    resolve_names,
    resolve_source_urls,
)

GROUP = "capacity"
OWNERS = ["team:capacity"]
KINDS = {"duckdb", "polars", "csv"}
QUOTA_FILE = "capacity/china_re_quotas_2015_2023.csv"
OUTSIDE_PARTITIONS = "outside-partitions"  # quarantine key of rows of years with no partition
REFERENCE_DEPS = [
    dg.AssetKey(["reference", "sources"]),
    dg.AssetKey(["reference", "entity_aliases"]),
]
SCOPE_KINDS = {"national": "country", "group": "organisation", "province": "province"}


def resolve_quotas(
    frame: pl.DataFrame, aliases: pl.DataFrame, sources: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Quota rows with holder and source ids; unknown holders and source URLs are rejected."""
    rejects = []
    by_scope = []
    for scope, kind in SCOPE_KINDS.items():
        part, rej = resolve_names(
            frame.filter(pl.col("entity_type") == scope), aliases, "entity", "holder_id", (kind,)
        )
        by_scope.append(part.with_columns(pl.lit(kind).alias("holder_kind")))
        rejects.append(rej)
    resolved = pl.concat(by_scope, how="vertical")
    with_source = resolved.join(
        sources.select(pl.col("url").alias("source_url"), "source_id").unique("source_url"),
        on="source_url",
        how="left",
    )
    unknown = pl.col("source_id").is_null()
    rejects.append(
        reject_where(
            with_source,
            unknown,
            "source_url",
            "unknown source URL (register it in data/reference/sources.csv)",
        )
    )
    good = with_source.filter(~unknown).select(
        pl.format("{}-{}-{}-{}-{}", "year", "batch", "quota_type", "ore_type", "holder_id").alias(
            "quota_id"
        ),
        pl.col("year").cast(pl.Int32),
        "batch",
        "quota_type",
        "ore_type",
        pl.col("entity_type").alias("scope"),
        "holder_kind",
        "holder_id",
        "tonnes_reo",
        "is_derived",
        "source_id",
        "source_note",
        "source_file",
        "source_row",
    )
    return good.sort("source_row"), pl.concat(rejects, how="vertical")


@dg.asset(
    key=["capacity", "quotas"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=REFERENCE_DEPS,
    partitions_def=QUOTA_YEARS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="China's rare-earth mining and smelting/separation quotas (core.quotas), t REO, "
    "by year, batch, ore type and holder (national total, company group or province), each row "
    "with its source. Partitioned by quota year; a run may cover a range of years.",
)
def quotas(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    years = [int(k) for k in context.partition_keys]
    merged = read_quota_files(settings)
    with warehouse.connect() as con:
        good, rejected = resolve_quotas(merged.good, alias_table(con), known_source_ids(con))
        good, outside = reject_outside_partitions(good, QUOTA_YEARS.get_partition_keys())
        elsewhere = good.filter(~pl.col("year").is_in(years))
        good = good.filter(pl.col("year").is_in(years))
        rejected = pl.concat([merged.rejected, rejected, outside], how="vertical")
        for label, result in zip(merged.labels, merged.results, strict=True):
            replace_rows(con, "raw.quotas", result.raw, "source_file = ?", [label])
        drop_removed_landed(con, "raw.quotas", merged.labels)
        replace_rows(con, "core.quotas", good, "year BETWEEN ? AND ?", [min(years), max(years)])
        raw_years = pl.concat(
            [r.raw.select("source_file", "source_row", "year") for r in merged.results]
        ).rename({"year": "raw_year"})
        tagged = rejected.join(raw_years, on=["source_file", "source_row"], how="left")
        for year in years:
            replace_quarantine(
                con,
                "quotas",
                str(year),
                tagged.filter(pl.col("raw_year") == str(year)).drop("raw_year"),
            )
        replace_quarantine(
            con,
            "quotas",
            "unparsed-year",
            tagged.filter(~pl.col("raw_year").str.contains(r"^\d{4}$").fill_null(False)).drop(
                "raw_year"
            ),
        )
        partitions = QUOTA_YEARS.get_partition_keys()
        replace_quarantine(
            con,
            "quotas",
            OUTSIDE_PARTITIONS,
            tagged.filter(
                pl.col("raw_year").str.contains(r"^\d{4}$").fill_null(False)
                & ~pl.col("raw_year").is_in(partitions)
            ).drop("raw_year"),
        )
        record_accounting(
            con,
            "quotas",
            "all",
            account_files(
                merged.labels, merged.results, good, rejected, superseded_rows(merged), elsewhere
            ),
        )
        return materialize_result(
            con,
            "core.quotas",
            years=dg.MetadataValue.text(f"{min(years)}-{max(years)}"),
            files=dg.MetadataValue.json(list(merged.labels)),
            superseded_by_landed_files=merged.superseded,
            landed_this_run=good.height,
            rejected_this_run=rejected.height,
        )


Resolved = tuple[pl.DataFrame, pl.DataFrame]


def read_quota_files(settings: SettingsResource) -> MergedRead:
    """The bundled quota file, then every landed CSV of landing/capacity/ whose header is the
    quota contract's, in path order; for each quota key the last file holding it wins."""
    landing = Path(settings.landing_dir)
    return merge_by_key(
        models.QUOTAS,
        settings.data(QUOTA_FILE),
        QUOTA_FILE,
        landing,
        landed_files_of(landing, "capacity", models.QUOTAS),
    )


def _resolve_holder_columns(
    con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, columns: dict[str, str]
) -> Resolved:
    """Holder names resolved to organisation ids and source ids checked; misses rejected."""
    aliases, sources = alias_table(con), known_source_ids(con)
    rejects = []
    for field_name, out_col in columns.items():
        frame, rej = resolve_names(frame, aliases, field_name, out_col, ("organisation",))
        rejects.append(rej)
    frame, rej = reject_unknown_sources(frame, sources)
    rejects.append(rej)
    return frame, pl.concat(rejects, how="vertical")


def _load_capacity_file(
    warehouse: WarehouseResource,
    settings: SettingsResource,
    relpath: str,
    contract: Contract,
    table: str,
    resolve: Callable[[duckdb.DuckDBPyConnection, pl.DataFrame], Resolved],
) -> dg.MaterializeResult:
    """Load one capacity file, merged by key with every CSV of the landing folder of the same
    name as its data folder (`capacity/`, `facilities/`) whose header is `contract`'s, into
    raw, `table` and quarantine (etl/core/landing.py)."""
    folder = relpath.split("/")[0]
    with warehouse.connect() as con:
        report, _ = load_file(
            con,
            path=settings.data(relpath),
            label=relpath,
            contract=contract,
            core_table=table,
            resolve=lambda frame: resolve(con, frame),
            landing=Path(settings.landing_dir),
            landed=landed_files_of(settings.landing_dir, folder, contract),
        )
        return materialize_result(
            con, table, rejected=report.rejected, files=dg.MetadataValue.json(report.source_file)
        )


@dg.asset(
    key=["capacity", "holdings_baseline"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=REFERENCE_DEPS,
    description="Quota each holder held in a province before the reallocations "
    "(core.holdings_baseline). No official per-company table exists: the bundled Jiangxi "
    "figures are ILLUSTRATIVE and their source says so.",
)
def holdings_baseline(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    def resolve(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> Resolved:
        out, rej = _resolve_holder_columns(con, frame, {"holder": "holder_id"})
        return out.select(
            pl.col("province").alias("province_id"),
            "holder_id",
            "quota_type",
            "as_of",
            "tonnes_reo",
            "source_id",
        ), rej

    return _load_capacity_file(
        warehouse,
        settings,
        "capacity/holdings_baseline.csv",
        models.HOLDINGS_BASELINE,
        "core.holdings_baseline",
        resolve,
    )


@dg.asset(
    key=["capacity", "reallocations"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=REFERENCE_DEPS,
    description="Reallocation events (core.reallocations): quota moved between holders inside a "
    "province, one row per leg, with date, reason and source. The bundled Jiangxi events are "
    "ILLUSTRATIVE (source kind 'illustrative').",
)
def reallocations(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    def resolve(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> Resolved:
        out, rej = _resolve_holder_columns(
            con, frame, {"from_holder": "from_holder_id", "to_holder": "to_holder_id"}
        )
        out = out.sort("source_row").with_columns(
            pl.int_range(1, pl.len() + 1).over("event_id").cast(pl.Int32).alias("leg")
        )
        return out.select(
            "event_id",
            "leg",
            pl.col("province").alias("province_id"),
            "effective_date",
            "from_holder_id",
            "to_holder_id",
            "quota_type",
            "tonnes_reo",
            "reason",
            "source_id",
        ), rej

    return _load_capacity_file(
        warehouse,
        settings,
        "capacity/reallocations.csv",
        models.REALLOCATIONS,
        "core.reallocations",
        resolve,
    )


FACILITIES_FILE = "facilities/facilities_capacity.csv"
FACILITY_CLASSES_FILE = "facilities/facilities_capacity_classes.csv"


def classes_by_key(bundled: pl.DataFrame, classes: pl.DataFrame) -> pl.DataFrame:
    """The classification of each bundled figure (by its row) keyed by the figure's contract
    key, so a landed row with the same key (a correction) is classified like the bundled one."""
    key = list(models.FACILITY_CAPACITIES.key)
    return (
        bundled.select(*key, "source_row")
        .join(
            classes.drop("source_file", "source_row").rename(
                {"stage": "stage_class", "figure_row": "source_row"}
            ),
            on="source_row",
        )
        .drop("source_row")
    )


def classify_facilities(
    con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, classes: pl.DataFrame
) -> Resolved:
    """Published figures joined to their classification (by key), operator, source, country.

    `classes` is `classes_by_key`'s; a figure whose key no bundled row has is rejected."""
    joined = frame.join(
        classes, on=list(models.FACILITY_CAPACITIES.key), how="left", nulls_equal=True
    )
    unclassified = pl.col("facility_id").is_null()
    rejects = [
        reject_where(
            joined,
            unclassified,
            "facility",
            f"no classification row in {FACILITY_CLASSES_FILE} for this figure's key",
        )
    ]
    joined = joined.filter(~unclassified)
    joined, rej = resolve_source_urls(joined, known_source_ids(con))
    rejects.append(rej)
    joined, rej = resolve_names(
        joined, alias_table(con), "operator", "operator_id", ("organisation",)
    )
    rejects.append(rej)
    countries = query_frame(con, "SELECT iso3 FROM core.countries")
    bad_country = ~pl.col("country_iso3").is_in(countries["iso3"].implode())
    rejects.append(
        reject_where(joined, bad_country, "country_iso3", "unknown ISO 3166-1 alpha-3 code")
    )
    good = joined.filter(~bad_country).select(
        pl.format("{}-{}", "facility_id", "source_row").alias("figure_id"),
        "facility_id",
        pl.col("facility").alias("name"),
        "operator_id",
        "country_iso3",
        "location",
        pl.col("stage_class").alias("stage"),
        pl.col("stage").alias("stage_as_published"),
        "capacity_value",
        "capacity_value_max",
        "capacity_unit",
        pl.col("unit").alias("unit_as_published"),
        "basis",
        pl.col("capacity_basis").alias("basis_as_published"),
        pl.col("figure_year").cast(pl.Int32),
        "status",
        "source_date",
        pl.col("evidence_text").alias("evidence"),
        "is_derived",
        "classification_note",
        "source_id",
        "source_file",
        "source_row",
    )
    return good, pl.concat(rejects, how="vertical")


@dg.asset(
    key=["capacity", "facilities"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[*REFERENCE_DEPS, dg.AssetKey(["reference", "countries"])],
    description="Capacity figures of facilities inside and outside China (core.facilities), one "
    "row per published figure: stage (mining, processing, separation, metal, magnet), "
    "capacity_value (and _max for a range), capacity_unit (t REO, t NdPr oxide, t magnets ... "
    "per year), basis (nameplate, target, actual, estimate), figure year, status, evidence "
    "and source. The published stage/unit/basis texts are kept beside the classes.",
)
def facilities(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    classes = read_contract(
        settings.source(FACILITY_CLASSES_FILE), models.FACILITY_CLASSES, FACILITY_CLASSES_FILE
    )
    if classes.rejected.height:
        first = classes.rejected.row(0, named=True)
        raise ValueError(
            f"{FACILITY_CLASSES_FILE}: row {first['source_row']}, field {first['field']}: "
            f"{first['reason']}"
        )
    bundled = read_contract(
        settings.data(FACILITIES_FILE), models.FACILITY_CAPACITIES, FACILITIES_FILE
    )
    keyed = classes_by_key(bundled.good, classes.good)
    return _load_capacity_file(
        warehouse,
        settings,
        FACILITIES_FILE,
        models.FACILITY_CAPACITIES,
        "core.facilities",
        lambda con, frame: classify_facilities(con, frame, keyed),
    )
