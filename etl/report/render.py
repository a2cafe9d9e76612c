"""The report page: charts and tables into one self-contained HTML file, written atomically."""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from pathlib import Path
from string import Template

import duckdb
import plotly
import plotly.io as pio
import polars as pl
from plotly.offline import get_plotlyjs

from etl.core.warehouse import connect_with_retry
from etl.report.changes import key_figures, previews, read_previous, summary_json
from etl.report.charts import build_charts
from etl.report.data import read_report_data
from etl.report.models import (
    REPORT_FILE,
    SOURCE_KIND_LABELS,
    SUMMARY_FILE,
    TEMPLATE,
    Chart,
    KeyFigure,
    Report,
    ReportData,
)

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
STALE_DAYS = 365
NAV_LABELS = {
    "quotas": "Quotas",
    "holders": "Who holds",
    "jiangxi": "Jiangxi",
    "exposure": "Buyers",
    "buyer_shares": "Suppliers",
    "scenarios": "Scenarios",
    "controls": "Controls",
    "outside_china": "Outside China",
    "china_share": "Production",
    "production": "Editions",
    "supply_risk": "Supply risk",
    "reallocations": "Example",
}


def chart_section(chart: Chart) -> str:
    """One `<section>`: title, flags, caption, and the plot (or an empty panel saying why)."""
    flags = "".join(f'<span class="badge flag">{html.escape(f)}</span>' for f in chart.flags)
    if chart.figure is None:
        body = (
            f'<div class="empty-panel" id="chart-{chart.chart_id}" data-empty="true">'
            f"{html.escape(chart.empty_message)}</div>"
        )
    else:
        body = pio.to_html(
            chart.figure,
            include_plotlyjs=False,
            full_html=False,
            div_id=f"chart-{chart.chart_id}",
            config=PLOTLY_CONFIG,
        )
    caption = f'<p class="caption">{html.escape(chart.caption)}</p>' if chart.caption else ""
    source = (
        f'<p class="chart-source">Source mart: <code>{html.escape(chart.source)}</code></p>'
        if chart.source
        else ""
    )
    return (
        f'<section id="{chart.chart_id}" class="chart" '
        f'data-rendered="{str(chart.rendered).lower()}">'
        f"<h2>{html.escape(chart.title)}{flags}</h2>{caption}{body}{chart.extra_html}{source}"
        "</section>"
    )


def card(figure: KeyFigure) -> str:
    """A headline figure; a changed one shows the previous report's value."""
    previous = ""
    if figure.changed and figure.previous is not None:
        previous = f'<div class="previous">was {html.escape(figure.previous)}</div>'

    label = html.escape(figure.label)
    if figure.section:
        label = f'<a href="#{html.escape(figure.section)}">{label}</a>'
    source = ""
    if figure.source_id:
        sid = html.escape(figure.source_id)
        source = f'<div class="source">source <a href="#source-{sid}"><code>{sid}</code></a></div>'
    return (
        f'<div class="card{" changed" if figure.changed else ""}" data-key="{figure.key}">'
        f'<div class="label">{label}</div>'
        f'<div class="value">{html.escape(figure.value)}</div>{previous}'
        f'<div class="note">{html.escape(figure.note)}</div>{source}</div>'
    )


def _freshness(age: int | None) -> str:
    if age is None:
        return '<span class="undated">undated</span>'
    text = f"{age:,} days" if age < 2 * STALE_DAYS else f"{age / 365.25:.1f} years"
    return f'<span class="stale">{text} · stale</span>' if age > STALE_DAYS else text


def sources_table(sources: pl.DataFrame) -> str:
    """The sources as an HTML table (kind badge, publication date, age, rows citing it)."""
    head = (
        "<tr><th>source</th><th>title</th><th>publisher</th><th>kind</th>"
        "<th>published</th><th>age</th><th>rows citing it</th></tr>"
    )
    rows = []
    for row in sources.iter_rows(named=True):
        title = html.escape(row["title"] or "")
        if row["url"]:
            title = f'<a href="{html.escape(row["url"])}" rel="noreferrer">{title}</a>'
        kind = row["kind"] or ""
        sid = html.escape(row["source_id"])
        rows.append(
            f'<tr id="source-{sid}" data-kind="{html.escape(kind)}"><td><code>{sid}</code>'
            f"</td><td>{title}</td><td>{html.escape(row['publisher'] or '')}</td>"
            f'<td><span class="kind kind-{html.escape(kind)}">'
            f"{html.escape(SOURCE_KIND_LABELS.get(kind, kind))}</span></td>"
            f'<td class="date">{row["published_on"] or ""}</td>'
            f"<td>{_freshness(row['age_days'])}</td>"
            f'<td class="num">{row["cited_rows"]:,}</td></tr>'
        )
    return f'<table class="sources"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def render_html(
    data: ReportData,
    charts: list[Chart],
    figures: list[KeyFigure],
    generated_at: str,
    warehouse: str,
    snapshot: str,
    had_previous: bool,
) -> str:
    """The whole page, plotly.js embedded once in the head."""
    nav = "".join(
        f'<a href="#{anchor}">{html.escape(label)}</a>'
        for anchor, label in [("what-changed", "Headline")]
        + [(c.chart_id, NAV_LABELS.get(c.chart_id, c.title.split(":")[0])) for c in charts]
        + [("sources", "Sources")]
    )
    changed = [f for f in figures if f.changed]
    if not had_previous:
        changed_caption = "First report in this folder: headline figures, nothing to compare yet."
    elif changed:
        changed_caption = (
            f"{len(changed)} headline figure(s) changed since the previous report "
            "(highlighted, with the previous value)."
        )
    else:
        changed_caption = "No headline figure changed since the previous report."
    template = Template(TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(
        plotly_js=get_plotlyjs(),
        plotly_version=plotly.__version__,
        generated_at=html.escape(generated_at),
        warehouse=html.escape(warehouse),
        snapshot=html.escape(snapshot),
        as_of=data.as_of,
        nav=nav,
        changed_caption=html.escape(changed_caption),
        cards="".join(card(f) for f in figures if not f.key.startswith("rows.")),
        sections="\n".join(chart_section(c) for c in charts),
        sources_table=sources_table(data.sources),
        charts_expected=sum(c.rendered for c in charts),
    )


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, fsync it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def build_report(
    con: duckdb.DuckDBPyConnection,
    warehouse: str,
    previous: dict[str, str],
    snapshot: str = "",
    now: datetime | None = None,
) -> Report:
    """Read the marts, draw the charts and render the page (nothing written yet)."""
    now = now or datetime.now(UTC)
    data = read_report_data(con, now.date().isoformat())
    charts = build_charts(data)
    figures = key_figures(data, previous)
    generated_at = now.strftime("%Y-%m-%d %H:%M UTC")
    page = render_html(
        data, charts, figures, generated_at, warehouse, snapshot or "unknown", bool(previous)
    )
    return Report(page, charts, figures, data, previews(data, figures, bool(previous)))


def snapshot_time(published_warehouse: Path) -> str:
    """When the published snapshot was written (its file's modification time, UTC)."""
    written = datetime.fromtimestamp(published_warehouse.stat().st_mtime, UTC)
    return written.strftime("%Y-%m-%d %H:%M:%S UTC")


def write_report(published_warehouse: Path, report_dir: Path) -> tuple[Path, Report]:
    """Build the report from the published warehouse (read-only) into `<report_dir>/index.html`.

    `summary.json` beside it keeps the headline figures the next report compares with.
    """
    if not published_warehouse.exists():
        raise FileNotFoundError(
            f"{published_warehouse}: no published warehouse; materialize publish/warehouse first"
        )
    snapshot = snapshot_time(published_warehouse)
    con = connect_with_retry(published_warehouse, read_only=True)
    try:
        report = build_report(
            con, str(published_warehouse), read_previous(report_dir / SUMMARY_FILE), snapshot
        )
    finally:
        con.close()
    target = report_dir / REPORT_FILE
    write_atomic(target, report.html)
    write_atomic(
        report_dir / SUMMARY_FILE,
        summary_json(report.figures, datetime.now(UTC).isoformat(timespec="seconds")),
    )
    return target, report
