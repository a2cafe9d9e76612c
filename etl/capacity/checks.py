"""Checks on capacity data, beside the assets they check. Blocking: a failure stops the marts."""

from pathlib import Path

import dagster as dg

from etl.core.checks import ForeignKey, foreign_key_check, sql_check
from etl.core.warehouse import load_sql

SQL_DIR = Path(__file__).parent / "sql"
QUOTAS = ["capacity", "quotas"]
SOURCE = ForeignKey("source_id", "core.sources", "source_id")
ORG = "core.organisations"
REPLACEMENTS = ["capacity", "consolidation_events"]
MEMBERSHIPS = ["capacity", "organisation_memberships"]


def _check(
    asset: list[str],
    name: str,
    description: str,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
) -> dg.AssetChecksDefinition:
    blocking = severity == dg.AssetCheckSeverity.ERROR
    return sql_check(
        asset, name, load_sql(SQL_DIR, f"check_{name}"), description, blocking, severity
    )


ALL = [
    _check(QUOTAS, "non_negative_tonnages", "No tonnage in the capacity tables is negative."),
    _check(
        QUOTAS,
        "holder_within_batch_total",
        "No group's figure exceeds its batch's national total, and the groups together do not "
        "exceed it (catches unit errors such as '369,906' printed for 36,906 t).",
    ),
    _check(
        QUOTAS,
        "plausible_magnitude",
        "No single quota figure exceeds 1,000,000 t REO (catches '7660万吨' for 7,660 t).",
    ),
    _check(
        QUOTAS,
        "ore_types_within_total",
        "National rock- and ion-type figures add up to the batch total (within 1%).",
    ),
    _check(
        QUOTAS,
        "batches_sum_to_annual",
        "A year's batches never add up to more than its annual total.",
    ),
    foreign_key_check(QUOTAS, "core.quotas", [SOURCE]),
    _check(
        QUOTAS,
        "quarantine_feeds_no_mart",
        "No quota row is quarantined in a batch that has landed figures: a holder name with a "
        "typo would otherwise drop out of the batch and change its shares and HHI silently.",
    ),
    _check(
        ["capacity", "reallocations"],
        "reallocation_conserves",
        "Each reallocation moves capacity between holders inside its province without changing "
        "the province's total.",
    ),
    foreign_key_check(
        ["capacity", "reallocations"],
        "core.reallocations",
        [
            SOURCE,
            ForeignKey("province_id", "core.provinces", "province_id"),
            ForeignKey("from_holder_id", ORG, "org_id"),
            ForeignKey("to_holder_id", ORG, "org_id"),
        ],
    ),
    foreign_key_check(
        ["capacity", "holdings_baseline"],
        "core.holdings_baseline",
        [
            SOURCE,
            ForeignKey("province_id", "core.provinces", "province_id"),
            ForeignKey("holder_id", ORG, "org_id"),
        ],
    ),
    foreign_key_check(
        ["capacity", "facilities"],
        "core.facilities",
        [
            SOURCE,
            ForeignKey("operator_id", ORG, "org_id"),
            ForeignKey("country_iso3", "core.countries", "iso3"),
        ],
    ),
    _check(
        REPLACEMENTS,
        "replacement_adds_up",
        "Each replacement project's new capacity is its own replaced capacity plus the capacity "
        "transferred in.",
    ),
    _check(
        REPLACEMENTS,
        "replacement_legs_conserve",
        "Every replacement leg has a source and a receiving firm, so the province's total is "
        "unchanged.",
    ),
    _check(
        REPLACEMENTS,
        "replacement_total_matches_projects",
        "WARNING (non-blocking): a plan's published total equals the sum of its projects. "
        "Jiangxi's December 2025 plans state 11,172 t/yr but list 5,500 + 3,100 + 5,572 = "
        "14,172 t/yr; both figures are kept as published.",
        severity=dg.AssetCheckSeverity.WARN,
    ),
    foreign_key_check(
        REPLACEMENTS,
        "core.capacity_replacement_legs",
        [
            SOURCE,
            ForeignKey("province_id", "core.provinces", "province_id"),
            ForeignKey("from_holder_id", ORG, "org_id"),
            ForeignKey("to_holder_id", ORG, "org_id"),
        ],
    ),
    _check(
        MEMBERSHIPS,
        "memberships_within_whole",
        "The shares held in one organisation never add up to more than 100%.",
    ),
    foreign_key_check(
        MEMBERSHIPS,
        "core.organisation_memberships",
        [SOURCE, ForeignKey("member_org_id", ORG, "org_id"), ForeignKey("org_id", ORG, "org_id")],
    ),
    _check(
        ["marts", "reallocation_ledger"],
        "ledger_balances",
        "Per event, the province's net change is zero and no holder ends below zero.",
    ),
]
