"""Graph assets: build a release from the warehouse's core tables, then publish it if valid.

`graph/release_candidate` writes a complete release folder (not yet visible to readers) and
points `candidate` at it; its blocking SHACL check (checks.py) validates it; `graph/published`
runs only when that check passed and swaps `current` to the candidate.
"""

from pathlib import Path

import dagster as dg

from etl.core.metadata import frame_to_markdown
from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource, connect_with_retry
from etl.graph import store
from etl.graph.build import build_release, prune_releases
from etl.graph.validate import read_verdict

GROUP = "graph"
OWNERS = ["team:graph"]
KINDS = {"duckdb", "polars", "rdf"}
RELEASE_CANDIDATE = dg.AssetKey(["graph", "release_candidate"])
PUBLISHED = dg.AssetKey(["graph", "published"])

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


@dg.asset(
    key=PUBLISHED,
    group_name=GROUP,
    owners=OWNERS,
    kinds={"rdf", "oxigraph"},
    deps=[RELEASE_CANDIDATE],
    description="The published graph: `current` swapped atomically to the release candidate, "
    "only after its blocking SHACL check passed (the check's verdict is also re-read here, so "
    "a release that failed or was never validated is never activated).",
)
def published(
    context: dg.AssetExecutionContext, settings: SettingsResource
) -> dg.MaterializeResult:
    graph_dir = Path(settings.graph_dir)
    release = store.candidate_or_none(graph_dir, context.run_id)
    if release is None:
        raise dg.Failure(f"{graph_dir}: no release candidate; materialize graph/release_candidate")
    verdict = read_verdict(release)
    if verdict is None or not verdict.conforms:
        state = "was never validated" if verdict is None else "does not conform to the shapes"
        raise dg.Failure(f"release {release.name} {state}; not published")
    store.activate_release(graph_dir, release)
    store.clear_candidate(graph_dir, context.run_id)
    manifest = store.read_manifest(graph_dir)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(int(manifest["triples"])),
            "release_id": dg.MetadataValue.text(str(manifest["release_id"])),
            "current": dg.MetadataValue.path(str(store.current_release(graph_dir))),
            "validation": dg.MetadataValue.text(verdict.mode),
        }
    )
