"""Where the project reads and writes, from environment variables with working local defaults.

Every path is derived from `REEKG_HOME` (default: `var/` in the checkout) unless its own
variable is set, so a test can point the whole pipeline at a temporary folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA = PROJECT_ROOT / "data"
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"


@dataclass(frozen=True)
class Settings:
    """Resolved paths of one deployment."""

    home: Path
    data_dir: Path
    warehouse: Path
    published_warehouse: Path
    graph_dir: Path
    landing_dir: Path
    report_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        """Read `REEKG_*` variables; unset ones fall back to folders under `REEKG_HOME`."""
        home = Path(os.environ.get("REEKG_HOME", PROJECT_ROOT / "var")).resolve()

        def path(var: str, default: Path) -> Path:
            return Path(os.environ.get(var, default)).resolve()

        return cls(
            home=home,
            data_dir=path("REEKG_DATA_DIR", BUNDLED_DATA),
            warehouse=path("REEKG_WAREHOUSE", home / "warehouse.duckdb"),
            published_warehouse=path(
                "REEKG_PUBLISHED_WAREHOUSE", home / "published" / "warehouse.duckdb"
            ),
            graph_dir=path("REEKG_GRAPH_DIR", home / "published" / "graph"),
            landing_dir=path("REEKG_LANDING_DIR", home / "landing"),
            report_dir=path("REEKG_REPORT_DIR", home / "published" / "report"),
        )

    @classmethod
    def under(cls, home: Path, data_dir: Path = BUNDLED_DATA) -> Settings:
        """Every path under `home` (tests and one-off runs), reading data from `data_dir`."""
        home = Path(home).resolve()
        return cls(
            home=home,
            data_dir=Path(data_dir).resolve(),
            warehouse=home / "warehouse.duckdb",
            published_warehouse=home / "published" / "warehouse.duckdb",
            graph_dir=home / "published" / "graph",
            landing_dir=home / "landing",
            report_dir=home / "published" / "report",
        )
