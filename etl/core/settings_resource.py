"""The deployment's paths as a Dagster resource, so assets get them by injection."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from etl.settings import Settings


class SettingsResource(dg.ConfigurableResource):
    """Folders an asset reads from or writes to (bundled data, landing, graph, report)."""

    data_dir: str
    landing_dir: str
    graph_dir: str
    report_dir: str
    home: str

    @classmethod
    def from_settings(cls, settings: Settings) -> SettingsResource:
        return cls(
            data_dir=str(settings.data_dir),
            landing_dir=str(settings.landing_dir),
            graph_dir=str(settings.graph_dir),
            report_dir=str(settings.report_dir),
            home=str(settings.home),
        )

    def data(self, *parts: str) -> Path:
        """A path inside the bundled (or configured) data folder."""
        return Path(self.data_dir).joinpath(*parts)
