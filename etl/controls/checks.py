"""Checks on export controls, beside the assets they check. Blocking: a failure stops marts."""

from pathlib import Path

import dagster as dg

from etl.controls.assets import EXPORT_CONTROL_ITEMS, EXPORT_CONTROLS
from etl.core.checks import ForeignKey, foreign_key_check, sql_check
from etl.core.warehouse import load_sql

SQL_DIR = Path(__file__).parent / "sql"
SOURCE = ForeignKey("source_id", "core.sources", "source_id")

ALL: list[dg.AssetChecksDefinition] = [
    foreign_key_check(
        EXPORT_CONTROLS.path,
        "core.export_controls",
        [SOURCE, ForeignKey("status_source_id", "core.sources", "source_id")],
    ),
    foreign_key_check(
        EXPORT_CONTROL_ITEMS.path,
        "core.export_control_items",
        [
            SOURCE,
            ForeignKey("element_symbol", "core.elements", "symbol"),
            ForeignKey("hs6", "core.commodities", "hs_code"),
        ],
    ),
    sql_check(
        EXPORT_CONTROL_ITEMS,
        "items_name_a_heading",
        load_sql(SQL_DIR, "check_items_name_a_heading"),
        "Every published customs code sits in an HS6 heading, and every item belongs to a "
        "known control event.",
    ),
    sql_check(
        ["marts", "controlled_trade"],
        "upper_bound_labelled",
        load_sql(SQL_DIR, "check_upper_bound_labelled"),
        "Every controlled-trade figure is labelled an upper bound (a heading is not wholly "
        "controlled).",
    ),
]
