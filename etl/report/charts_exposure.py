"""Demand-side charts: buyer exposure, cut scenarios, export controls (every buyer present)."""

from __future__ import annotations

import html
from datetime import date

import polars as pl
from plotly.subplots import make_subplots

from etl.report.chart_style import (
    CHINA_COLOR,
    ILLUSTRATIVE_PATTERN,
    OTHER_COLOR,
    PALETTE,
    base_layout,
)
from etl.report.charts_supply import province_label
from etl.report.models import (
    FEATURED_BUYERS,
    INCOMPLETE_LABEL,
    SYNTHETIC_LABEL,
    Chart,
    ReportData,
    featured,
    fmt,
    headline_series,
)

SERIES_KEYS = ["buyer", "hs_code", "reporter_side", "source_id"]


def _latest_table(series: pl.DataFrame, charted: set[tuple[str, str]]) -> str:
    """The series not charted, one row per buyer: per heading, its latest year's China share,
    import value (own currency) and supplier HHI."""
    rest = series.filter(
        ~pl.struct("buyer", "hs_code").map_elements(
            lambda r: (r["buyer"], r["hs_code"]) in charted, return_dtype=pl.Boolean
        )
    )
    if rest.is_empty():
        return ""
    latest = rest.join(
        rest.group_by(SERIES_KEYS).agg(pl.col("year").max()), on=[*SERIES_KEYS, "year"]
    )
    headings = sorted(set(latest["hs_code"]))
    order = {b: i for i, b in enumerate(FEATURED_BUYERS)}
    body = []
    for (buyer,), part in sorted(
        latest.group_by(["buyer"]), key=lambda kv: (order.get(str(kv[0][0]), 99), kv[0][0])
    ):
        cells = {r["hs_code"]: r for r in part.iter_rows(named=True)}
        first = part.row(0, named=True)
        tds = "".join(
            "<td class=num>"
            + (
                f"{fmt(c['china_share_value'], '.0%')} of "
                f"{fmt((c['buyer_value'] or 0) / 1e6, ',.2f')} M {c['currency']} ({c['year']})"
                f"<br><small>HHI {fmt(c['hhi_value'], ',.0f')}</small>"
                if (c := cells.get(h))
                else "–"
            )
            + "</td>"
            for h in headings
        )
        body.append(
            f"<tr><td>{html.escape(first['buyer_name'])} ({html.escape(str(buyer))})</td>{tds}</tr>"
        )
    heads = "".join(f"<th>HS {html.escape(h)}</th>" for h in headings)
    return (
        '<div class="other-buyers"><b>Other buyers and headings in the trade marts</b> '
        "(not charted): China's share of the import value, the value in the series' own "
        "currency (latest year) and the suppliers' HHI."
        f'<table class="data compact"><thead><tr><th>Buyer</th>{heads}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def buyer_exposure_chart(data: ReportData) -> Chart:
    """Per buyer: import value (China vs rest) beside China's share and the suppliers' HHI."""
    title = "Buyer exposure: import value and China's share, per buyer"
    source = "marts.buyer_supplier_shares, marts.buyer_exposure_chain"
    series = data.frame("buyer_series")
    if series is None:
        return Chart(
            "exposure",
            title,
            "",
            None,
            "No trade data: no buyer in the trade marts.",
            source=source,
        )
    charted = {(r["buyer"], r["hs_code"]) for r in headline_series(series)}
    shown = featured(series).filter(
        pl.struct("buyer", "hs_code").map_elements(
            lambda r: (r["buyer"], r["hs_code"]) in charted, return_dtype=pl.Boolean
        )
    )
    groups = list(shown.group_by(SERIES_KEYS, maintain_order=True))
    chain = data.frame("exposure_chain")
    fig = make_subplots(
        rows=len(groups),
        cols=3,
        horizontal_spacing=0.09,
        column_widths=[0.32, 0.32, 0.36],
        vertical_spacing=0.3 / max(1, len(groups)),
        subplot_titles=[
            t
            for _, g in groups
            for t in (
                f"{g['buyer'][0]} · HS {g['hs_code'][0]}"
                + (" · SYNTHETIC" if g["is_synthetic"][0] else "")
                + ("" if g["is_complete"].all() else " (incomplete)")
                + f": imports, M {g['currency'][0]}",
                "China's share (%) and supplier HHI",
                f"From China by group and province, {max(g['year'].to_list())}, "
                f"M {g['currency'][0]}",
            )
        ],
        specs=[[{}, {"secondary_y": True}, {}] for _ in groups],
    )
    flags: list[str] = []
    for row, (_, g) in enumerate(groups, start=1):
        first = g.row(0, named=True)
        synthetic = bool(first["is_synthetic"])
        cur = first["currency"]
        if synthetic:
            flags.append(SYNTHETIC_LABEL)
        incomplete = not g["is_complete"].all()
        if incomplete:
            flags.append(f"{first['buyer']} HS {first['hs_code']}: {INCOMPLETE_LABEL}")
        pattern = {"shape": ILLUSTRATIVE_PATTERN if synthetic or incomplete else ""}
        years = g["year"].to_list()
        rest = (g["buyer_value"] - g["china_value"]).to_list()
        fig.add_bar(
            row=row,
            col=1,
            x=years,
            y=(g["china_value"] / 1e6).to_list(),
            name="from China",
            legendgroup="china",
            showlegend=row == 1,
            marker={"color": CHINA_COLOR, "pattern": pattern},
            hovertemplate="%{x}: %{y:,.2f} M " + cur + " from China<extra></extra>",
        )
        fig.add_bar(
            row=row,
            col=1,
            x=years,
            y=[r / 1e6 for r in rest],
            name="from other suppliers",
            legendgroup="rest",
            showlegend=row == 1,
            marker={"color": OTHER_COLOR, "pattern": pattern},
            hovertemplate="%{x}: %{y:,.2f} M " + cur + " from others<extra></extra>",
        )
        fig.add_scatter(
            row=row,
            col=2,
            x=years,
            y=(g["china_share_value"] * 100).to_list(),
            mode="lines+markers",
            name="China's share of value (%)",
            legendgroup="share",
            showlegend=row == 1,
            line={"color": CHINA_COLOR},
            hovertemplate="%{x}: %{y:.1f}% from China<extra></extra>",
        )
        fig.add_scatter(
            row=row,
            col=2,
            x=years,
            y=g["hhi_value"].to_list(),
            mode="lines+markers",
            name="supplier HHI (0-10,000, right axis)",
            legendgroup="hhi",
            showlegend=row == 1,
            line={"color": "#444", "dash": "dot"},
            secondary_y=True,
            hovertemplate="%{x}: HHI %{y:,.0f}<extra></extra>",
        )
        fig.update_yaxes(title_text=f"M {cur}", row=row, col=1, rangemode="tozero")
        fig.update_yaxes(
            title_text="% from China", range=[0, 105], row=row, col=2, secondary_y=False
        )
        fig.update_yaxes(
            title_text="HHI", range=[0, 10500], row=row, col=2, secondary_y=True, showgrid=False
        )
        if chain is None:
            continue
        part = chain.filter(
            (pl.col("buyer") == first["buyer"])
            & (pl.col("hs_code") == first["hs_code"])
            & (pl.col("reporter_side") == first["reporter_side"])
            & (pl.col("source_id") == first["source_id"])
        )
        for i, holder in enumerate(part.iter_rows(named=True)):
            province = province_label(
                holder["province_name"], holder["province_name_zh"], "province unknown"
            )
            fig.add_bar(
                row=row,
                col=3,
                orientation="h",
                y=[holder["holder_id"]],
                x=[(holder["value_apportioned"] or 0) / 1e6],
                text=[f"{holder['holder_name']}<br>{province}"],
                textposition="outside",
                cliponaxis=False,
                showlegend=False,
                marker={"color": PALETTE[i % len(PALETTE)], "pattern": pattern},
                customdata=[[holder["holder_share"], holder["quota_year"]]],
                hovertemplate="%{y}: %{x:,.2f} M " + cur + " (%{customdata[0]:.1%} of "
                "quota year %{customdata[1]})<extra></extra>",
            )
        top = max([(v or 0) / 1e6 for v in part["value_apportioned"].to_list()] or [1.0])
        fig.update_xaxes(title_text=f"M {cur} apportioned", range=[0, top * 2.4], row=row, col=3)
        fig.update_yaxes(showticklabels=False, row=row, col=3)
    base_layout(fig, 120 + 300 * len(groups), barmode="stack")
    fig.update_xaxes(dtick=1, tickformat="d", col=1)
    fig.update_xaxes(dtick=1, tickformat="d", col=2)
    fig.update_layout(legend={"y": -0.3 / len(groups)})
    caption = (
        f"For the featured buyers ({', '.join(FEATURED_BUYERS)}, where in the marts), one row per "
        "buyer for its largest heading by value, in the series' own currency (US and Japan in "
        "USD from UN Comtrade; "
        "the EU and its members in EUR from Eurostat Comext; EUR and USD are never added or "
        "drawn on one axis): left, the buyer's import value per year (from China in red, other "
        "suppliers grey), so a fall in value shows beside the share; middle, China's share of "
        "that value (%) and the suppliers' HHI (0-10,000); right, the latest year's imports from "
        "China apportioned to China's groups by their quota share, with each group's "
        "headquarters province. Synthetic and incomplete series are hatched and labelled. The "
        "other headings and buyers are listed in the table below."
    )
    return Chart(
        "exposure",
        title,
        caption,
        fig,
        flags=tuple(dict.fromkeys(flags)),
        source=source,
        extra_html=_latest_table(series, charted),
    )


def scenarios_chart(data: ReportData) -> Chart:
    """Shortfall per buyer (latest year) for each precomputed cut, with the assumptions."""
    title = "Scenarios: shortfall per buyer when a province or group is cut"
    source = "marts.scenario_shortfall (table macro), marts.scenario_shortfall_assumptions"
    cuts, targets = data.scenarios, data.scenario_targets
    if cuts is None or targets is None:
        return Chart(
            "scenarios",
            title,
            "",
            None,
            "No trade data: no scenario can be computed.",
            source=source,
        )
    names = {
        t: province_label(n, z, t)
        for t, n, z in targets.select("target", "target_name", "target_name_zh").iter_rows()
    }
    series_frame = data.frame("buyer_series")
    charted = (
        {(r["buyer"], r["hs_code"]) for r in headline_series(series_frame)}
        if series_frame is not None
        else set()
    )
    incomplete = (
        {
            (b, h)
            for b, h in series_frame.filter(~pl.col("is_complete"))
            .select("buyer", "hs_code")
            .rows()
        }
        if series_frame is not None
        else set()
    )
    cuts = featured(cuts).filter(
        pl.struct("buyer", "hs_code").map_elements(
            lambda r: (r["buyer"], r["hs_code"]) in charted, return_dtype=pl.Boolean
        )
    )
    latest = cuts.join(
        cuts.group_by(["buyer", "hs_code", "reporter_side", "source_id"]).agg(pl.col("year").max()),
        on=["buyer", "hs_code", "reporter_side", "source_id", "year"],
        maintain_order="left",
    )
    series = latest.select(
        "buyer", "hs_code", "reporter_side", "source_id", "year", "is_synthetic", "currency"
    ).unique(maintain_order=True)
    order = [names.get(t, t) for t in targets["target"].to_list()]
    fig = make_subplots(
        rows=series.height,
        cols=1,
        vertical_spacing=0.35 / max(1, series.height),
        subplot_titles=[
            f"{b} · HS {h} · {r}-reported · {y} · M {c}"
            + (f" — {SYNTHETIC_LABEL}" if s else "")
            + (f" — {INCOMPLETE_LABEL}" if (b, h) in incomplete else "")
            for b, h, r, _, y, s, c in series.iter_rows()
        ],
    )
    for row, (buyer, hs, side, src, _, synthetic, cur) in enumerate(series.iter_rows(), start=1):
        part = latest.filter(
            (pl.col("buyer") == buyer)
            & (pl.col("hs_code") == hs)
            & (pl.col("reporter_side") == side)
            & (pl.col("source_id") == src)
        )
        for i, fraction in enumerate(sorted(set(part["cut_fraction"]))):
            cut = part.filter(pl.col("cut_fraction") == fraction)
            labels = [names.get(t, t) for t in cut["cut_target"].to_list()]
            fig.add_bar(
                row=row,
                col=1,
                orientation="h",
                y=labels,
                x=(cut["shortfall_value"] / 1e6).to_list(),
                name=f"cut {fraction:.0%}",
                legendgroup=f"f{fraction}",
                showlegend=row == 1,
                marker={
                    "color": PALETTE[i + 6],
                    "pattern": {"shape": ILLUSTRATIVE_PATTERN if synthetic else ""},
                },
                text=[fmt(s, ".1%") for s in cut["shortfall_share_of_imports"].to_list()],
                textposition="outside",
                customdata=cut.select("capacity_share_cut", "china_value", "quota_year").rows(),
                hovertemplate="%{y}, cut "
                + f"{fraction:.0%}"
                + ": shortfall %{x:,.2f} M "
                + cur
                + " "
                "(%{text} of imports)<br>capacity share cut %{customdata[0]:.1%} of quota year "
                "%{customdata[2]}<extra></extra>",
            )
        fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], row=row, col=1)
        fig.update_xaxes(title_text=f"shortfall, M {cur} of imports", row=row, col=1)
    height = 140 + (110 + 26 * len(order)) * series.height
    base_layout(fig, height, barmode="group")
    fig.update_layout(margin={"l": 240}, legend={"y": -90 / height})
    assumptions = data.frame("scenario_assumptions")
    listing = ""
    if assumptions is not None:
        items = "".join(f"<li>{html.escape(a)}</li>" for a in assumptions["assumption"].to_list())
        listing = (
            f'<div class="assumptions"><b>Assumptions of every scenario</b><ol>{items}</ol></div>'
        )
    caption = (
        "Each bar: the buyer's imports lost (in the series' currency: M USD for the US and "
        "Japan, M EUR for the EU and its members; latest trade year) if the province or group "
        "loses 10, 30 or 50 % of its capacity; the label gives the loss as a share of the "
        "buyer's imports of the heading. Jiangxi and Inner Mongolia count the groups "
        "headquartered there. A model under stated assumptions, not a forecast. Featured buyers "
        f"only ({', '.join(FEATURED_BUYERS)}, where in the marts), each for its largest "
        "heading by value."
    )
    return Chart("scenarios", title, caption, fig, source=source, extra_html=listing)


def _timeline_end(row: dict[str, object], today: date) -> date:
    end = row["suspended_from"] or today
    return end if isinstance(end, date) else today


def controls_chart(data: ReportData) -> Chart:
    """Timeline of the measures, the elements their items cover, and buyers' controlled imports."""
    title = "Export controls: measures, elements covered, buyers' imports in controlled headings"
    source = "core.export_controls, core.export_control_items, marts.controlled_trade"
    controls = data.frame("export_controls")
    if controls is None:
        return Chart(
            "controls", title, "", None, "No export-control measures published.", source=source
        )
    today = date.fromisoformat(data.as_of)
    dated = controls.filter(
        pl.col("date_effective").is_not_null() | pl.col("date_announced").is_not_null()
    )
    elements, trade = data.frame("control_elements"), data.frame("controlled_trade")
    if trade is not None:
        trade = featured(trade)
    currencies = sorted(set(trade["currency"])) if trade is not None else []
    fig = make_subplots(
        rows=2 + len(currencies),
        cols=1,
        vertical_spacing=0.08,
        row_heights=[0.4, 0.2] + [0.4 / max(1, len(currencies))] * len(currencies),
        subplot_titles=(
            "Measures: in force (solid), suspended (dotted, from the suspension)",
            "Elements covered by each measure's items",
            *(
                "Each buyer's imports from China in headings with a controlled line "
                f"(M {c}, UPPER BOUND)"
                for c in currencies
            ),
        ),
    )
    colors = {
        "in force": "#1b9e77",
        "suspended": "#e6ab02",
        "superseded or historic": OTHER_COLOR,
        "other": "#7570b3",
    }
    shown: set[str] = set()
    for row in dated.iter_rows(named=True):
        start = row["date_effective"] or row["date_announced"]
        label = f"{row['document']}"[:60]
        group = row["status_group"]
        end = _timeline_end(row, today) if group != "superseded or historic" else start
        if group == "suspended":
            group = "in force"  # in force until its suspension, drawn dotted after it
        fig.add_scatter(
            row=1,
            col=1,
            x=[start, end if end > start else start],
            y=[label, label],
            mode="lines+markers",
            line={"color": colors[group], "width": 8},
            marker={"size": 9},
            name=group,
            legendgroup=group,
            showlegend=group not in shown,
            hovertemplate=f"{html.escape(label)}<br>{html.escape(row['status'] or '')}<br>"
            f"effective {row['date_effective'] or 'n/a'} · source {row['source_id']}"
            "<extra></extra>",
        )
        shown.add(group)
        if row["suspended_from"]:
            until = row["suspended_until"] or today
            fig.add_scatter(
                row=1,
                col=1,
                x=[row["suspended_from"], until],
                y=[label, label],
                mode="lines",
                line={"color": colors["suspended"], "width": 8, "dash": "dot"},
                name="suspended",
                legendgroup="suspended-until",
                showlegend="suspended-until" not in shown,
                hovertemplate=f"suspended {row['suspended_from']} – {row['suspended_until']}"
                "<extra></extra>",
            )
            shown.add("suspended-until")
    if elements is not None:
        for suspended, part in elements.group_by(["is_suspended"], maintain_order=True):
            fig.add_scatter(
                row=2,
                col=1,
                x=part["element_symbol"].to_list(),
                y=part["document"].to_list(),
                mode="markers",
                name="element covered (suspended measure)" if suspended[0] else "element covered",
                marker={
                    "symbol": "square",
                    "size": 16,
                    "color": colors["suspended"] if suspended[0] else colors["in force"],
                },
                customdata=part.select("element_name", "items").rows(),
                hovertemplate="%{customdata[0]} (%{x}): %{customdata[1]} items<extra>%{y}</extra>",
            )
    for i, ((_, cur), part) in enumerate(
        [] if trade is None else trade.group_by(["buyer", "currency"], maintain_order=True)
    ):
        panel = 3 + currencies.index(str(cur))
        fig.add_bar(
            row=panel,
            col=1,
            x=part["year"].to_list(),
            y=(part["imports_from_china"] / 1e6).to_list(),
            name=f"{part['buyer_name'][0]} · HS {', '.join(sorted(set(part['hs6'])))}"
            " (upper bound)",
            marker={
                "color": PALETTE[i % len(PALETTE)],
                "pattern": {
                    "shape": ["" if c == "none" else "/" for c in part["control_coverage"]],
                },
            },
            text=["" if c == "none" else c for c in part["control_coverage"].to_list()],
            textposition="outside",
            hovertemplate="%{x}: ≤ %{y:,.2f} M " + str(cur) + " in controlled headings<br>"
            "control coverage %{text}<extra></extra>",
        )
    for panel, cur in enumerate(currencies, start=3):
        fig.update_xaxes(dtick=1, tickformat="d", row=panel, col=1)
        fig.update_yaxes(title_text=f"M {cur} (upper bound)", row=panel, col=1, rangemode="tozero")
    fig.update_xaxes(
        range=["2023-01-01", (today.replace(month=12, day=31)).isoformat()], row=1, col=1
    )
    fig.add_vline(
        x=today.isoformat(), row=1, col=1, line={"color": "#b00", "dash": "dash", "width": 1}
    )
    base_layout(fig, 800 + 250 * len(currencies), barmode="group")
    fig.update_layout(margin={"l": 330})
    undated = controls.height - dated.height
    caption = (
        "Top (from 2023; older measures run in from the left): each measure from its effective "
        "(or announcement) date to the report date, or to "
        "its suspension; historic or superseded measures are a dot. Middle: the elements named by "
        "each measure's items. "
        "Bottom, one panel per currency (never added together): each featured buyer's imports "
        "from China in the HS headings that contain a controlled line (M USD for the US, M EUR "
        "for the EU and its members), an UPPER BOUND, since a heading is wider than its "
        "controlled lines; hatched bars: a control was in force for part or all of the year."
        + (
            f" {undated} measure(s) without a published date are not on the timeline."
            if undated
            else ""
        )
    )
    return Chart("controls", title, caption, fig, source=source)
