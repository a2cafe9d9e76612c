"""Dagster definitions of the report domain (gathered by etl/definitions.py)."""

import dagster as dg

from etl.report import checks
from etl.report.assets import report_html

defs = dg.Definitions(assets=[report_html], asset_checks=checks.ALL)
