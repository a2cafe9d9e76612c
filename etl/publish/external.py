"""The optional asset that mirrors each graph release into an external triple store."""

from pathlib import Path

import dagster as dg

from etl.core.settings_resource import SettingsResource
from etl.publish.gate import require_passed
from etl.publish.graph_store import GraphStoreResource

# The asset that swaps `current` to a validated release (a key contract of the graph domain).
GRAPH_RELEASE_KEY = dg.AssetKey(["graph", "published"])
EXTERNAL_GRAPH_KEY = dg.AssetKey(["publish", "external_graph"])


@dg.asset(
    key=EXTERNAL_GRAPH_KEY,
    deps=[GRAPH_RELEASE_KEY],
    group_name="query",
    kinds={"sparql", "oxigraph"},
    owners=["team:query"],
    description=(
        "Copies the current graph release into the external triple store configured by "
        "REEKG_EXTERNAL_STORE_URL: one Graph Store Protocol PUT per named graph."
    ),
)
def external_graph(
    context: dg.AssetExecutionContext,
    settings: SettingsResource,
    external_graph_store: GraphStoreResource,
) -> dg.MaterializeResult:
    """PUT every named graph of the current release (only past the publish gate); verify counts
    when a query URL is set."""
    require_passed(context, [EXTERNAL_GRAPH_KEY], None)
    published = external_graph_store.publish_release(Path(settings.graph_dir))
    return dg.MaterializeResult(
        metadata={
            "graphs": dg.MetadataValue.int(len(published)),
            "triples": dg.MetadataValue.int(sum(p.triples for p in published)),
            "store": dg.MetadataValue.url(external_graph_store.url),
            "verified": dg.MetadataValue.bool(external_graph_store.query_url is not None),
        }
    )
