"""The HTML report: written by its asset, self-contained, and rendered in headless Chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.definitions import build_defs
from etl.report.checks import external_fetches
from etl.report.data import MissingMartError, existing_tables, read_report_data
from etl.report.models import (
    BUYER_SUPPLIER_SHARES,
    ILLUSTRATIVE_LABEL,
    OPTIONAL_TABLES,
    REPORT_KEY,
    REQUIRED_TABLES,
    SUMMARY_FILE,
)
from etl.report.render import write_atomic, write_report
from etl.settings import Settings
from tests.report.browser import PageResult, open_page
from tests.report.conftest import BuiltReport

CHART_IDS = (
    "quotas",
    "holders",
    "jiangxi",
    "exposure",
    "buyer_shares",
    "scenarios",
    "controls",
    "outside_china",
    "china_share",
    "production",
    "supply_risk",
    "reallocations",
)
# Sections that need the trade marts (empty panels without them).
TRADE_SECTIONS = {"exposure", "buyer_shares", "scenarios"}
TRADE_TABLES = (
    "marts.buyer_supplier_shares",
    "marts.trade_flows",
    "marts.buyer_exposure_chain",
    "marts.controlled_trade",
    "marts.scenario_shortfall_assumptions",
)
PREVIEWS = (
    "what_changed",
    "latest_batch_vs_previous",
    "concentration_latest_two_batches",
    "reallocation_ledger",
    "china_share_of_world_production",
    "sources_by_kind",
    "buyer_supplier_shares",
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start : page.index("</section>", start)]


def test_report_asset_is_declared_with_its_lineage(tmp_path: Path) -> None:
    defs = build_defs(Settings.under(tmp_path))
    spec = next(s for s in defs.resolve_all_asset_specs() if s.key == REPORT_KEY)
    assert spec.group_name == "report"
    deps = {d.asset_key.to_user_string() for d in spec.deps}
    assert {"marts/quota_by_holder", "marts/reallocation_ledger", "marts/world_production"} <= deps


def test_report_file_is_one_self_contained_page(built_report: BuiltReport) -> None:
    page = built_report.path.read_text(encoding="utf-8")
    assert external_fetches(page) == []
    assert page.count("window.PlotlyConfig") == 1  # plotly.js embedded exactly once
    assert "cdn.plot.ly" not in page.split("</head>")[1]
    for chart_id in CHART_IDS:
        assert f'<section id="{chart_id}"' in page
    assert '<section id="sources"' in page
    leftovers = [p.name for p in built_report.path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_report_checks_pass(built_report: BuiltReport) -> None:
    assert built_report.checks == {"self_contained": True, "illustrative_marked": True}


def test_illustrative_reallocations_are_labelled(built_report: BuiltReport) -> None:
    section = _section(built_report.path.read_text(encoding="utf-8"), "reallocations")
    assert "jx-illustrative-2024-01" in section
    assert ILLUSTRATIVE_LABEL in section
    assert '"shape":"x"' in section.replace(" ", "")  # cross-hatched bars


def test_sources_table_shows_kind_and_freshness(built_report: BuiltReport) -> None:
    section = _section(built_report.path.read_text(encoding="utf-8"), "sources")
    with duckdb.connect(str(built_report.settings.published_warehouse), read_only=True) as con:
        kinds = dict(
            con.execute("SELECT kind, count(*) FROM core.sources GROUP BY kind").fetchall()
        )
    for kind, count in kinds.items():
        assert section.count(f'data-kind="{kind}">') == count
    assert "usgs-mcs2024-rare-earths" in section and "2024-01-31" in section
    assert "undated" in section


def test_asset_metadata_answers_what_changed(built_report: BuiltReport) -> None:
    meta = built_report.metadata
    assert meta["path"].value == str(built_report.path)
    assert meta["url"].value == built_report.path.resolve().as_uri()
    assert meta["charts_rendered"].value == len(CHART_IDS)
    rows = meta["mart_rows"].value
    assert isinstance(rows, dict) and rows["marts.quota_by_holder"] > 0
    assert meta["dagster/row_count"].value == sum(rows.values())
    for name in PREVIEWS:
        assert str(meta[name].value).strip(), name
    latest = str(meta["latest_batch_vs_previous"].value)
    assert "| 2023 | 3 | mining | national |" in latest and "-105000.0" in latest
    assert "China's share of world mine production" in str(meta["what_changed"].value)


@pytest.mark.browser
def test_every_chart_renders_without_errors_in_chromium(
    report_page: tuple[PageResult, Path],
) -> None:
    page, _ = report_page
    assert page.status["done"] == "true", page.status
    assert page.errors == []
    assert page.status["chartsRendered"] == page.status["chartsExpected"] == str(len(CHART_IDS))
    assert {c["id"] for c in page.charts} == {f"chart-{i}" for i in CHART_IDS}
    for chart in page.charts:
        assert chart["svgs"] > 0 and chart["traces"] > 0 and chart["marks"] > 0, chart
        assert chart["width"] > 300 and chart["height"] > 200, chart


@pytest.mark.browser
def test_report_fetches_nothing_when_opened(report_page: tuple[PageResult, Path]) -> None:
    page, _ = report_page
    assert page.requests, "the page load itself should be recorded"
    assert page.external_requests == []
    assert page.failed_requests == []


@pytest.mark.browser
def test_illustrative_label_is_visible_in_the_rendered_chart(
    report_page: tuple[PageResult, Path],
) -> None:
    page, _ = report_page
    realloc = next(c for c in page.charts if c["id"] == "chart-reallocations")
    assert ILLUSTRATIVE_LABEL in realloc["text"]
    assert "ILLUSTRATIVE" in realloc["text"]


@pytest.mark.browser
def test_screenshot_is_saved(report_page: tuple[PageResult, Path]) -> None:
    _, shot = report_page
    data = shot.read_bytes()
    assert data.startswith(PNG_MAGIC)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 1400 and height > 3000, (width, height)


@pytest.mark.browser
def test_harness_catches_errors_and_network_requests(tmp_path: Path, chromium: str) -> None:
    """Negative control: the browser checks above can fail."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<html><body><script>console.error('boom'); undefinedFunction();</script>"
        '<img src="http://127.0.0.1:9/never.png"></body></html>',
        encoding="utf-8",
    )
    result = open_page(page.as_uri(), chromium, timeout=20)
    assert result.status == {"done": "missing"}
    assert any("boom" in e for e in result.console_errors)
    assert any("undefinedFunction" in e for e in result.exceptions)
    assert result.external_requests == ["http://127.0.0.1:9/never.png"]


@pytest.fixture
def warehouse_without_trade(built_report: BuiltReport, tmp_path: Path) -> Path:
    """A copy of the published warehouse with the trade marts dropped."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_report.settings.published_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        for table in TRADE_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return copy


@pytest.mark.browser
def test_without_trade_marts_the_buyer_chart_says_so(
    warehouse_without_trade: Path, tmp_path: Path, chromium: str
) -> None:
    path, report = write_report(warehouse_without_trade, tmp_path / "report")
    assert report.data.buyer_shares is None
    text = path.read_text(encoding="utf-8")
    for section_id in TRADE_SECTIONS:
        section = _section(text, section_id)
        assert 'class="empty-panel"' in section and "No trade data" in section, section_id
    rendered = {c.chart_id for c in report.charts if c.rendered}
    assert rendered == set(CHART_IDS) - TRADE_SECTIONS
    page = open_page(path.as_uri(), chromium)
    assert page.errors == [] and page.external_requests == []
    assert page.status["chartsRendered"] == page.status["chartsExpected"] == str(len(rendered))
    assert "No trade data" in report.previews["buyer_supplier_shares"]


@pytest.mark.browser
def test_empty_marts_give_empty_panels_not_errors(
    built_report: BuiltReport, tmp_path: Path, chromium: str
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_report.settings.published_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        present = existing_tables(con)
        for table in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
            if table.startswith("marts.") and table in present:
                con.execute(f"DELETE FROM {table}")
    path, report = write_report(copy, tmp_path / "report")
    # only the sections read from core tables (the Jiangxi plan, the measures) still draw
    assert [c.chart_id for c in report.charts if c.rendered] == ["jiangxi", "controls"]
    page_text = path.read_text(encoding="utf-8")
    # supply risk is left out without rows; every other mart-only section is an empty panel
    assert '<section id="supply_risk"' not in page_text
    assert page_text.count('class="empty-panel"') == len(CHART_IDS) - 3
    page = open_page(path.as_uri(), chromium)
    assert page.errors == [] and page.status["chartsRendered"] == "2"


def test_second_report_highlights_changed_figures(built_report: BuiltReport, tmp_path: Path):
    target = tmp_path / "report"
    _, first = write_report(built_report.settings.published_warehouse, target)
    assert "nothing to compare" in first.previews["what_changed"]
    summary = json.loads((target / SUMMARY_FILE).read_text(encoding="utf-8"))
    real = summary["figures"]["china_share_of_world"]
    summary["figures"]["china_share_of_world"] = "2021: 60% (168,000 t)"
    (target / SUMMARY_FILE).write_text(json.dumps(summary), encoding="utf-8")
    path, second = write_report(built_report.settings.published_warehouse, target)
    changed = [f.key for f in second.figures if f.changed]
    assert changed == ["china_share_of_world"]
    page = path.read_text(encoding="utf-8")
    assert 'class="card changed" data-key="china_share_of_world"' in page
    assert "was 2021: 60% (168,000 t)" in page and real in page
    assert "**yes**" in second.previews["what_changed"]


def test_missing_marts_are_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with duckdb.connect(str(empty), read_only=True) as con, pytest.raises(MissingMartError) as err:
        read_report_data(con, "2026-01-01")
    assert "marts.quota_by_holder" in str(err.value) and BUYER_SUPPLIER_SHARES not in str(err.value)


def test_failed_write_keeps_the_previous_report(tmp_path: Path) -> None:
    target = tmp_path / "index.html"
    write_atomic(target, "<p>previous</p>")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "<p>\ud800</p>")  # a lone surrogate cannot be encoded mid-write
    assert target.read_text(encoding="utf-8") == "<p>previous</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


@pytest.mark.parametrize(
    ("snippet", "external"),
    [
        ('<script src="https://cdn.plot.ly/plotly.min.js"></script>', True),
        ('<link rel="stylesheet" href="//fonts.example.org/a.css">', True),
        ("<style>body { background: url('http://example.org/x.png') }</style>", True),
        ('<img src="http://example.org/x.png">', True),
        ('<a href="https://pubs.usgs.gov/">USGS</a>', False),
        ('<img src="data:image/png;base64,AAAA">', False),
        ("<script>var x = 1;</script>", False),
    ],
)
def test_external_fetches_are_detected(snippet: str, external: bool) -> None:
    assert bool(external_fetches(snippet)) is external
