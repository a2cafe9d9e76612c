"""Dagster definitions of the production domain (gathered by etl/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
