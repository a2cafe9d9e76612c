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

    def source(self, *parts: str) -> Path:
        """Where to read `parts` from: a file dropped in the landing folder wins over the data
        folder's copy, if it is a regular file (not a link) that stays inside the landing folder.
        """
        landing = Path(self.landing_dir).resolve()
        candidate = landing.joinpath(*parts)
        if (
            candidate.is_file()
            and not candidate.is_symlink()
            and candidate.resolve().is_relative_to(landing)
        ):
            return candidate
        return self.data(*parts)
