"""Checks on the supply-risk inputs and mart."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from etl.core.checks import ForeignKey, foreign_key_check, sql_check
from etl.core.warehouse import load_sql

SQL_DIR = Path(__file__).parent / "sql"
SOURCE_FK = [ForeignKey("source_id", "core.sources", "source_id")]

ALL = [
    foreign_key_check(["risk", "crm_supply_shares"], "core.crm_supply_shares", SOURCE_FK),
    foreign_key_check(["risk", "crm_parameters"], "core.crm_parameters", SOURCE_FK),
    foreign_key_check(["risk", "method_parameters"], "core.risk_method_parameters", SOURCE_FK),
    sql_check(
        ["risk", "crm_supply_shares"],
        "shares_add_up",
        load_sql(SQL_DIR, "check_shares_sum"),
        "The published shares of a material, stage and scope add up to at most 102%, global "
        "supply to at least 98%.",
    ),
    sql_check(
        ["risk", "crm_supply_shares"],
        "suppliers_have_wgi",
        load_sql(SQL_DIR, "check_suppliers_have_wgi"),
        "Every supplier country of the shares has governance estimates in the reference years.",
    ),
    sql_check(
        ["marts", "supply_risk"],
        "key_unique",
        load_sql(SQL_DIR, "check_key_unique"),
        "One row per assessment year, importer, material, stage, variant and sourcing.",
    ),
    sql_check(
        ["marts", "supply_risk"],
        "eu_rows_complete",
        load_sql(SQL_DIR, "check_eu_rows_complete"),
        "Every assessed rare earth and scandium has an EU27 baseline row for both stages.",
    ),
    sql_check(
        ["marts", "supply_risk"],
        "published_values_differ",
        load_sql(SQL_DIR, "check_published_differences"),
        "Lists the published stage SRs that do not follow from the published shares (beyond "
        "+-0.1); both figures stay in the mart. A warning: the record is shown, not hidden.",
        blocking=False,
        severity=dg.AssetCheckSeverity.WARN,
    ),
]
