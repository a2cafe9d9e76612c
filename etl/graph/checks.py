"""The blocking SHACL check of a release candidate: a non-conforming graph is not published."""

from pathlib import Path

import dagster as dg

from etl.core.settings_resource import SettingsResource
from etl.graph import store
from etl.graph.assets import RELEASE_CANDIDATE
from etl.graph.validate import validate_release


@dg.asset_check(
    asset=RELEASE_CANDIDATE,
    name="shacl_conforms",
    blocking=True,
    description="SHACL validation of the candidate against ontology/shapes.ttl, every focus node: "
    "pySHACL when the graph is small, the shapes compiled to SPARQL on the Oxigraph store when "
    "large. Failing focus nodes are listed in the metadata; a failure blocks graph/published.",
)
def shacl_conforms(
    context: dg.AssetCheckExecutionContext, settings: SettingsResource
) -> dg.AssetCheckResult:
    release = store.candidate_or_none(Path(settings.graph_dir), context.run.run_id)
    if release is None:
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description="no release candidate to validate",
        )
    report = validate_release(release)
    return dg.AssetCheckResult(
        passed=report.conforms,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            f"{report.violations} violation(s) in {release.name}"
            if not report.conforms
            else f"{release.name} conforms ({report.mode})"
        ),
        metadata={
            "release_id": dg.MetadataValue.text(release.name),
            "mode": dg.MetadataValue.text(report.mode),
            "engine": dg.MetadataValue.text(report.engine),
            "triples_validated": dg.MetadataValue.int(report.triples_validated),
            "violations": dg.MetadataValue.int(report.violations),
            "failing_focus_nodes": dg.MetadataValue.json(report.focus_nodes),
            "messages": dg.MetadataValue.md("\n".join(f"- {m}" for m in report.messages) or "none"),
        },
    )


ALL = [shacl_conforms]
