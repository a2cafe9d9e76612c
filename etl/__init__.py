"""reekg: the rare-earth supply chain as a DuckDB warehouse and an RDF knowledge graph.

Nothing heavy is imported here, so `reekg --help` and `reekg sql` start without loading
Dagster (the commands import it when they need it).
"""

import warnings

# Single-run backfill policies and pools are marked beta (and some APIs preview) in dagster
# 1.13; we rely on them on purpose, so their warnings are noise for users of `make run` and the
# CLI. Matched by message, because naming dagster's warning classes would import dagster.
warnings.filterwarnings("ignore", message=r".* is currently in (beta|preview)")
