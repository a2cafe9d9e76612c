"""Reference data: sources registry, elements and oxides, commodities, places, organisations."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

from etl.core.contracts import Contract, empty_rejections, read_contract
from etl.core.landing import landed_files_of, merge_by_key
from etl.core.loading import load_file
from etl.core.metadata import materialize_result
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, replace_rows
from etl.reference import models
from etl.reference.lookups import ISO_SOURCE_ID, all_countries, country_code_rows

GROUP = "reference"
OWNERS = ["team:reference"]
KINDS = {"duckdb", "polars", "csv"}


def _with_source(source_id: str) -> pl.Expr:
    return pl.lit(source_id).alias("source_id")


def _load(
    warehouse: WarehouseResource,
    settings: SettingsResource,
    relpath: str,
    contract: Contract,
    table: str,
    transform: pl.Expr | None = None,
    landed: bool = False,
) -> dg.MaterializeResult:
    def resolve(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        cols = [c for c in frame.columns if c not in ("source_file", "source_row")]
        out = frame.select(cols)
        return (out.with_columns(transform) if transform is not None else out), empty_rejections()

    with warehouse.connect() as con:
        report, _ = load_file(
            con,
            path=settings.data(relpath),
            label=relpath,
            contract=contract,
            core_table=table,
            resolve=resolve,
            landing=Path(settings.landing_dir),
            landed=landed_files_of(settings.landing_dir, "reference", contract) if landed else (),
        )
        return materialize_result(
            con, table, rejected=report.rejected, source_file=report.source_file
        )


@dg.asset(
    key=["reference", "sources"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    description="Sources registry (core.sources): id, title, publisher, URL, date and kind "
    "(official, press_report, derived, reference, illustrative, synthetic) of every cited source.",
)
def sources(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    return _load(
        warehouse, settings, "reference/sources.csv", models.SOURCES, "core.sources", landed=True
    )


@dg.asset(
    key=["reference", "elements"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[sources],
    description="The 17 rare-earth elements (core.elements): symbol, atomic number, usual oxide, "
    "light/medium/heavy class as its source states it, Wikidata id of the lanthanides.",
)
def elements(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    qids = read_contract(
        settings.data("reference/wikidata_ree_elements.csv"),
        models.WIKIDATA_ELEMENTS,
        label="reference/wikidata_ree_elements.csv",
    )

    def resolve(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        joined = frame.join(qids.good.select("symbol", "wikidata_qid"), on="symbol", how="left")
        out = joined.select(
            "symbol",
            "name",
            "atomic_number",
            "oxide_formula",
            "element_class",
            "class_source_id",
            "wikidata_qid",
            pl.when(pl.col("wikidata_qid").is_not_null())
            .then(pl.lit("wikidata-lanthanides"))
            .otherwise(pl.col("class_source_id"))
            .alias("source_id"),
        )
        return out, qids.rejected

    with warehouse.connect() as con:
        report, _ = load_file(
            con,
            path=settings.data("reference/elements.csv"),
            label="reference/elements.csv",
            contract=models.ELEMENTS,
            core_table="core.elements",
            resolve=resolve,
        )
        return materialize_result(con, "core.elements", rejected=report.rejected)


@dg.asset(
    key=["reference", "commodities"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[sources],
    description="Rare-earth commodity codes (core.commodities): HS6 280530, 284610, 284690, "
    "850511, 253090 and China's CN8 85051110.",
)
def commodities(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    return _load(
        warehouse,
        settings,
        "reference/commodities.csv",
        models.COMMODITIES,
        "core.commodities",
        _with_source("hs-nomenclature"),
    )


@dg.asset(
    key=["reference", "provinces"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[sources],
    description="China's provinces with ISO 3166-2:CN codes (core.provinces).",
)
def provinces(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    return _load(
        warehouse,
        settings,
        "reference/provinces.csv",
        models.PROVINCES,
        "core.provinces",
        _with_source("iso-3166-2-cn"),
    )


@dg.asset(
    key=["reference", "countries"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[sources],
    description="Countries with ISO 3166-1 alpha-3/alpha-2 and UN M49 codes (core.countries): "
    "the curated rows of countries.csv (aggregates WLD, EUU and the residual OTH) and every "
    "other ISO 3166-1 country (pycountry), and every code or name that maps to them "
    "(core.country_codes: iso3, iso2, m49, comtrade, comext, name).",
)
def countries(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    landing = Path(settings.landing_dir)
    aliases = merge_by_key(
        models.COUNTRY_ALIASES,
        settings.data("reference/country_aliases.csv"),
        "reference/country_aliases.csv",
        landing,
        landed_files_of(landing, "reference", models.COUNTRY_ALIASES),
    )
    with warehouse.connect() as con:

        def resolve(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
            curated = frame.drop("source_file", "source_row").with_columns(_with_source("un-m49"))
            everything = all_countries(curated.drop("source_id")).join(
                curated.select("iso3", "source_id"), on="iso3", how="left"
            )
            return everything.with_columns(
                pl.col("source_id").fill_null(pl.lit(ISO_SOURCE_ID))
            ), empty_rejections()

        report, good = load_file(
            con,
            path=settings.data("reference/countries.csv"),
            label="reference/countries.csv",
            contract=models.COUNTRIES,
            core_table="core.countries",
            resolve=resolve,
            landing=landing,
            landed=landed_files_of(landing, "reference", models.COUNTRIES),
        )
        codes = country_code_rows(good, aliases.good.select("alias", "iso3", "system"))
        replace_rows(con, "core.country_codes", codes)
        return materialize_result(
            con, "core.countries", rejected=report.rejected + aliases.rejected.height
        )


@dg.asset(
    key=["reference", "organisations"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[sources, provinces, countries],
    description="Company groups and companies (core.organisations) and their succession events "
    "(core.organisation_events), e.g. China Rare Earth Group formed on 2021-12-23 from China "
    "Southern Rare Earth, Chinalco's and Minmetals' rare-earth businesses.",
)
def organisations(warehouse: WarehouseResource, settings: SettingsResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        illustrative = con.sql(
            "SELECT source_id FROM core.sources WHERE kind = 'illustrative'"
        ).pl()

        def resolve(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
            out = frame.drop("source_file", "source_row").with_columns(
                pl.col("source_id")
                .is_in(illustrative["source_id"].implode())
                .alias("is_illustrative")
            )
            return out, empty_rejections()

        report, _ = load_file(
            con,
            path=settings.data("reference/organisations.csv"),
            label="reference/organisations.csv",
            contract=models.ORGANISATIONS,
            core_table="core.organisations",
            resolve=resolve,
        )
        events, _ = load_file(
            con,
            path=settings.data("reference/organisation_events.csv"),
            label="reference/organisation_events.csv",
            contract=models.ORGANISATION_EVENTS,
            core_table="core.organisation_events",
            resolve=lambda f: (f.drop("source_file", "source_row"), empty_rejections()),
        )
        return materialize_result(
            con,
            "core.organisations",
            rejected=report.rejected + events.rejected,
            succession_events=events.landed,
        )


@dg.asset(
    key=["reference", "entity_aliases"],
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=[organisations, provinces, countries],
    description="Every name a source uses for an organisation, province or country, mapped to "
    "its id (core.entity_aliases). Loaders resolve names here; an unknown name is an error.",
)
def entity_aliases(
    warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        generated = con.sql(
            "SELECT alias, entity_kind, entity_id FROM ("
            " SELECT name_en AS alias, 'province' AS entity_kind, province_id AS entity_id, 1 AS o"
            " FROM core.provinces"
            " UNION ALL SELECT name_zh, 'province', province_id, 2 FROM core.provinces"
            " UNION ALL SELECT name_en || ' (' || province_id || ')', 'province', province_id, 3"
            " FROM core.provinces"
            " UNION ALL SELECT province_id, 'province', province_id, 4 FROM core.provinces"
            " UNION ALL SELECT name, 'organisation', org_id, 5 FROM core.organisations"
            " UNION ALL SELECT org_id, 'organisation', org_id, 6 FROM core.organisations"
            ") WHERE alias IS NOT NULL ORDER BY o, alias"
        ).pl()

        def resolve(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
            curated = frame.drop("source_file", "source_row")
            merged = pl.concat([curated, generated]).unique(
                subset=["alias"], keep="first", maintain_order=True
            )
            return merged, empty_rejections()

        report, _ = load_file(
            con,
            path=settings.data("reference/entity_aliases.csv"),
            label="reference/entity_aliases.csv",
            contract=models.ENTITY_ALIASES,
            core_table="core.entity_aliases",
            resolve=resolve,
            landing=Path(settings.landing_dir),
            landed=landed_files_of(settings.landing_dir, "reference", models.ENTITY_ALIASES),
        )
        return materialize_result(con, "core.entity_aliases", rejected=report.rejected)
