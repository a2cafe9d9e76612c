"""Graph assets: build a release candidate from the warehouse's core tables.

`graph/release_candidate` writes a complete release folder (not yet visible to readers) and
points `candidate` at it; its blocking SHACL check (checks.py) validates it; the release step
(etl/publish/release.py, `graph/published` + `publish/warehouse`) swaps `current` to it together
with the warehouse snapshot, only when the publish gate lets it.
"""

from pathlib import Path

import dagster as dg

from etl.core.metadata import frame_to_markdown
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, connect_with_retry
from etl.graph import store
from etl.graph.build import build_release, prune_releases

GROUP = "graph"
OWNERS = ["team:graph"]
KINDS = {"duckdb", "polars", "rdf"}
RELEASE_CANDIDATE = dg.AssetKey(["graph", "release_candidate"])

# Every core table the graph reads. The trade keys are the trade domain's (etl/trade/assets.py).
CORE_DEPS = [
    dg.AssetKey(key)
    for key in (
        ["reference", "sources"],
        ["reference", "elements"],
        ["reference", "commodities"],
        ["reference", "provinces"],
        ["reference", "countries"],
        ["reference", "organisations"],
        ["capacity", "quotas"],
        ["capacity", "reallocations"],
        ["capacity", "holdings_baseline"],
        ["capacity", "facilities"],
        ["capacity", "consolidation_events"],
        ["capacity", "organisation_memberships"],
        ["controls", "export_controls"],
        ["controls", "export_control_items"],
        ["production", "usgs_world"],
        ["trade", "comtrade_annual"],
        ["trade", "comtrade_monthly"],
        ["trade", "baci"],
        ["trade", "bundled_flows"],
        ["trade", "supply_agreements"],
        ["trade", "buyers"],
        ["marts", "supply_risk"],
    )
]


def _counts_table(counts: dict[str, int]) -> str:
    import polars as pl

    frame = pl.DataFrame({"graph": list(counts), "triples": list(counts.values())})
    return frame_to_markdown(frame, limit=50)


@dg.asset(
    key=RELEASE_CANDIDATE,
    group_name=GROUP,
    owners=OWNERS,
    kinds=KINDS,
    pool=WRITER_POOL,
    deps=CORE_DEPS,
    description="A new graph release built from the warehouse's core tables: N-Quads generated "
    "in bulk from Polars columns, one named graph per source dataset plus ontology and "
    "provenance, bulk-loaded into an Oxigraph store, with one Turtle file per graph, a "
    "DCAT/VoID description and a manifest. Written under releases/<id> and pointed to by "
    "`candidate`; readers keep seeing `current` until graph/published runs.",
)
def release_candidate(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    graph_dir = Path(settings.graph_dir)
    graph_dir.mkdir(parents=True, exist_ok=True)
    con = connect_with_retry(Path(warehouse.path), read_only=True)
    try:
        result = build_release(
            con,
            graph_dir,
            warehouse_path=warehouse.path,
            data_dir=Path(settings.data_dir),
            run_label=f"graph build in Dagster run {context.run_id}",
            base=store.current_or_none(graph_dir),
            log=context.log,
        )
    finally:
        con.close()
    store.set_candidate(graph_dir, result.release_dir, context.run_id)
    removed = prune_releases(graph_dir)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(result.triples),
            "release_id": dg.MetadataValue.text(result.release_id),
            "release_dir": dg.MetadataValue.path(str(result.release_dir)),
            "triples_by_graph": dg.MetadataValue.md(_counts_table(result.triples_by_graph)),
            "skipped_tables": dg.MetadataValue.text(", ".join(result.skipped_tables) or "none"),
            "seconds": dg.MetadataValue.json({k: round(v, 3) for k, v in result.seconds.items()}),
            "old_releases_removed": dg.MetadataValue.int(len(removed)),
        }
    )
