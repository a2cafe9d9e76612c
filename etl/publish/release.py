"""The release: the published warehouse snapshot and the graph's `current`, moved together.

`publish/warehouse` and `graph/published` are one step (a multi-asset that cannot be subset):
both move or neither does, so SQL and SPARQL readers never see different states. The step first
asks the publish gate (etl/publish/gate.py): every blocking check upstream must have passed on
the current state, the graph candidate must be validated and newer than every table it was built
from. Then it renames the staged warehouse copy over the snapshot and swaps `current`, rolling
the warehouse back if the swap fails, and writes `release.json` (warehouse sha256, graph
release id) next to the snapshot.
"""

import hashlib
import os
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from etl.core.settings_resource import SettingsResource
from etl.core.warehouse import WRITER_POOL, WarehouseResource
from etl.graph import store
from etl.graph.assets import RELEASE_CANDIDATE
from etl.graph.build import write_json
from etl.graph.validate import read_verdict
from etl.publish.gate import (
    GateFailure,
    asset_graph,
    clear_refusal,
    require_passed,
    stale_inputs,
)

PUBLISHED_WAREHOUSE = dg.AssetKey(["publish", "warehouse"])
GRAPH_PUBLISHED = dg.AssetKey(["graph", "published"])
RELEASE_KEYS = (PUBLISHED_WAREHOUSE, GRAPH_PUBLISHED)
RELEASE_FILE = "release.json"
CONFIRM_SHRINK_VAR = "REEKG_CONFIRM_SHRINK"
SHRINK_MIN_ROWS = 10  # tables this small may legitimately halve
SHRINK_RATIO = 0.5  # refuse when a published table would keep less than this share of its rows


def release_closure(graph: Any, selected: AbstractSet[dg.AssetKey]) -> set[dg.AssetKey]:
    """A headless selection completed for releasing: a multi-asset step runs whole, and
    selecting the release also builds the graph candidate it publishes (from the same state)."""
    out = {k for key in selected for k in graph.get(key).execution_set_asset_keys}
    if out & set(RELEASE_KEYS) and graph.has(RELEASE_CANDIDATE):
        out.add(RELEASE_CANDIDATE)
    return out


def file_sha256(path: Path) -> str:
    """sha256 of a file, streamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_manifest_path(published_dir: Path) -> Path:
    """`release.json`: what readers currently see (warehouse digest and graph release id)."""
    return Path(published_dir) / RELEASE_FILE


def _candidate_problems(
    context: dg.AssetExecutionContext, graph_dir: Path
) -> tuple[Path | None, list[GateFailure]]:
    """The run's graph candidate, and why it may not be published (if so)."""
    label = RELEASE_CANDIDATE.to_user_string()
    release = store.candidate_or_none(graph_dir, context.run.run_id)
    if release is None:
        return None, [GateFailure(label, "no release candidate; materialize it first")]
    problems = stale_inputs(context.instance, asset_graph(context), RELEASE_CANDIDATE)
    verdict = read_verdict(release)
    if verdict is None or not verdict.conforms:
        state = "was never validated" if verdict is None else "does not conform to the shapes"
        problems.append(GateFailure(label, f"release {release.name} {state}"))
    return release, problems


def commit_release(
    warehouse: WarehouseResource, graph_dir: Path, release: Path, run_id: str
) -> dict[str, str]:
    """Move the warehouse snapshot and `current` together (rolling back the warehouse if the
    graph swap fails) and write the release manifest; returns the manifest."""
    published = Path(warehouse.published_path)
    staged = warehouse.stage_snapshot()
    backup = published.with_name(f".{published.name}.previous")
    previous_release = store.current_or_none(graph_dir)
    had_previous = published.exists()
    try:
        digest = file_sha256(staged)
        backup.unlink(missing_ok=True)
        if had_previous:
            os.link(published, backup)
        os.replace(staged, published)
        try:
            store.activate_release(graph_dir, release)
        except BaseException:
            if had_previous:
                os.replace(backup, published)
            else:
                published.unlink(missing_ok=True)
            if previous_release is not None:
                store.activate_release(graph_dir, previous_release)
            raise
    finally:
        staged.unlink(missing_ok=True)
        backup.unlink(missing_ok=True)
    manifest = {
        "warehouse": str(published),
        "warehouse_sha256": digest,
        "graph_release_id": str(store.read_manifest(graph_dir)["release_id"]),
        "published_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "run_id": run_id,
    }
    write_json(release_manifest_path(published.parent), manifest)
    return manifest


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per core and marts table."""
    tables = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE schema_name IN ('core', 'marts') ORDER BY 1"
    ).fetchall()
    return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for (t,) in tables}


def shrinking_tables(warehouse: WarehouseResource) -> list[GateFailure]:
    """Published tables the new release would shrink sharply (a header-only file, a truncated
    download), unless `REEKG_CONFIRM_SHRINK=1` confirms it."""
    published = Path(warehouse.published_path)
    if os.environ.get(CONFIRM_SHRINK_VAR) == "1" or not published.exists():
        return []
    with duckdb.connect(str(published), read_only=True) as con:
        before = table_counts(con)
    with warehouse.connect() as con:
        after = table_counts(con)
    return [
        GateFailure(
            table,
            f"would shrink from {rows:,} to {after.get(table, 0):,} rows; "
            f"set {CONFIRM_SHRINK_VAR}=1 to publish it anyway",
        )
        for table, rows in sorted(before.items())
        if rows >= SHRINK_MIN_ROWS and after.get(table, 0) < rows * SHRINK_RATIO
    ]


def release_asset(deps: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """`publish/warehouse` + `graph/published`: one gated release of warehouse and graph."""

    @dg.multi_asset(
        name="publish_release",
        specs=[
            dg.AssetSpec(
                PUBLISHED_WAREHOUSE,
                group_name="publish",
                owners=["team:ops"],
                kinds={"duckdb"},
                deps=[*deps, RELEASE_CANDIDATE],
                description="The published DuckDB snapshot users query (read-only), released "
                "together with the graph: a checkpointed copy of the working warehouse renamed "
                "into place only when every blocking check upstream passed on this state.",
            ),
            dg.AssetSpec(
                GRAPH_PUBLISHED,
                group_name="graph",
                owners=["team:graph"],
                kinds={"rdf", "oxigraph"},
                deps=[RELEASE_CANDIDATE],
                description="The published graph: `current` swapped to the validated release "
                "candidate in the same step as the warehouse snapshot (both or neither).",
            ),
        ],
        can_subset=False,
        pool=WRITER_POOL,
    )
    def publish_release(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
    ) -> Iterator[dg.MaterializeResult]:
        graph_dir = Path(settings.graph_dir)
        published_dir = Path(warehouse.published_path).parent
        release, problems = _candidate_problems(context, graph_dir)
        problems += shrinking_tables(warehouse)
        require_passed(context, list(RELEASE_KEYS), published_dir, problems)
        assert release is not None  # require_passed raised otherwise
        manifest = commit_release(warehouse, graph_dir, release, context.run.run_id)
        clear_refusal(published_dir)
        store.clear_candidate(graph_dir, context.run.run_id)
        with warehouse.connect() as con:
            counts = table_counts(con)
        graph_manifest = store.read_manifest(graph_dir)
        yield dg.MaterializeResult(
            asset_key=PUBLISHED_WAREHOUSE,
            metadata={
                "path": dg.MetadataValue.path(manifest["warehouse"]),
                "sha256": dg.MetadataValue.text(manifest["warehouse_sha256"]),
                "graph_release_id": dg.MetadataValue.text(manifest["graph_release_id"]),
                "tables": dg.MetadataValue.json(counts),
                "dagster/row_count": dg.MetadataValue.int(sum(counts.values())),
            },
        )
        yield dg.MaterializeResult(
            asset_key=GRAPH_PUBLISHED,
            metadata={
                "dagster/row_count": dg.MetadataValue.int(int(graph_manifest["triples"])),
                "release_id": dg.MetadataValue.text(manifest["graph_release_id"]),
                "current": dg.MetadataValue.path(str(store.current_release(graph_dir))),
                "warehouse_sha256": dg.MetadataValue.text(manifest["warehouse_sha256"]),
            },
        )

    return publish_release
