"""Colours, patterns and the shared layout of the report's charts."""

from __future__ import annotations

from typing import Any

import polars as pl

from etl.report.models import (
    ILLUSTRATIVE_LABEL,
    ReportData,
)

PALETTE = (
    "#1b9e77",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
    "#cab2d6",
    "#17becf",
    "#8c564b",
)
UNATTRIBUTED_COLOR = "#c7c7c7"
ILLUSTRATIVE_COLOR = "#d95f02"
CHINA_COLOR = "#d62728"
OTHER_COLOR = "#9e9e9e"
ILLUSTRATIVE_PATTERN = "x"
DERIVED_PATTERN = "/"
TOP_SUPPLIERS = 6
# Latin first, then CJK fonts (Chinese names render where the system has one), then fallbacks.
FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', "
    "'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'WenQuanYi Micro Hei', 'DejaVu Sans', sans-serif"
)


def base_layout(fig: Any, height: int, **extra: Any) -> Any:
    fig.update_layout(
        height=height,
        template="plotly_white",
        font={"family": FONT, "size": 12},
        margin={"l": 60, "r": 30, "t": 60, "b": 40},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        hoverlabel={"namelength": -1},
        **extra,
    )
    return fig


def stamp_illustrative(fig: Any, text: str, color: str = ILLUSTRATIVE_COLOR) -> None:
    """The figure's title: a warning label at the top right, above any subplot title."""
    fig.update_layout(
        title={
            "text": f"<b>{text}</b>",
            "x": 0.01,
            "xanchor": "left",
            "y": 0.99,
            "yanchor": "top",
            "font": {"color": color, "size": 15},
        },
        margin={"t": 90},
    )


def holder_colors(data: ReportData) -> dict[str, str]:
    """One colour per holder, the same in every chart (ordered by total tonnes, largest first)."""
    totals = (
        data.holders_by_year.group_by("holder_id")
        .agg(pl.col("tonnes_reo").sum())
        .sort(["tonnes_reo", "holder_id"], descending=[True, False])
    )
    return {h: PALETTE[i % len(PALETTE)] for i, h in enumerate(totals["holder_id"].to_list())}


def holder_label(name: str | None, holder_id: str, illustrative: bool) -> str:
    label = name or holder_id
    if illustrative and "illustrative" not in label.lower():
        label += " (illustrative)"
    return f"{label} — {ILLUSTRATIVE_LABEL}" if illustrative else label
