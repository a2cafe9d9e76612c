"""Dagster definitions of the capacity domain (gathered by etl/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
