"""Dagster definitions of the report domain (gathered by etl/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
