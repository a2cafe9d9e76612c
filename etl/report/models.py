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
BUYER_EXPOSURE_CHAIN = "marts.buyer_exposure_chain"
SCENARIO_ASSUMPTIONS = "marts.scenario_shortfall_assumptions"
CONTROLLED_TRADE = "marts.controlled_trade"
CAPACITY_BY_STAGE = "marts.capacity_by_stage"
PRODUCTION_REVISIONS = "marts.production_revisions"
NET_IMPORT_RELIANCE = "marts.net_import_reliance"
SUPPLY_RISK = "marts.supply_risk"
EXPORT_CONTROLS = "core.export_controls"
CAPACITY_REPLACEMENTS = "core.capacity_replacements"
OPTIONAL_TABLES = (
    BUYER_SUPPLIER_SHARES,
    TRADE_FLOWS,
    BUYER_EXPOSURE_CHAIN,
    SCENARIO_ASSUMPTIONS,
    CONTROLLED_TRADE,
    CAPACITY_BY_STAGE,
    PRODUCTION_REVISIONS,
    NET_IMPORT_RELIANCE,
    SUPPLY_RISK,
)
# Each optional frame of ReportData.extra: (SQL file, tables it needs).
OPTIONAL_FRAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "holders_by_province": ("select_holders_by_province", ()),
    "replacement_legs": ("select_replacement_legs", (CAPACITY_REPLACEMENTS,)),
    "replacement_plans": ("select_replacement_plans", (CAPACITY_REPLACEMENTS,)),
    "buyer_series": ("select_buyer_series", (BUYER_SUPPLIER_SHARES,)),
    "exposure_chain": ("select_exposure_chain", (BUYER_EXPOSURE_CHAIN,)),
    "scenario_assumptions": ("select_scenario_assumptions", (SCENARIO_ASSUMPTIONS,)),
    "export_controls": ("select_export_controls", (EXPORT_CONTROLS,)),
    "control_elements": ("select_control_elements", (EXPORT_CONTROLS,)),
    "controlled_trade": ("select_controlled_trade", (CONTROLLED_TRADE,)),
    "capacity_by_stage": ("select_capacity_by_stage", (CAPACITY_BY_STAGE,)),
    "production_editions": ("select_production_editions", (PRODUCTION_REVISIONS,)),
    "net_import_reliance": ("select_net_import_reliance", (NET_IMPORT_RELIANCE,)),
    "supply_risk": ("select_supply_risk", (SUPPLY_RISK,)),
}
# The precomputed cuts: these provinces and every group holding smelting quota, at each fraction.
SCENARIO_PROVINCES = ["CN-JX", "CN-NM"]
SCENARIO_FRACTIONS = (0.1, 0.3, 0.5)
# Schema whose tables' source_id columns are counted in the sources table ("cited by rows").
CITING_SCHEMA = "core"
MART_KEYS = [
    dg.AssetKey(["marts", "quota_by_holder"]),
    dg.AssetKey(["marts", "quota_concentration"]),
    dg.AssetKey(["marts", "quota_change"]),
    dg.AssetKey(["marts", "reallocation_ledger"]),
    dg.AssetKey(["marts", "world_production"]),
    dg.AssetKey(["marts", "buyer_supplier_shares"]),
    dg.AssetKey(["marts", "buyer_exposure_chain"]),
    dg.AssetKey(["marts", "controlled_trade"]),
    dg.AssetKey(["marts", "capacity_by_stage"]),
    dg.AssetKey(["marts", "production_revisions"]),
    dg.AssetKey(["marts", "net_import_reliance"]),
    # the report reads the published snapshot, so it runs after publishing
    dg.AssetKey(["publish", "warehouse"]),
]
PUBLISHED_WAREHOUSE = dg.AssetKey(["publish", "warehouse"])

MAX_BUYER_SERIES = 8
# Buyers charted by default in the exposure, scenario and control sections (in this order; the
# others are listed in a compact table): the US, the EU and its largest members, Japan.
FEATURED_BUYERS = ("USA", "EU27", "DEU", "FRA", "ITA", "NLD", "JPN")
# Importers shown in the supply-risk chart (the other EU members stay in marts.supply_risk).
SUPPLY_RISK_IMPORTERS = ("EU27", "USA", "DEU")
INCOMPLETE_LABEL = "incomplete (UN Comtrade preview)"
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


def featured(frame: pl.DataFrame, column: str = "buyer") -> pl.DataFrame:
    """The rows of the featured buyers (FEATURED_BUYERS), in that order, stable within each."""
    order = {b: i for i, b in enumerate(FEATURED_BUYERS)}
    return (
        frame.filter(pl.col(column).is_in(FEATURED_BUYERS))
        .with_columns(pl.col(column).replace_strict(order, default=99).alias("_featured_order"))
        .sort("_featured_order", maintain_order=True)
        .drop("_featured_order")
    )


def headline_series(series: pl.DataFrame) -> list[dict[str, Any]]:
    """Per featured buyer, the latest year of its largest heading by value (the card shown)."""
    latest = [
        g.sort("year").row(-1, named=True)
        for _, g in featured(series).group_by(
            ["buyer", "hs_code", "reporter_side", "source_id"], maintain_order=True
        )
    ]
    best: dict[str, dict[str, Any]] = {}
    for row in latest:
        kept = best.get(row["buyer"])
        if kept is None or (row["buyer_value"] or 0) > (kept["buyer_value"] or 0):
            best[row["buyer"]] = row
    return list(best.values())


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
    # optional frames by name (OPTIONAL_FRAMES); absent when their tables are not published
    extra: dict[str, pl.DataFrame] = field(default_factory=dict)
    scenarios: pl.DataFrame | None = None  # every precomputed cut, None without the macro
    scenario_targets: pl.DataFrame | None = None

    def frame(self, name: str) -> pl.DataFrame | None:
        """An optional frame, or None when its mart is absent or empty."""
        frame = self.extra.get(name)
        return frame if frame is not None and not frame.is_empty() else None


@dataclass(frozen=True)
class Chart:
    """One report section: a Plotly figure, or a panel saying why there is none."""

    chart_id: str
    title: str
    caption: str
    figure: Any | None  # plotly.graph_objects.Figure (plotly ships no type hints)
    empty_message: str = ""
    flags: tuple[str, ...] = ()  # e.g. ILLUSTRATIVE_LABEL, shown as a badge
    source: str = ""  # the marts it reads, stated under the chart
    extra_html: str = ""  # trusted HTML built by the chart (a proof table, assumptions)

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
    section: str = ""  # anchor of the section that shows it
    source_id: str = ""  # its source, linked to the sources table

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
