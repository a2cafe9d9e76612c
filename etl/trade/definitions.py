"""Dagster definitions of the trade domain (gathered by etl/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
