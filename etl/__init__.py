"""reekg: the rare-earth supply chain as a DuckDB warehouse and an RDF knowledge graph."""

import warnings

import dagster as dg

# Single-run backfill policies and pools are marked beta in dagster 1.13; we rely on them on
# purpose, so their warnings are noise for users of `make run` and the CLI.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
