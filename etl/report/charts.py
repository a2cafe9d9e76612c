"""The report's charts: Polars frames in, Plotly figures out (one function per chart; capacity
charts in `charts_capacity.py`, colours and layout in `chart_style.py`).

Illustrative figures get a cross-hatch pattern and an "ILLUSTRATIVE — not official" label in
the legend, the title and an annotation; synthetic trade series are labelled the same way.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from etl.report.chart_style import (
    CHINA_COLOR,
    ILLUSTRATIVE_PATTERN,
    OTHER_COLOR,
    PALETTE,
    TOP_SUPPLIERS,
    base_layout,
    holder_colors,
)
from etl.report.charts_capacity import (
    quotas_by_holder_chart,
    reallocation_chart,
)
from etl.report.charts_exposure import buyer_exposure_chart, controls_chart, scenarios_chart
from etl.report.charts_supply import (
    capacity_outside_china_chart,
    holders_chart,
    jiangxi_chart,
    production_editions_chart,
    supply_risk_chart,
)
from etl.report.models import (
    SYNTHETIC_LABEL,
    Chart,
    ReportData,
    fmt,
)


def china_production_chart(data: ReportData) -> Chart:
    """China's mine production against the rest of the world, with China's share (right axis)."""
    title = "China's share of world mine production"
    rows = data.china_production.sort("year")
    if rows.is_empty():
        return Chart("china_share", title, "", None, "No world production rows for China.")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    years = rows["year"].to_list()
    labels = ["estimate" if e else "" for e in rows["is_estimate"].to_list()]
    fig.add_bar(
        x=years,
        y=rows["china_tonnes_reo"].to_list(),
        name="China",
        marker={"color": CHINA_COLOR},
        text=labels,
        textposition="inside",
        customdata=rows.select("edition", "production_notes", "source_id").rows(),
        hovertemplate="%{x}: %{y:,.0f} t REO (edition %{customdata[0]})"
        "<br>%{customdata[1]}<br>source %{customdata[2]}<extra>China</extra>",
    )
    rest = (rows["world_tonnes_reo"] - rows["china_tonnes_reo"]).to_list()
    fig.add_bar(
        x=years,
        y=rest,
        name="Rest of world",
        marker={"color": OTHER_COLOR},
        hovertemplate="%{x}: %{y:,.0f} t REO<extra>Rest of world</extra>",
    )
    fig.add_scatter(
        x=years,
        y=(rows["share_of_world"] * 100).to_list(),
        name="China's share (%)",
        mode="lines+markers+text",
        text=[fmt(s, ".0%", missing="") for s in rows["share_of_world"].to_list()],
        textposition="top center",
        line={"color": "#111", "width": 2},
        secondary_y=True,
        hovertemplate="%{x}: %{y:.1f}% of world production<extra></extra>",
    )
    base_layout(fig, 420, barmode="stack")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(title_text="t REO", secondary_y=False)
    fig.update_yaxes(
        title_text="China's share %",
        range=[0, 100],
        tickmode="linear",
        tick0=0,
        dtick=20,
        showgrid=False,
        secondary_y=True,
    )
    caption = (
        "Mine production in t REO from marts.world_production (USGS Mineral Commodity "
        "Summaries; the newest edition per year). USGS gives China's quota as its production "
        "and rounds the world total, so the share is approximate; 'estimate' marks USGS "
        "estimates."
    )
    return Chart("china_share", title, caption, fig, source="marts.world_production")


def _series_label(row: dict[str, Any]) -> str:
    basis = "importer-reported" if row["reporter_side"] == "importer" else row["reporter_side"]
    label = f"{row['buyer']} · HS {row['hs_code']} · {basis} · {row['source_id']}"
    return f"{label} — {SYNTHETIC_LABEL}" if row["is_synthetic"] else label


def buyer_shares_chart(data: ReportData) -> Chart:
    """Stacked supplier shares of a buyer's imports per year; a menu switches between buyers."""
    title = "A buyer's supplier shares over time"
    shares = data.buyer_shares
    if shares is None:
        return Chart(
            "buyer_shares",
            title,
            "",
            None,
            "No trade data: marts.buyer_supplier_shares is not in the published warehouse yet. "
            "Materialize the trade assets and publish/warehouse, then rebuild the report.",
        )
    if shares.is_empty():
        return Chart(
            "buyer_shares",
            title,
            "",
            None,
            "No trade data: marts.buyer_supplier_shares has no rows (no trade files landed).",
        )
    fig = go.Figure()
    buttons = []
    series_ranks = sorted(set(shares["series_rank"].to_list()))
    trace_ranges: list[tuple[int, int]] = []
    labels: list[str] = []
    flags: list[str] = []
    for rank in series_ranks:
        series = shares.filter(pl.col("series_rank") == rank)
        first = series.row(0, named=True)
        labels.append(_series_label(first))
        if first["is_synthetic"]:
            flags.append(SYNTHETIC_LABEL)
        top = (
            series.group_by("supplier")
            .agg(pl.col("value_usd").sum())
            .sort(["value_usd", "supplier"], descending=[True, False], nulls_last=True)
            .head(TOP_SUPPLIERS)["supplier"]
            .to_list()
        )
        if "CHN" in set(series["supplier"]) and "CHN" not in top:
            top = [*top[:-1], "CHN"]
        grouped = (
            series.with_columns(
                pl.when(pl.col("supplier").is_in(top))
                .then(pl.col("supplier"))
                .otherwise(pl.lit("Other"))
                .alias("group")
            )
            .group_by("year", "group")
            .agg(pl.col("share_value").sum(), pl.col("value_usd").sum())
            .sort("year")
        )
        start = len(fig.data)
        for i, supplier in enumerate([*top, "Other"]):
            part = grouped.filter(pl.col("group") == supplier)
            if part.is_empty():
                continue
            color = (
                CHINA_COLOR
                if supplier == "CHN"
                else OTHER_COLOR
                if supplier == "Other"
                else PALETTE[(i + 1) % len(PALETTE)]
            )
            fig.add_bar(
                x=part["year"].to_list(),
                y=(part["share_value"] * 100).to_list(),
                name=supplier,
                visible=rank == series_ranks[0],
                marker={
                    "color": color,
                    "pattern": {"shape": ILLUSTRATIVE_PATTERN if first["is_synthetic"] else ""},
                },
                customdata=part.select("value_usd").rows(),
                hovertemplate="%{x}: %{y:.1f}% of import value (%{customdata[0]:,.0f} USD)"
                f"<extra>{supplier}</extra>",
            )
        trace_ranges.append((start, len(fig.data)))
    for (start, end), label in zip(trace_ranges, labels, strict=True):
        visible = [start <= i < end for i in range(len(fig.data))]
        buttons.append(
            {"label": label, "method": "update", "args": [{"visible": visible}, {"title": label}]}
        )
    base_layout(fig, 460, barmode="stack", title={"text": labels[0], "font": {"size": 13}})
    fig.update_layout(margin={"t": 100})
    if len(buttons) > 1:
        fig.update_layout(
            updatemenus=[
                {
                    "buttons": buttons,
                    "x": 0,
                    "y": 1.22,
                    "xanchor": "left",
                    "yanchor": "top",
                    "direction": "down",
                }
            ]
        )
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(title_text="% of the buyer's import value", range=[0, 100])
    caption = (
        "Each supplier's share of the buyer's import value per year (marts.buyer_supplier_shares;"
        " importer-reported or BACI-reconciled flows, never mixed). China in red; suppliers "
        "beyond the top six are grouped as Other. The menu switches between the buyers and "
        "commodities with the longest series; synthetic series are labelled and hatched."
    )
    return Chart(
        "buyer_shares",
        title,
        caption,
        fig,
        flags=tuple(dict.fromkeys(flags)),
        source="marts.buyer_supplier_shares",
    )


def build_charts(data: ReportData) -> list[Chart]:
    """Every chart of the report, in page order."""
    colors = holder_colors(data)
    charts = [
        quotas_by_holder_chart(data, colors),
        holders_chart(data, colors),
        jiangxi_chart(data),
        buyer_exposure_chart(data),
        buyer_shares_chart(data),
        scenarios_chart(data),
        controls_chart(data),
        capacity_outside_china_chart(data),
        china_production_chart(data),
        production_editions_chart(data),
        reallocation_chart(data, colors),
    ]
    risk = supply_risk_chart(data)  # only when marts.supply_risk is published
    return [*charts[:-1], *([risk] if risk else []), charts[-1]]
