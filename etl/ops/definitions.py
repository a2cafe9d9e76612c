"""Dagster definitions of the ops domain (gathered by etl/definitions.py): the jobs, schedules
and sensors that keep the pipeline running unattended (see etl/ops/automation.py).

Automation conditions and freshness policies of other domains' assets are applied to the
merged definitions by `etl.ops.automation.apply_operations`.
"""

from etl.ops.automation import defs

__all__ = ["defs"]
