"""Supply-side charts: who holds capacity, the real Jiangxi replacement, capacity outside China,
production by edition and net import reliance, supply risk."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from etl.report.chart_style import (
    CHINA_COLOR,
    PALETTE,
    base_layout,
)
from etl.report.models import (
    QUOTA_TYPE_LABELS,
    SUPPLY_RISK_IMPORTERS,
    Chart,
    ReportData,
    featured,
    fmt,
)

NO_DATA = "no data"


def province_label(name: str | None, name_zh: str | None, fallback: str) -> str:
    """'Jiangxi 江西' (the Chinese name rendered with the page's CJK font stack)."""
    if not name:
        return fallback
    return f"{name} {name_zh}" if name_zh else name


def _gap_years(present: set[int], span: range) -> list[int]:
    return [y for y in span if y not in present]


def holders_chart(data: ReportData, colors: dict[str, str]) -> Chart:
    """Share of each year's national annual quota by group and by province (annual axis)."""
    title = "Who holds China's quota: by group and by province"
    source = "marts.quota_by_holder, marts.quota_change, core.quotas, core.organisations"
    holders, national = data.holders_by_year, data.national_by_year
    provinces = data.frame("holders_by_province")
    if holders.is_empty() or national.is_empty():
        return Chart("holders", title, "", None, "No quota rows by holder.", source=source)
    quota_types = sorted(set(national["quota_type"]))
    all_years = national["year"].to_list()
    years = range(min(all_years), max(all_years) + 1)
    fig = make_subplots(
        rows=2,
        cols=len(quota_types),
        shared_xaxes=True,
        vertical_spacing=0.14,
        horizontal_spacing=0.06,
        subplot_titles=[f"{QUOTA_TYPE_LABELS.get(q, q)} · by group" for q in quota_types]
        + [f"{QUOTA_TYPE_LABELS.get(q, q)} · by province" for q in quota_types],
    )
    shown: set[str] = set()
    notes: list[str] = []
    province_colors: dict[str, str] = {}  # one colour per province in both bases
    for col, quota_type in enumerate(quota_types, start=1):
        nat = dict(
            national.filter(pl.col("quota_type") == quota_type)
            .select("year", "tonnes_reo")
            .iter_rows()
        )
        rows = holders.filter(pl.col("quota_type") == quota_type)
        own = range(min(nat), max(nat) + 1)  # this quota type's own published years
        gaps = _gap_years(set(rows["year"].to_list()), own)
        for holder_id in colors:
            series = rows.filter(pl.col("holder_id") == holder_id)
            if series.is_empty():
                continue
            by_year = dict(series.select("year", "tonnes_reo").iter_rows())
            shares = [
                by_year[y] / nat[y] * 100 if y in by_year and nat.get(y) else None for y in years
            ]
            name = series["holder_name"][0] or holder_id
            fig.add_scatter(
                row=1,
                col=col,
                x=list(years),
                y=shares,
                mode="lines+markers",
                connectgaps=False,
                name=name,
                legendgroup=holder_id,
                showlegend=holder_id not in shown,
                line={"color": colors[holder_id]},
                hovertemplate="%{x}: %{y:.1f}% of the national annual quota"
                f"<extra>{html.escape(name)}</extra>",
            )
            shown.add(holder_id)
        if gaps:
            notes.append(
                f"{QUOTA_TYPE_LABELS.get(quota_type, quota_type)}: no split by group published "
                f"for {', '.join(map(str, gaps))}"
            )
        if provinces is None:
            continue
        prov = provinces.filter(pl.col("quota_type") == quota_type)
        for (basis, province_id), series in prov.group_by(
            ["basis", "province_id"], maintain_order=True
        ):
            first = series.row(0, named=True)
            label = province_label(
                first["province_name"], first["province_name_zh"], "headquarters unknown"
            )
            by_year = dict(series.select("year", "share_of_national").iter_rows())
            official = basis == "official provincial split"
            fig.add_scatter(
                row=2,
                col=col,
                x=list(years),
                y=[by_year[y] * 100 if by_year.get(y) is not None else None for y in years],
                mode="markers" if official else "lines+markers",
                connectgaps=False,
                name=f"{label} · {basis}",
                legendgroup=f"p-{basis}-{province_id}",
                showlegend=f"p-{basis}-{province_id}" not in shown,
                marker={
                    "symbol": "diamond" if official else "circle",
                    "size": 9 if official else 6,
                    "color": province_colors.setdefault(
                        str(province_id), PALETTE[(len(province_colors) + 3) % len(PALETTE)]
                    ),
                },
                line={"color": province_colors[str(province_id)]},
                hovertemplate=f"%{{x}}: %{{y:.1f}}% of the national annual quota<extra>"
                f"{html.escape(label)} ({basis})</extra>",
            )
            shown.add(f"p-{basis}-{province_id}")
    base_layout(fig, 760)
    fig.update_layout(legend={"y": -0.08, "font": {"size": 11}})
    fig.update_xaxes(dtick=1, tickformat="d", range=[years.start - 0.5, years.stop - 0.5])
    fig.update_yaxes(title_text="% of national annual quota", col=1, rangemode="tozero")
    fig.update_yaxes(rangemode="tozero")
    caption = (
        "Each group's quota summed over the year's batches, as a share of the national annual "
        "total, on a plain annual axis (lines break where a year has no split: nothing is drawn "
        "across a gap). Below, the same by the province of each group's headquarters (circles, "
        "lines) and the official provincial split where one was published (diamonds). "
        "Unit: % of the national annual quota (t REO)."
    )
    note = "; ".join(notes)
    extra = f'<p class="note gap-note">Gaps: {html.escape(note)}.</p>' if note else ""
    return Chart("holders", title, caption, fig, source=source, extra_html=extra)


def jiangxi_chart(data: ReportData) -> Chart:
    """Sankey of the real capacity-replacement: which firm's capacity went to which project"""
    title = "The real Jiangxi capacity replacement: which firm's capacity moved where"
    source = "core.capacity_replacement_legs, core.capacity_replacements, marts.reallocation_ledger"
    legs, plans = data.frame("replacement_legs"), data.frame("replacement_plans")
    if legs is None or plans is None:
        return Chart(
            "jiangxi", title, "", None, "No capacity-replacement plan with legs.", source=source
        )
    sources = [
        f"{n} (retired)" if k == "own_replacement" else f"{n} (transfers out)"
        for n, k in legs.select("from_name", "leg_kind").iter_rows()
    ]
    targets = [f"{n} · project {e}" for n, e in legs.select("to_name", "event_id").iter_rows()]
    nodes = list(dict.fromkeys([*sources, *targets]))
    index = {n: i for i, n in enumerate(nodes)}
    kinds = legs["leg_kind"].to_list()
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            valuesuffix=" t",
            node={
                "label": nodes,
                "pad": 18,
                "thickness": 16,
                "color": ["#1f78b4" if n in targets else "#9e9e9e" for n in nodes],
            },
            link={
                "source": [index[s] for s in sources],
                "target": [index[t] for t in targets],
                "value": legs["tonnes_reo"].to_list(),
                "color": [
                    "rgba(31,120,180,0.35)" if k == "own_replacement" else "rgba(214,39,40,0.45)"
                    for k in kinds
                ],
                "customdata": kinds,
                "hovertemplate": "%{source.label} → %{target.label}<br>%{value} (%{customdata})"
                "<extra></extra>",
            },
        )
    )
    base_layout(fig, 460)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 20, "b": 20})
    rows = []
    for p in plans.iter_rows(named=True):
        province = province_label(p["province_name"], p["province_name_zh"], p["province_id"])
        balanced = p["ledger_in_t"] == p["ledger_out_t"] and (p["province_change_t"] or 0) == 0
        rows.append(
            f'<tr data-plan="{html.escape(p["plan_id"])}"><td>{html.escape(p["plan_id"])}</td>'
            f"<td>{html.escape(province)}</td><td class=num>{p['projects']}</td>"
            f'<td class="num" data-figure="summed">{fmt(p["summed_new_capacity_t"], ",.0f")}</td>'
            f'<td class="num" data-figure="legs">{fmt(p["legs_t"], ",.0f")}</td>'
            f'<td class="num">{fmt(p["own_replaced_t"], ",.0f")}</td>'
            f'<td class="num" data-figure="transferred">{fmt(p["transferred_t"], ",.0f")}</td>'
            f'<td class="num">{fmt(p["ledger_out_t"], ",.0f")} → {fmt(p["ledger_in_t"], ",.0f")}'
            f"{' ✓' if balanced else ' ✗'}</td>"
            f'<td class="num" data-figure="stated">{fmt(p["stated_total_t"], ",.0f")}</td>'
            f'<td class="num" data-figure="difference">'
            f"{fmt(p['summed_minus_stated_t'], '+,.0f')}</td>"
            f"<td><code>{html.escape(p['source_id'] or '')}</code></td></tr>"
        )
    extra = (
        '<table class="data proof"><thead><tr><th>plan</th><th>province</th><th>projects</th>'
        "<th>new capacity, projects summed (t)</th><th>legs summed (t)</th>"
        "<th>own capacity replaced (t)</th><th>transferred (t)</th>"
        "<th>transfers out → in, ledger (t)</th><th>total stated by the plan (t)</th>"
        "<th>summed − stated (t)</th><th>source</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="note">Conservation: each project\'s new capacity equals its own capacity '
        "replaced plus the capacity transferred to it, and every tonne transferred out of one firm "
        "arrives at another (the province total does not change). The plan's stated total differs "
        "from the sum of its projects: the difference is shown, not corrected.</p>"
    )
    caption = (
        "Smelting & separation capacity (t REO per year) in the Jiangxi capacity-replacement plan "
        "published for comment (press report of the provincial notice): grey nodes are the firms "
        "giving up capacity, blue the receiving projects; blue links are a firm's own capacity "
        "retired and replaced, red links capacity transferred from another firm."
    )
    return Chart("jiangxi", title, caption, fig, source=source, extra_html=extra)


def capacity_outside_china_chart(data: ReportData) -> Chart:
    """Published capacity by country and stage, one panel per unit (units never mixed)."""
    title = "Capacity outside China, by country and stage"
    source = "marts.capacity_by_stage"
    cap = data.frame("capacity_by_stage")
    if cap is None or cap.filter(pl.col("outside_china")).is_empty():
        return Chart(
            "outside_china", title, "", None, "No facility capacity published.", source=source
        )
    cap = cap.filter(pl.col("outside_china"))
    units = sorted(set(cap["capacity_unit"]))
    # each panel as tall as its rows (a one-row unit gets a thin panel, not a fifth of the chart)
    heights = [
        cap.filter(pl.col("capacity_unit") == u).select("country_name", "stage").unique().height + 1
        for u in units
    ]
    fig = make_subplots(
        rows=len(units),
        cols=1,
        vertical_spacing=0.32 / max(1, len(units)),
        row_heights=[h / sum(heights) for h in heights],
        subplot_titles=[f"unit: {u}" for u in units],
    )
    bases = sorted(set(cap["basis"]))
    colors = {b: PALETTE[i % len(PALETTE)] for i, b in enumerate(bases)}
    shown: set[str] = set()
    for row, unit in enumerate(units, start=1):
        part = cap.filter(pl.col("capacity_unit") == unit).sort("country_name", "stage")
        for basis in bases:
            series = part.filter(pl.col("basis") == basis)
            if series.is_empty():
                continue
            labels = [f"{c} · {s}" for c, s in series.select("country_name", "stage").iter_rows()]
            upper = (series["capacity_max"] - series["capacity"]).to_list()
            fig.add_bar(
                row=row,
                col=1,
                orientation="h",
                y=labels,
                x=series["capacity"].to_list(),
                name=basis,
                legendgroup=basis,
                showlegend=basis not in shown,
                marker={"color": colors[basis]},
                error_x={
                    "type": "data",
                    "array": upper,
                    "arrayminus": [0] * len(upper),
                    "visible": any(u for u in upper),
                },
                customdata=series.select("facilities", "source_ids").rows(),
                hovertemplate=f"%{{y}}: %{{x:,.0f}} {unit} ({basis})<br>%{{customdata[0]}} "
                "facilities · %{customdata[1]}<extra></extra>",
            )
            shown.add(basis)
    base_layout(fig, 120 + 34 * sum(heights) + 70 * len(units), barmode="group")
    fig.update_layout(margin={"l": 230})
    caption = (
        "Each facility's latest published capacity per country, stage, unit and basis "
        "(nameplate, target, actual, estimate), summed over facilities only within the same unit "
        "and basis; one panel per unit, so t REO, t NdPr oxide, t magnets and others are never "
        "added. Whiskers reach the upper end of a published range."
    )
    return Chart("outside_china", title, caption, fig, source=source)


def production_editions_chart(data: ReportData) -> Chart:
    """China's share of world production by USGS edition, and net import reliance."""
    title = "Production: China's share by USGS edition, and net import reliance"
    source = "marts.production_revisions, marts.net_import_reliance"
    editions, nir = data.frame("production_editions"), data.frame("net_import_reliance")
    if editions is None and nir is None:
        return Chart("production", title, "", None, "No USGS editions published.", source=source)
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=(
            "China's share of world mine production, by edition",
            "Net import reliance, by edition",
        ),
    )
    if editions is not None:
        for i, ((edition,), series) in enumerate(
            editions.group_by(["edition"], maintain_order=True)
        ):
            fig.add_scatter(
                row=1,
                col=1,
                x=series["year"].to_list(),
                y=(series["share_of_world"] * 100).to_list(),
                mode="lines+markers",
                name=f"MCS {edition}",
                line={"color": PALETTE[i % len(PALETTE)]},
                customdata=series.select("tonnes_reo", "previous_edition", "change_t").rows(),
                hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]:,.0f} t REO)<br>revision from "
                "edition %{customdata[1]}: %{customdata[2]:+,.0f} t<extra>%{fullData.name}</extra>",
            )
    no_number: list[str] = []
    if nir is not None:
        for i, ((country, item, edition), series) in enumerate(
            nir.group_by(["country_iso3", "item", "edition"], maintain_order=True)
        ):
            if series["nir_pct"].is_null().all():
                no_number.append(f"{country} {item.replace('_', ' ')} (MCS {edition})")
                continue
            values = series["nir_pct"].to_list()
            text = [
                "net exporter" if e else (q or "")
                for q, e in series.select("qualifier", "is_net_exporter").iter_rows()
            ]
            fig.add_scatter(
                row=1,
                col=2,
                x=series["year"].to_list(),
                y=values,
                mode="lines+markers+text",
                textposition="bottom center",
                name=f"{country} {item.replace('_', ' ')} · MCS {edition}",
                line={
                    "color": PALETTE[(i + 4) % len(PALETTE)],
                    "dash": "solid" if item == "compounds_and_metals" else "dot",
                },
                text=[t if t in (">", "<") else "" for t in text],
                customdata=text,
                hovertemplate="%{x}: %{customdata}%{y}%<extra>%{fullData.name}</extra>",
            )
    base_layout(fig, 440)
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(title_text="% of world production", row=1, col=1, range=[0, 100])
    fig.update_yaxes(title_text="% of apparent consumption", row=1, col=2, range=[0, 105])
    caption = (
        "Left: China's mine production as a share of the world total (%, from t REO) in each "
        "USGS Mineral Commodity Summaries edition; where editions disagree on a year the lines "
        "part (revisions). Right: net import reliance (% of apparent consumption) as each edition "
        "states it; '>' marks a lower bound (e.g. '>95'); years where the country is a net "
        "exporter or the value is not applicable have no point."
    )
    extra = (
        f'<p class="note">No percentage published (net exporter or not applicable): '
        f"{html.escape(', '.join(no_number))}.</p>"
        if no_number
        else ""
    )
    return Chart("production", title, caption, fig, source=source, extra_html=extra)


def supply_risk_chart(data: ReportData) -> Chart | None:
    """Supply risk by material and stage (baseline); None when marts.supply_risk is absent."""
    risk = data.frame("supply_risk")
    if risk is None:
        return None
    title = "Supply risk by element and stage"
    risk = featured(risk, "importer").filter(pl.col("importer").is_in(SUPPLY_RISK_IMPORTERS))
    fig = go.Figure()
    for i, ((name,), series) in enumerate(risk.group_by(["series"], maintain_order=True)):
        stage = series["stage"][0]
        fig.add_scatter(
            x=series["material"].to_list(),
            y=series["shown_supply_risk"].to_list(),
            mode="markers",
            name=str(name),
            marker={
                "size": 10,
                "color": PALETTE[i % len(PALETTE)],
                "symbol": "circle" if stage == "processing" else "square",
            },
            text=series["value_label"].to_list(),
            hovertemplate="%{x}: SR %{y:.2f}<br>%{text}<extra>%{fullData.name}</extra>",
        )
    published = risk.filter(
        ~pl.col("is_proxy")
        & pl.col("supply_risk").is_not_null()
        & pl.col("published_supply_risk").is_not_null()
    )
    if not published.is_empty():
        fig.add_scatter(
            x=published["material"].to_list(),
            y=published["published_supply_risk"].to_list(),
            mode="markers",
            name="EU27 · published by the EU (beside the computed value)",
            marker={"size": 12, "color": "rgba(0,0,0,0)", "line": {"color": "#222", "width": 1.5}},
            hovertemplate="%{x}: published SR %{y:.2f}<extra></extra>",
        )
    fig.add_hline(
        y=1,
        line={"color": CHINA_COLOR, "dash": "dash", "width": 1},
        annotation_text="1.0: EU criticality threshold",
        annotation_position="top left",
    )
    base_layout(fig, 560)
    fig.update_yaxes(title_text="supply risk (index, no unit)", rangemode="tozero")
    fig.update_layout(margin={"b": 110}, legend={"y": -0.3})
    caption = (
        "EU supply-risk index (no unit; critical at 1.0 or more) per element and stage, baseline "
        "variant: the EU's own assessment (computed where the bundled inputs allow, the "
        "published value otherwise; hollow circles: the EU's published value beside the "
        "computed one), and, as a TRADE PROXY, each importer's latest trade year "
        f"({', '.join(SUPPLY_RISK_IMPORTERS)}: sourcing from its imports of one HS heading, "
        "processing only; EU27 and members from Eurostat Comext, the US from UN Comtrade). A "
        "proxy is not the EU's assessment (hover gives each value's label); the other EU "
        "members' proxies are in marts.supply_risk."
    )
    return Chart("supply_risk", title, caption, fig, source="marts.supply_risk")
