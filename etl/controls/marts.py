"""Public export-control marts: imports in headings that contain a controlled line."""

from pathlib import Path

import dagster as dg

from etl.controls.assets import EXPORT_CONTROL_ITEMS, EXPORT_CONTROLS
from etl.core.marts import sql_mart

SQL_DIR = Path(__file__).parent / "sql"

controlled_trade = sql_mart(
    "controlled_trade",
    SQL_DIR,
    [
        EXPORT_CONTROLS,
        EXPORT_CONTROL_ITEMS,
        dg.AssetKey(["marts", "trade_flows"]),
        dg.AssetKey(["marts", "buyer_supplier_shares"]),
        dg.AssetKey(["reference", "countries"]),
    ],
    "controls",
    "Per buyer, year and HS6 heading: imports from China in headings that contain a line named "
    "by an export control, and which control was in force that year (whole or part of it). "
    "An UPPER BOUND: a heading is not wholly controlled.",
)

ALL = [controlled_trade]
