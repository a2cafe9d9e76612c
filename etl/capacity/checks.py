"""Checks on capacity data, beside the assets they check. Blocking: a failure stops the marts."""

from pathlib import Path

import dagster as dg

from etl.core.checks import ForeignKey, foreign_key_check, sql_check
from etl.core.warehouse import load_sql

SQL_DIR = Path(__file__).parent / "sql"
QUOTAS = ["capacity", "quotas"]
SOURCE = ForeignKey("source_id", "core.sources", "source_id")
ORG = "core.organisations"


def _check(asset: list[str], name: str, description: str) -> dg.AssetChecksDefinition:
    return sql_check(asset, name, load_sql(SQL_DIR, f"check_{name}"), description)


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
            ForeignKey("province_id", "core.provinces", "province_id"),
            ForeignKey("country_iso3", "core.countries", "iso3"),
        ],
    ),
    _check(
        ["marts", "reallocation_ledger"],
        "ledger_balances",
        "Per event, the province's net change is zero and no holder ends below zero.",
    ),
]
