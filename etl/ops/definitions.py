"""Dagster definitions of the ops domain (gathered by etl/definitions.py)."""

import dagster as dg

defs = dg.Definitions()
