"""Dagster definitions of the graph domain (gathered by etl/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
