"""The capacity charts: quotas by holder, the illustrative reallocation example."""

from __future__ import annotations

import math

import polars as pl
from plotly.subplots import make_subplots

from etl.report.chart_style import (
    DERIVED_PATTERN,
    ILLUSTRATIVE_COLOR,
    ILLUSTRATIVE_PATTERN,
    UNATTRIBUTED_COLOR,
    base_layout,
    holder_label,
    stamp_illustrative,
)
from etl.report.models import (
    ILLUSTRATIVE_LABEL,
    QUOTA_TYPE_LABELS,
    Chart,
    ReportData,
    fmt,
)


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
                name=holder_label(series["holder_name"][0], holder_id, illustrative),
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
    base_layout(fig, 480, barmode="stack")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(title_text="t REO", row=1, col=1)
    if flags:
        stamp_illustrative(fig, ILLUSTRATIVE_LABEL)
    caption = (
        "Each holder's quota summed over the year's batches (marts.quota_by_holder); grey is the "
        "rest of the national annual total (marts.quota_change) that the bundled sources do not "
        "split by holder. Hatched (/) bars include a derived figure (computed from other "
        "figures, not published as such); cross-hatched orange bars are illustrative."
    )
    return Chart(
        "quotas",
        title,
        caption,
        fig,
        flags=tuple(dict.fromkeys(flags)),
        source="marts.quota_by_holder, marts.quota_change",
    )


def reallocation_chart(data: ReportData, colors: dict[str, str]) -> Chart:
    """Before/after bars per holder, one panel per province and reallocation event."""
    title = "Illustrative example, apart from the real plan: a reallocation before and after"
    # the real plans (no before/after published) are drawn as flows in the Jiangxi section
    example = data.ledger.filter(pl.col("is_illustrative"))
    holders = example.filter(pl.col("row_kind") == "holder")
    totals = example.filter(pl.col("row_kind") == "province_total")
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
    base_layout(fig, 300 * rows + 120, barmode="group")
    fig.update_yaxes(title_text="t REO", col=1)
    if flags:
        stamp_illustrative(fig, ILLUSTRATIVE_LABEL)
    caption = (
        "Each holder's capacity before (light) and after (solid) each reallocation event, from "
        "marts.reallocation_ledger; the province's total is stated on each panel (a "
        "reallocation moves capacity between holders without changing it). No official "
        "company-level table exists: events from an illustrative source are cross-hatched and "
        "labelled, never shown as official."
    )
    return Chart(
        "reallocations",
        title,
        caption,
        fig,
        flags=tuple(dict.fromkeys(flags)),
        source="marts.reallocation_ledger",
    )
