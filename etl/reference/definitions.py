"""Dagster definitions of the reference domain (gathered by etl/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
