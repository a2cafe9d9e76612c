"""Report domain vocabulary: asset keys, the marts it reads, chart and key-figure models."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

SQL_DIR = Path(__file__).parent / "sql"
TEMPLATE = Path(__file__).parent / "templates" / "report.html"

REPORT_KEY = dg.AssetKey(["report", "html"])
REPORT_FILE = "index.html"
SUMMARY_FILE = "summary.json"
GROUP = "report"
OWNERS = ["team:report"]

# Marts the report reads (asset keys are the contract; table names are constants).
QUOTA_BY_HOLDER = "marts.quota_by_holder"
QUOTA_CONCENTRATION = "marts.quota_concentration"
QUOTA_CHANGE = "marts.quota_change"
REALLOCATION_LEDGER = "marts.reallocation_ledger"
WORLD_PRODUCTION = "marts.world_production"
BUYER_SUPPLIER_SHARES = "marts.buyer_supplier_shares"
TRADE_FLOWS = "marts.trade_flows"
SOURCES = "core.sources"
REQUIRED_TABLES = (
    QUOTA_BY_HOLDER,
    QUOTA_CONCENTRATION,
    QUOTA_CHANGE,
    REALLOCATION_LEDGER,
    WORLD_PRODUCTION,
    SOURCES,
)
OPTIONAL_TABLES = (BUYER_SUPPLIER_SHARES, TRADE_FLOWS)
# Schema whose tables' source_id columns are counted in the sources table ("cited by rows").
CITING_SCHEMA = "core"
MART_KEYS = [
    dg.AssetKey(["marts", "quota_by_holder"]),
    dg.AssetKey(["marts", "quota_concentration"]),
    dg.AssetKey(["marts", "quota_change"]),
    dg.AssetKey(["marts", "reallocation_ledger"]),
    dg.AssetKey(["marts", "world_production"]),
    dg.AssetKey(["marts", "buyer_supplier_shares"]),
    # the report reads the published snapshot, so it runs after publishing
    dg.AssetKey(["publish", "warehouse"]),
]
PUBLISHED_WAREHOUSE = dg.AssetKey(["publish", "warehouse"])

MAX_BUYER_SERIES = 8
ILLUSTRATIVE_LABEL = "ILLUSTRATIVE — not official"
SYNTHETIC_LABEL = "SYNTHETIC — not official"
QUOTA_TYPE_LABELS = {
    "mining": "Mining",
    "smelting_separation": "Smelting & separation",
}
SOURCE_KIND_LABELS = {
    "official": "official",
    "press_report": "press report",
    "derived": "derived",
    "reference": "reference",
    "illustrative": "illustrative",
    "synthetic": "synthetic",
}


def fmt(value: float | None, spec: str, suffix: str = "", missing: str = "n/a") -> str:
    """`value` formatted with `spec` (e.g. ",.0f", ".0%"), or `missing` when it is NULL."""
    return missing if value is None else f"{value:{spec}}{suffix}"


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, read once from the published warehouse."""

    holders_by_year: pl.DataFrame
    national_by_year: pl.DataFrame
    holder_shares: pl.DataFrame
    concentration: pl.DataFrame
    ledger: pl.DataFrame
    china_production: pl.DataFrame
    buyer_shares: pl.DataFrame | None  # None when the trade marts are not published (yet)
    sources: pl.DataFrame
    latest_batch: pl.DataFrame
    row_counts: dict[str, int]
    as_of: str


@dataclass(frozen=True)
class Chart:
    """One report section: a Plotly figure, or a panel saying why there is none."""

    chart_id: str
    title: str
    caption: str
    figure: Any | None  # plotly.graph_objects.Figure (plotly ships no type hints)
    empty_message: str = ""
    flags: tuple[str, ...] = ()  # e.g. ILLUSTRATIVE_LABEL, shown as a badge

    @property
    def rendered(self) -> bool:
        return self.figure is not None


@dataclass(frozen=True)
class KeyFigure:
    """A headline number, compared with the previous report's value when there was one."""

    key: str
    label: str
    value: str
    previous: str | None = None
    note: str = ""

    @property
    def changed(self) -> bool:
        return self.previous is not None and self.previous != self.value


@dataclass(frozen=True)
class Report:
    """The rendered page and what the asset reports about it."""

    html: str
    charts: list[Chart]
    figures: list[KeyFigure]
    data: ReportData
    previews: dict[str, str] = field(default_factory=dict)
