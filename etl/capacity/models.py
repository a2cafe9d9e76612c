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
FACILITY_STATUSES = ("operating", "construction", "planned", "suspended", "closed")
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

FACILITIES = Contract(
    "facilities",
    (
        Field("facility_id", pattern=SLUG),
        Field("name"),
        Field("operator"),
        Field("province", required=False, pattern=r"CN-[A-Z]{2}"),
        Field("country", pattern=r"[A-Z]{3}"),
        Field("capacity_t_reo_per_year", "float", required=False, minimum=0),
        Field("products"),
        Field(
            "feedstock",
            pattern=r"(ore|concentrate|recycled material|intermediate)"
            r"(;(ore|concentrate|recycled material|intermediate))*",
        ),
        Field("status", choices=FACILITY_STATUSES),
        Field("source_id", pattern=SLUG),
    ),
    key=("facility_id",),
    description="Mines, separation plants and other facilities inside and outside China.",
)
