"""Dagster definitions of the ops domain (gathered by etl/definitions.py): the cross-cutting
sensors that keep the pipeline running unattended (see etl/ops/automation.py).

The landing sensor starts the domains' jobs, which etl/definitions.py passes in
(`LandingTargets`); automation conditions and freshness policies of other domains' assets are
applied to the merged definitions by `etl.ops.automation.apply_operations`.
"""

from etl.ops.automation import LandingTargets, apply_operations, operations_defs

__all__ = ["LandingTargets", "apply_operations", "operations_defs"]
