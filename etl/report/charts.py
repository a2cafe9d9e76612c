"""The report's charts: Polars frames in, Plotly figures out (one function per chart).

Illustrative figures get a cross-hatch pattern and an "ILLUSTRATIVE — not official" label in
the legend, the title and an annotation; synthetic trade series are labelled the same way.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from etl.report.models import (
    ILLUSTRATIVE_LABEL,
    QUOTA_TYPE_LABELS,
    SYNTHETIC_LABEL,
    Chart,
    ReportData,
    fmt,
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
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"


def _layout(fig: Any, height: int, **extra: Any) -> Any:
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


def _stamp(fig: Any, text: str, color: str = ILLUSTRATIVE_COLOR) -> None:
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


def _holder_label(name: str | None, holder_id: str, illustrative: bool) -> str:
    label = name or holder_id
    if illustrative and "illustrative" not in label.lower():
        label += " (illustrative)"
    return f"{label} — {ILLUSTRATIVE_LABEL}" if illustrative else label


def quotas_by_holder_chart(data: ReportData, colors: dict[str, str]) -> Chart:
    """Stacked bars: each holder's annual quota, plus what the sources do not attribute."""
    title = "China's rare-earth quotas by holder and year"
    holders, national = data.holders_by_year, data.national_by_year
    quota_types = sorted(set(holders["quota_type"]) | set(national["quota_type"]))
    if not quota_types:
        return Chart("quotas", title, "", None, "No quota rows in the published warehouse.")
    fig = make_subplots(
        rows=1,
        cols=len(quota_types),
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=[QUOTA_TYPE_LABELS.get(q, q) for q in quota_types],
    )
    shown: set[str] = set()
    flags: list[str] = []
    for col, quota_type in enumerate(quota_types, start=1):
        rows = holders.filter(pl.col("quota_type") == quota_type)
        for holder_id in colors:
            series = rows.filter(pl.col("holder_id") == holder_id).sort("year")
            if series.is_empty():
                continue
            illustrative = bool(series["is_illustrative"].any())
            if illustrative:
                flags.append(ILLUSTRATIVE_LABEL)
            patterns = [
                ILLUSTRATIVE_PATTERN if ill else DERIVED_PATTERN if der else ""
                for ill, der in series.select("is_illustrative", "is_derived").iter_rows()
            ]
            fig.add_bar(
                row=1,
                col=col,
                x=series["year"].to_list(),
                y=series["tonnes_reo"].to_list(),
                name=_holder_label(series["holder_name"][0], holder_id, illustrative),
                legendgroup=holder_id,
                showlegend=holder_id not in shown,
                marker={
                    "color": ILLUSTRATIVE_COLOR if illustrative else colors[holder_id],
                    "pattern": {"shape": patterns, "fgcolor": "#333", "size": 6},
                },
                customdata=series.select("batches", "source_ids", "is_derived").rows(),
                hovertemplate="%{x}: %{y:,.0f} t REO<br>batches %{customdata[0]}"
                "<br>source %{customdata[1]}<br>derived: %{customdata[2]}",
            )
            shown.add(holder_id)
        attributed = rows.group_by("year").agg(pl.col("tonnes_reo").sum().alias("attributed"))
        rest = (
            national.filter(pl.col("quota_type") == quota_type)
            .join(attributed, on="year", how="left")
            .with_columns(
                (pl.col("tonnes_reo") - pl.col("attributed").fill_null(0))
                .clip(lower_bound=0)
                .alias("rest")
            )
            .filter(pl.col("rest") > 0)
            .sort("year")
        )
        if not rest.is_empty():
            fig.add_bar(
                row=1,
                col=col,
                x=rest["year"].to_list(),
                y=rest["rest"].to_list(),
                name="Not attributed to a holder in the sources",
                legendgroup="unattributed",
                showlegend="unattributed" not in shown,
                marker={"color": UNATTRIBUTED_COLOR},
                customdata=rest.select("tonnes_reo").rows(),
                hovertemplate="%{x}: %{y:,.0f} t REO not attributed"
                "<br>national annual total %{customdata[0]:,.0f} t",
            )
            shown.add("unattributed")
    _layout(fig, 480, barmode="stack")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(title_text="t REO", row=1, col=1)
    if flags:
        _stamp(fig, ILLUSTRATIVE_LABEL)
    caption = (
        "Each holder's quota summed over the year's batches (marts.quota_by_holder); grey is the "
        "rest of the national annual total (marts.quota_change) that the bundled sources do not "
        "split by holder. Hatched (/) bars include a derived figure (computed from other "
        "figures, not published as such); cross-hatched orange bars are illustrative."
    )
    return Chart("quotas", title, caption, fig, flags=tuple(dict.fromkeys(flags)))


def _batch_label(year: int, batch: str) -> str:
    return f"{year} annual" if batch == "annual" else f"{year} b{batch}"


def _batch_order(frame: pl.DataFrame) -> list[str]:
    pairs = sorted(
        set(frame.select("year", "batch").iter_rows()),
        key=lambda p: (p[0], 9 if p[1] == "annual" else int(p[1]) if p[1].isdigit() else 8),
    )
    return [_batch_label(y, b) for y, b in pairs]


def shares_and_hhi_chart(data: ReportData, colors: dict[str, str]) -> Chart:
    """Holders' shares of each batch (top) and the HHI of each batch (bottom)."""
    title = "Shares and concentration (HHI) over time"
    shares, conc = data.holder_shares, data.concentration
    if shares.is_empty() and conc.is_empty():
        return Chart("shares_hhi", title, "", None, "No concentration rows in the warehouse.")
    order = _batch_order(pl.concat([shares.select("year", "batch"), conc.select("year", "batch")]))
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=(
            "Share of the batch's national total, by holder",
            "HHI of the batch (0-10,000); hollow markers: the sources' split is incomplete",
        ),
    )
    dashes = {"mining": "solid", "smelting_separation": "dot"}
    flags: list[str] = []
    for (holder_id, quota_type), series in shares.sort("year", "batch").group_by(
        ["holder_id", "quota_type"], maintain_order=True
    ):
        illustrative = bool(series["is_illustrative"].any())
        if illustrative:
            flags.append(ILLUSTRATIVE_LABEL)
        name = _holder_label(series["holder_name"][0], str(holder_id), illustrative)
        fig.add_scatter(
            row=1,
            col=1,
            x=[_batch_label(y, b) for y, b in series.select("year", "batch").iter_rows()],
            y=(series["share_of_batch"] * 100).to_list(),
            mode="lines+markers",
            name=f"{name} · {QUOTA_TYPE_LABELS.get(str(quota_type), quota_type)}",
            line={
                "color": ILLUSTRATIVE_COLOR if illustrative else colors.get(str(holder_id)),
                "dash": dashes.get(str(quota_type), "dash"),
            },
            hovertemplate="%{x}: %{y:.1f}% of the batch<extra>%{fullData.name}</extra>",
        )
    for (dimension, quota_type), series in conc.sort("year", "batch").group_by(
        ["dimension", "quota_type"], maintain_order=True
    ):
        complete = series["split_complete"].to_list()
        label = "holders" if dimension == "holder" else "official provincial split"
        fig.add_scatter(
            row=2,
            col=1,
            x=[_batch_label(y, b) for y, b in series.select("year", "batch").iter_rows()],
            y=series["hhi"].to_list(),
            mode="lines+markers" if dimension == "holder" else "markers",
            name=f"HHI · {QUOTA_TYPE_LABELS.get(str(quota_type), quota_type)} · {label}",
            line={
                "color": "#444" if quota_type == "mining" else "#1f78b4",
                "dash": dashes.get(str(quota_type), "dash"),
            },
            marker={
                "size": 9,
                "symbol": [
                    ("circle" if dimension == "holder" else "diamond") + ("" if c else "-open")
                    for c in complete
                ],
            },
            customdata=series.select("n", "top1_member", "top1_share", "split_complete").rows(),
            hovertemplate="%{x}: HHI %{y:,.0f}<br>%{customdata[0]} members, top "
            "%{customdata[1]} (%{customdata[2]:.1%})<br>split complete: %{customdata[3]}"
            "<extra>%{fullData.name}</extra>",
        )
    fig.add_hline(
        y=2500,
        row=2,
        col=1,
        line={"color": "#b00", "dash": "dash", "width": 1},
        annotation_text="2,500: 'highly concentrated' (US 2010 merger guidelines)",
        annotation_position="bottom left",
        annotation_font={"size": 10, "color": "#b00"},
    )
    _layout(fig, 640)
    fig.update_layout(legend={"y": -0.08})
    fig.update_xaxes(categoryorder="array", categoryarray=order, type="category")
    fig.update_yaxes(title_text="% of batch", row=1, col=1, rangemode="tozero")
    fig.update_yaxes(title_text="HHI", row=2, col=1, range=[0, 10000])
    if flags:
        _stamp(fig, ILLUSTRATIVE_LABEL)
    caption = (
        "Share of each batch's national total held by each group (marts.quota_by_holder) and "
        "the Herfindahl-Hirschman Index of the batch (marts.quota_concentration, sum of squared "
        "percentage shares against the national total). Solid lines: mining; dotted: smelting "
        "and separation."
    )
    return Chart("shares_hhi", title, caption, fig, flags=tuple(dict.fromkeys(flags)))


def reallocation_chart(data: ReportData, colors: dict[str, str]) -> Chart:
    """Before/after bars per holder, one panel per province and reallocation event."""
    title = "Reallocations: each holder before and after, per province"
    holders = data.ledger.filter(pl.col("row_kind") == "holder")
    totals = data.ledger.filter(pl.col("row_kind") == "province_total")
    events = holders.select("province_id", "event_id", "effective_date", "is_illustrative")
    events = events.unique(maintain_order=True).sort("province_id", "effective_date", "event_id")
    if events.is_empty():
        return Chart(
            "reallocations", title, "", None, "No reallocation events in the published warehouse."
        )
    cols = min(3, events.height)
    rows = math.ceil(events.height / cols)
    subtitles = []
    for province, event_id, date, illustrative in events.iter_rows():
        mark = f"<b style='color:{ILLUSTRATIVE_COLOR}'>ILLUSTRATIVE</b> · " if illustrative else ""
        subtitles.append(f"{mark}{province} · {event_id}<br>effective {date}")
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=subtitles, vertical_spacing=0.22)
    flags: list[str] = []
    in_legend: set[str] = set()
    for i, (province, event_id, _, illustrative) in enumerate(events.iter_rows()):
        row, col = i // cols + 1, i % cols + 1
        legs = holders.filter(
            (pl.col("event_id") == event_id) & (pl.col("province_id") == province)
        ).sort("holder_id")
        names = [n or h for n, h in legs.select("holder_name", "holder_id").iter_rows()]
        names = [n.replace(" (illustrative)", "") for n in names]
        if illustrative:
            flags.append(ILLUSTRATIVE_LABEL)
        for when, column, opacity in (("before", "before_t", 0.45), ("after", "after_t", 1.0)):
            group = f"{when}-{illustrative}"
            fig.add_bar(
                row=row,
                col=col,
                x=names,
                y=legs[column].to_list(),
                name=f"{when}" + (f" — {ILLUSTRATIVE_LABEL}" if illustrative else ""),
                legendgroup=group,
                showlegend=group not in in_legend,
                opacity=opacity,
                marker={
                    "color": ILLUSTRATIVE_COLOR if illustrative else "#1f78b4",
                    "pattern": {"shape": ILLUSTRATIVE_PATTERN if illustrative else ""},
                },
                customdata=legs.select("change_t", "source_id", "reasons").rows(),
                hovertemplate=f"%{{x}} {when}: %{{y:,.0f}} t<br>change %{{customdata[0]:+,.0f}} t"
                "<br>reasons %{customdata[2]}<br>source %{customdata[1]}<extra></extra>",
            )
            in_legend.add(group)
        total = totals.filter(
            (pl.col("event_id") == event_id) & (pl.col("province_id") == province)
        )
        if not total.is_empty():
            before, after = total["before_t"][0], total["after_t"][0]
            fig.add_annotation(
                row=row,
                col=col,
                text=f"province total {fmt(before, ',.0f')} → {fmt(after, ',.0f')} t",
                xref="x domain",
                yref="y domain",
                x=0.5,
                y=0.98,
                showarrow=False,
                font={"size": 11, "color": "#333"},
            )
    _layout(fig, 300 * rows + 120, barmode="group")
    fig.update_yaxes(title_text="t REO", col=1)
    if flags:
        _stamp(fig, ILLUSTRATIVE_LABEL)
    caption = (
        "Each holder's capacity before (light) and after (solid) each reallocation event, from "
        "marts.reallocation_ledger; the province's total is stated on each panel (a "
        "reallocation moves capacity between holders without changing it). No official "
        "company-level table exists: events from an illustrative source are cross-hatched and "
        "labelled, never shown as official."
    )
    return Chart("reallocations", title, caption, fig, flags=tuple(dict.fromkeys(flags)))


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
    _layout(fig, 420, barmode="stack")
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
    return Chart("china_share", title, caption, fig)


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
    _layout(fig, 460, barmode="stack", title={"text": labels[0], "font": {"size": 13}})
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
    return Chart("buyer_shares", title, caption, fig, flags=tuple(dict.fromkeys(flags)))


def build_charts(data: ReportData) -> list[Chart]:
    """Every chart of the report, in page order."""
    colors = holder_colors(data)
    return [
        quotas_by_holder_chart(data, colors),
        shares_and_hhi_chart(data, colors),
        reallocation_chart(data, colors),
        china_production_chart(data),
        buyer_shares_chart(data),
    ]
