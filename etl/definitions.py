"""Entry point: gathers each business domain's definitions and adds the deployment's resources.

`dagster dev -w workspace.yaml` loads `defs`; tests call `build_defs(settings)` with paths
under a temporary folder.
"""

from __future__ import annotations

import dagster as dg

from etl.capacity.definitions import defs as capacity_defs
from etl.capacity.partitions import QUOTA_YEARS
from etl.capacity.schedules import capacity_files_job, quotas_job
from etl.controls.definitions import defs as controls_defs
from etl.graph.definitions import defs as graph_defs
from etl.ops.definitions import LandingTargets, apply_operations, operations_defs
from etl.production.assets import USGS_EDITIONS
from etl.production.definitions import defs as production_defs
from etl.production.schedules import usgs_job
from etl.publish.release import RELEASE_KEYS, release_asset
from etl.query.definitions import defs as query_defs
from etl.reference.definitions import defs as reference_defs
from etl.report.definitions import defs as report_defs
from etl.resources import build_resources
from etl.risk.definitions import defs as risk_defs
from etl.settings import Settings
from etl.trade.definitions import defs as trade_defs

LANDING = LandingTargets(quotas_job, usgs_job, capacity_files_job, QUOTA_YEARS, USGS_EDITIONS)
UNPUBLISHED_GROUPS = ("graph", "report", "publish", "query")
DOMAINS = (
    reference_defs,
    capacity_defs,
    controls_defs,
    production_defs,
    trade_defs,
    risk_defs,
    graph_defs,
    report_defs,
    query_defs,
    operations_defs(LANDING),
)


def build_defs(settings: Settings | None = None) -> dg.Definitions:
    """All definitions, with resources pointing at `settings` (default: from the environment)."""
    resources = build_resources(settings or Settings.from_env())
    domains = dg.Definitions.merge(*DOMAINS, dg.Definitions(resources=resources))
    warehouse_assets = [
        spec.key
        for spec in domains.resolve_all_asset_specs()
        if spec.group_name not in UNPUBLISHED_GROUPS and spec.key not in RELEASE_KEYS
    ]
    publish = dg.Definitions(assets=[release_asset(warehouse_assets)])
    return apply_operations(dg.Definitions.merge(domains, publish))


defs = build_defs()
