"""Where the project reads and writes, from environment variables with working local defaults.

Every path is derived from `REEKG_HOME` unless its own variable is set, so a test can point the
whole pipeline at a temporary folder. `REEKG_HOME` defaults to `var/` in a checkout and to
`$XDG_DATA_HOME/reekg` (`~/.local/share/reekg`) when the package is installed (`pip install`).

The bundled data and the ontology live at the checkout's root (`data/`, `ontology/`); a wheel
carries them inside the package as `etl/_bundle/{data,ontology}` (pyproject's force-include).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("etl"))).resolve()
PROJECT_ROOT = PACKAGE_DIR.parent
# A checkout has pyproject.toml next to etl/; an installed package has its copies in _bundle/.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "data").is_dir()
BUNDLE_ROOT = PROJECT_ROOT if IN_CHECKOUT else PACKAGE_DIR / "_bundle"
BUNDLED_DATA = BUNDLE_ROOT / "data"
ONTOLOGY_DIR = BUNDLE_ROOT / "ontology"
# Files every run reads; checked up front so a missing one is one line, not a failed step.
REQUIRED_DATA = ("reference/sources.csv",)
REQUIRED_ONTOLOGY = ("reekg.ttl", "shapes.ttl", "queries")


class MissingInputError(FileNotFoundError):
    """A data or ontology file the pipeline needs is not where the settings say."""


def default_home() -> Path:
    """`var/` in a checkout; the user's data folder for an installed package."""
    if IN_CHECKOUT:
        return PROJECT_ROOT / "var"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "reekg"


def include_synthetic() -> bool:
    """`REEKG_INCLUDE_SYNTHETIC=1`: synthetic trade rows enter the graph release, each flow
    flagged `ree:isSynthetic true` (off by default: they never reach the published graph)."""
    return os.environ.get("REEKG_INCLUDE_SYNTHETIC", "").strip().lower() in {"1", "true", "yes"}


def require_inputs(data_dir: Path, ontology_dir: Path = ONTOLOGY_DIR) -> None:
    """Raise `MissingInputError` (one line naming the path) if an input file is missing."""
    for folder, names, hint in (
        (data_dir, REQUIRED_DATA, "REEKG_DATA_DIR must name a folder laid out like data/"),
        (ontology_dir, REQUIRED_ONTOLOGY, "the package's ontology is missing: reinstall reekg"),
    ):
        for name in names:
            if not (folder / name).exists():
                raise MissingInputError(f"{folder / name}: not found ({hint})")


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
        home = Path(os.environ.get("REEKG_HOME") or default_home()).resolve()

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
