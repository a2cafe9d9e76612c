"""The Dagster instance of a deployment: its home folder and instance settings."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from etl.settings import Settings

INSTANCE_YAML = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: 2
"""


def ensure_instance_home(home: Path) -> Path:
    """Create a Dagster home with this project's instance settings (writer pool of one)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML, encoding="utf-8")
    return home


def instance_for(settings: Settings) -> dg.DagsterInstance:
    """The Dagster instance at `DAGSTER_HOME` (default `<REEKG_HOME>/dagster`)."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.home / "dagster")))
    ensure_instance_home(home)
    return dg.DagsterInstance.get()
