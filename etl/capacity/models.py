"""Contracts of the capacity files: quotas, provincial holdings, reallocations, facilities."""

from __future__ import annotations

from etl.core.contracts import Contract, Field

QUOTA_TYPES = ("mining", "smelting_separation")
ORE_TYPES = ("all", "rock", "ion")
REALLOCATION_REASONS = (
    "environmental_compliance",
    "efficiency",
    "consolidation",
    "policy",
    "other",
)
FACILITY_STAGES = ("mining", "processing", "separation", "metal", "magnet", "integrated")
CAPACITY_UNITS = ("t REO", "t NdPr oxide", "t magnets", "t alloy", "t feed", "t unspecified")
CAPACITY_BASES = ("nameplate", "target", "actual", "estimate")
SLUG = r"[a-z0-9][a-z0-9-]*"

QUOTAS = Contract(
    "quotas",
    (
        Field("year", "int", minimum=1990, description="Quota year"),
        Field("batch", pattern=r"[1-9]|annual", description="Batch number, or 'annual'"),
        Field("entity_type", choices=("national", "group", "province")),
        Field("entity", description="Holder name as printed; resolved via entity_aliases"),
        Field("ore_type", choices=ORE_TYPES),
        Field("quota_type", choices=QUOTA_TYPES),
        Field("tonnes_reo", "float", minimum=0, description="Tonnes of rare-earth oxide"),
        Field("is_derived", "bool", description="Computed from printed figures, not printed"),
        Field("source_url", description="Resolved to a source id via the sources registry"),
        Field("source_note", required=False),
    ),
    key=("year", "batch", "entity_type", "entity", "ore_type", "quota_type"),
    description="China's rare-earth total-quantity-control quotas by year, batch and holder.",
)

HOLDINGS_BASELINE = Contract(
    "holdings_baseline",
    (
        Field("province", pattern=r"CN-[A-Z]{2}"),
        Field("holder"),
        Field("quota_type", choices=QUOTA_TYPES),
        Field("as_of", "date"),
        Field("tonnes_reo", "float", minimum=0),
        Field("source_id", pattern=SLUG),
    ),
    key=("province", "holder", "quota_type", "as_of"),
    description="Capacity each holder holds in a province before any reallocation.",
)

REALLOCATIONS = Contract(
    "reallocations",
    (
        Field("event_id", pattern=SLUG),
        Field("province", pattern=r"CN-[A-Z]{2}"),
        Field("effective_date", "date"),
        Field("from_holder"),
        Field("to_holder", required=False, description="Empty: capacity retired"),
        Field("quota_type", choices=QUOTA_TYPES),
        Field("tonnes_reo", "float", minimum=0),
        Field("reason", choices=REALLOCATION_REASONS),
        Field("source_id", pattern=SLUG),
    ),
    key=("event_id", "from_holder", "to_holder"),
    description="Transfers of quota between holders inside a province (one row per leg).",
)

FACILITY_CAPACITIES = Contract(
    "facilities_capacity",
    (
        Field("facility", description="Facility name as published"),
        Field("company", description="Operator as published"),
        Field("country_iso3", pattern=r"[A-Z]{3}"),
        Field("location"),
        Field("stage", description="Stage as published (classified in the classes file)"),
        Field("capacity_value", "float", minimum=0),
        Field("capacity_value_max", "float", required=False, minimum=0),
        Field("unit", description="Unit as published"),
        Field("capacity_basis", description="Basis as published"),
        Field("status"),
        Field("figure_year", "int", minimum=1990),
        Field("source_date", required=False),
        Field("source_url", description="Resolved to a source id via the sources registry"),
        Field("evidence_text"),
        Field("is_derived", "bool"),
        Field("note", required=False),
    ),
    key=("facility", "stage", "capacity_value", "unit", "source_url"),
    description="Capacity figures of rare-earth facilities inside and outside China, one row "
    "per published figure, with unit, basis, year, status and the quoted evidence.",
)

FACILITY_CLASSES = Contract(
    "facilities_capacity_classes",
    (
        Field("figure_row", "int", minimum=2, description="Row of facilities_capacity.csv"),
        Field("facility_id", pattern=SLUG),
        Field("operator", required=False, description="Operator; resolved via entity_aliases"),
        Field("stage", choices=FACILITY_STAGES),
        Field("capacity_unit", choices=CAPACITY_UNITS),
        Field("basis", choices=CAPACITY_BASES),
        Field("classification_note", required=False),
    ),
    key=("figure_row",),
    description="The project's classification of each published facility figure: facility id, "
    "operator, stage, unit and basis (so that figures in different units are never added).",
)

CONSOLIDATION_EVENTS = Contract(
    "consolidation_events",
    (
        Field("event_id", description="Event id as published in the file"),
        Field("date", description="Date as published (may carry a note, e.g. '(as reported)')"),
        Field("jurisdiction", description="Province (city) or 'national', as published"),
        Field("entity", description="Organisation name as printed; resolved via entity_aliases"),
        Field("event_type"),
        Field("new_capacity_t_reo_per_yr", "float", required=False, minimum=0),
        Field("own_capacity_replaced_t", "float", required=False, minimum=0),
        Field("capacity_transferred_in_t", "float", required=False, minimum=0),
        Field("transferred_from", required=False),
        Field("shareholding_pct", "float", required=False, minimum=0),
        Field("status", required=False),
        Field("source_url", description="Resolved to a source id via the sources registry"),
        Field("is_derived", "bool"),
        Field("note", required=False),
    ),
    key=("event_id", "entity", "shareholding_pct", "note"),
    description="China's rare-earth consolidation record: capacity-replacement plans, group "
    "formations, shareholdings and folds, as reported (one row per reported fact).",
)

MEMBERSHIP_ROLES = ("shareholder", "controlling shareholder")

MEMBERSHIPS = Contract(
    "organisation_memberships",
    (
        Field("membership_id", pattern=SLUG),
        Field("member", description="Member (shareholder) name; resolved via entity_aliases"),
        Field("organisation", description="Organisation held; resolved via entity_aliases"),
        Field("role", choices=MEMBERSHIP_ROLES),
        Field("share_pct", "float", required=False, minimum=0),
        Field("start_date", "date", required=False),
        Field("date_as_published"),
        Field("source_url", description="Resolved to a source id via the sources registry"),
        Field("events_file_row", "int", required=False, minimum=2),
        Field("note", required=False),
    ),
    key=("membership_id",),
    description="Ownership of organisations (shareholder, share in percent) as reported; each row "
    "restates a row of china_consolidation_capacity_events.csv with its member and organisation "
    "named.",
)
