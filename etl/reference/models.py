"""Contracts of the curated reference files in `data/reference/`."""

from __future__ import annotations

from etl.core.contracts import Contract, Field

SOURCE_KINDS = ("official", "press_report", "derived", "reference", "illustrative", "synthetic")
ISO3 = r"[A-Z]{3}"
PROVINCE = r"CN-[A-Z]{2}"
SLUG = r"[a-z0-9][a-z0-9-]*"

SOURCES = Contract(
    "sources",
    (
        Field("source_id", pattern=SLUG),
        Field("title"),
        Field("publisher"),
        Field("url", required=False),
        Field("published_on", "date", required=False),
        Field("kind", choices=SOURCE_KINDS),
        Field("license", required=False),
        Field("notes", required=False),
    ),
    key=("source_id",),
    description="Sources registry: every fact row cites one of these ids.",
)

ELEMENTS = Contract(
    "elements",
    (
        Field("symbol", pattern=r"[A-Z][a-z]?"),
        Field("name"),
        Field("atomic_number", "int", minimum=1),
        Field("oxide_formula", required=False),
        Field("element_class", required=False, choices=("light", "medium", "heavy")),
        Field("class_source_id", pattern=SLUG),
    ),
    key=("symbol",),
)

WIKIDATA_ELEMENTS = Contract(
    "wikidata_ree_elements",
    (
        Field("symbol", pattern=r"[A-Z][a-z]?"),
        Field("name"),
        Field("atomic_number", "int", minimum=1),
        Field("wikidata_qid", pattern=r"Q[0-9]+"),
    ),
    key=("symbol",),
)

COMMODITIES = Contract(
    "commodities",
    (
        Field("hs_code", pattern=r"[0-9]{6}|[0-9]{8}"),
        Field("description"),
        Field("scheme", choices=("HS6", "CN8")),
        Field("notes", required=False),
    ),
    key=("hs_code",),
)

PROVINCES = Contract(
    "provinces",
    (Field("province_id", pattern=PROVINCE), Field("name_en"), Field("name_zh", required=False)),
    key=("province_id",),
)

COUNTRIES = Contract(
    "countries",
    (
        Field("iso3", pattern=ISO3),
        Field("iso2", required=False, pattern=r"[A-Z]{2}"),
        Field("m49", "int", required=False, minimum=0),
        Field("name"),
        Field("is_aggregate", "bool"),
    ),
    key=("iso3",),
)

COUNTRY_ALIASES = Contract(
    "country_aliases",
    (
        Field("alias"),
        Field("iso3", pattern=ISO3),
        Field("system", choices=("name", "comtrade", "comext")),
    ),
    key=("system", "alias"),
)

ORGANISATIONS = Contract(
    "organisations",
    (
        Field("org_id", pattern=SLUG),
        Field("name"),
        Field("org_type", choices=("group", "company", "government")),
        Field("parent_org_id", required=False, pattern=SLUG),
        Field("hq_province_id", required=False, pattern=PROVINCE),
        Field("hq_country_iso3", required=False, pattern=ISO3),
        Field("founded_on", "date", required=False),
        Field("dissolved_on", "date", required=False),
        Field("source_id", pattern=SLUG),
    ),
    key=("org_id",),
)

ORGANISATION_EVENTS = Contract(
    "organisation_events",
    (
        Field("event_id", pattern=SLUG),
        Field("event_type", choices=("merger", "rename", "absorption", "split", "quota_transfer")),
        Field("event_date", "date"),
        Field("from_org_id", pattern=SLUG),
        Field("to_org_id", pattern=SLUG),
        Field("description", required=False),
        Field("source_id", pattern=SLUG),
        Field("date_as_published", required=False),
    ),
    key=("event_id",),
)

ENTITY_ALIASES = Contract(
    "entity_aliases",
    (
        Field("alias"),
        Field("entity_kind", choices=("organisation", "province", "country")),
        Field("entity_id"),
    ),
    key=("alias",),
)
