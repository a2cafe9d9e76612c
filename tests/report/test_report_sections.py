"""The analyst's sections in headless Chromium: each renders with data, and the figures it shows
are the marts' (computed here by our own SQL on the published warehouse, not by the report)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.report.models import FEATURED_BUYERS
from tests.report.browser import PageResult
from tests.report.conftest import BuiltReport
from tests.report.test_report import CHART_IDS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _rows(built: BuiltReport, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(built.settings.published_warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _sections(page: PageResult) -> dict[str, dict]:
    return {s["id"]: s for s in page.sections}


@pytest.mark.browser
def test_every_section_renders_with_data_and_a_screenshot(
    report_page: tuple[PageResult, Path],
) -> None:
    page, shot = report_page
    assert page.errors == [] and page.external_requests == [] and page.failed_requests == []
    sections = _sections(page)
    assert list(sections) == ["what-changed", *CHART_IDS, "sources"]
    for chart_id in CHART_IDS:
        section = sections[chart_id]
        assert section["rendered"] == "true" and section["empty"] == 0, chart_id
        assert section["height"] > 300, section
        assert "Source mart:" in section["text"], chart_id  # every chart names its marts
        png = page.section_shots[chart_id]
        assert png.startswith(PNG_MAGIC)
        assert abs(int.from_bytes(png[20:24], "big") - section["height"]) <= 1
        assert (shot.parent / f"section-{chart_id}.png").exists()


@pytest.mark.browser
def test_layout_sticky_header_fonts_and_no_test_footer(
    report_page: tuple[PageResult, Path],
) -> None:
    page, _ = report_page
    # the sources table's sticky header sits under the sticky navigation, not beneath it
    assert page.sticky["thTop"] >= page.sticky["navBottom"] > 0, page.sticky
    assert page.sticky["statusVisible"] is False
    assert "charts rendered" not in page.body_text
    assert "Noto Sans CJK SC" in page.fonts["family"]
    assert page.fonts["cjk"] is True  # fonts-noto-cjk (tests/report/ensure_chromium.sh)
    assert "Jiangxi 江西" in _sections(page)["holders"]["svgText"]


@pytest.mark.browser
def test_headline_uses_the_latest_annual_figures_with_names(
    report_page: tuple[PageResult, Path], built_report: BuiltReport
) -> None:
    page, _ = report_page
    text = _sections(page)["what-changed"]["text"]
    ((year, tonnes),) = _rows(
        built_report,
        "SELECT year, tonnes_reo FROM core.quotas WHERE scope = 'national' AND batch = 'annual'"
        " AND quota_type = 'mining' ORDER BY year DESC LIMIT 1",
    )
    assert f"{year}: {tonnes:,.0f} t" in text
    ((top_name,),) = _rows(
        built_report,
        "SELECT o.name FROM core.quotas AS q JOIN core.organisations AS o ON o.org_id = "
        "q.holder_id WHERE q.scope = 'group' AND q.quota_type = 'mining' AND q.year = ? "
        "AND q.ore_type = 'all' GROUP BY o.name ORDER BY sum(q.tonnes_reo) DESC LIMIT 1",
        [year],
    )
    assert f"{top_name}:" in text
    assert "batch 3" not in text and "china-northern-rare-earth" not in text
    assert "Largest group" in text


def test_cards_link_to_sections_and_sources(built_report: BuiltReport) -> None:
    page = built_report.path.read_text(encoding="utf-8")
    head = page[page.index('<section id="what-changed"') : page.index("</section>")]
    for target in ("quotas", "holders", "jiangxi", "exposure", "scenarios", "controls"):
        assert f'href="#{target}"' in head, target
        assert f'<section id="{target}"' in page
    for source_id in ("rareearthexchanges-a317f7", "comtrade-us-re-akashok1"):
        assert f'href="#source-{source_id}"' in head
        assert f'<tr id="source-{source_id}"' in page


@pytest.mark.browser
def test_jiangxi_flow_conserves_capacity_and_shows_the_stated_difference(
    report_page: tuple[PageResult, Path], built_report: BuiltReport
) -> None:
    page, _ = report_page
    section = _sections(page)["jiangxi"]
    ((summed, stated),) = _rows(
        built_report,
        "SELECT sum(new_capacity_t) FILTER (WHERE row_kind = 'project'), "
        "sum(new_capacity_t) FILTER (WHERE row_kind = 'stated_total') "
        "FROM core.capacity_replacements WHERE plan_id = 'JX-CR-2025'",
    )
    ((legs, transferred),) = _rows(
        built_report,
        "SELECT sum(tonnes_reo), sum(tonnes_reo) FILTER (WHERE leg_kind = 'transfer') "
        "FROM core.capacity_replacement_legs WHERE event_id LIKE 'JX-CR-2025-%'",
    )
    assert (summed, stated) == (14172, 11172)
    assert legs == summed  # every tonne of new capacity has a source leg
    for figure in (f"{summed:,.0f}", f"{stated:,.0f}", f"{summed - stated:+,.0f}"):
        assert figure in section["text"], figure
    assert f"{transferred:,.0f} → {transferred:,.0f} ✓" in section["text"]
    sankey = next(c for c in page.charts if c["id"] == "chart-jiangxi")
    for (name,) in _rows(
        built_report,
        "SELECT DISTINCT o.name FROM core.capacity_replacement_legs AS l "
        "JOIN core.organisations AS o ON o.org_id IN (l.from_holder_id, l.to_holder_id)",
    ):
        assert name in sankey["text"], name


# The EU's 27 members (EU27 is their imports from partners outside the EU, in EUR).
EU27_MEMBERS = [
    "AUT",
    "BEL",
    "BGR",
    "CYP",
    "CZE",
    "DEU",
    "DNK",
    "ESP",
    "EST",
    "FIN",
    "FRA",
    "GRC",
    "HRV",
    "HUN",
    "IRL",
    "ITA",
    "LTU",
    "LUX",
    "LVA",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "SWE",
]


def _buyer_totals(built: BuiltReport, buyer: str) -> list[tuple]:
    """(heading, year, currency, from China, total) of `buyer`'s imports, from the flows."""
    members = EU27_MEMBERS if buyer == "EU27" else [buyer]
    return _rows(
        built,
        "SELECT hs_code, year, currency, coalesce(sum(value) FILTER (WHERE exporter = 'CHN'), 0), "
        "sum(value) FROM marts.trade_flows WHERE list_contains(?, importer) "
        "AND reporter_side = 'importer' AND counts_as_origin AND code_kind <> 'group' "
        "AND (? = 'country' OR (currency = 'EUR' AND NOT list_contains(?, exporter))) "
        "GROUP BY ALL",
        [members, "bloc" if buyer == "EU27" else "country", members],
    )


@pytest.mark.browser
def test_buyer_exposure_and_scenarios_match_the_marts(
    report_page: tuple[PageResult, Path], built_report: BuiltReport
) -> None:
    page, _ = report_page
    sections = _sections(page)
    head = sections["what-changed"]["text"]
    exposure = sections["exposure"]["svgText"]
    scenarios = sections["scenarios"]["svgText"]
    present = {
        b
        for (b,) in _rows(
            built_report,
            "SELECT DISTINCT importer FROM marts.trade_flows "
            "WHERE reporter_side IN ('importer', 'reconciled') AND code_kind <> 'group'",
        )
    }
    shown = [b for b in FEATURED_BUYERS if b == "EU27" or b in present]
    assert {"USA", "EU27", "DEU"} <= set(shown)
    for buyer in shown:
        totals = _buyer_totals(built_report, buyer)
        latest = {h: max(y for h2, y, *_ in totals if h2 == h) for h, *_ in totals}
        rows = [t for t in totals if t[1] == latest[t[0]]]
        hs_code, year, currency, china, total = max(rows, key=lambda t: t[4])
        # the card of the buyer's largest heading, in its own currency
        assert f"{year}: {china / total:.0%} of {total / 1e6:,.1f} M {currency}" in head, buyer
        # charted: the buyer's largest heading; its other headings are in the table
        assert f"{buyer} · HS {hs_code}" in exposure, buyer
        assert f"{buyer} · HS {hs_code}" in scenarios
        # Jiangxi cut by 30 %: the groups headquartered there, apportioned, times 0.3
        ((jx,),) = _rows(
            built_report,
            "SELECT sum(value_apportioned) FROM marts.buyer_exposure_chain "
            "WHERE buyer = ? AND hs_code = ? AND year = ? AND province_id = 'CN-JX'",
            [buyer, hs_code, year],
        )
        assert f"{year}: {jx * 0.3 / 1e6:,.2f} M {currency} short" in head, buyer
    # Germany 2023, HS 284690: China's share of value, from Comext's flows (EUR)
    ((de_china, de_total),) = _rows(
        built_report,
        "SELECT sum(value) FILTER (WHERE exporter = 'CHN'), sum(value) FROM marts.trade_flows "
        "WHERE importer = 'DEU' AND hs_code = '284690' AND year = 2023 AND currency = 'EUR' "
        "AND reporter_side = 'importer' AND counts_as_origin",
    )
    assert f"2023: {de_china / de_total:.0%} of {de_total / 1e6:,.1f} M EUR" in head
    assert "M EUR" in exposure and "M USD" in exposure  # each axis names its currency
    if "JPN" in shown:
        assert "incomplete (UN Comtrade preview)" in sections["exposure"]["text"]
        assert "incomplete (UN Comtrade preview)" in scenarios
    # the buyers not charted are listed, each with China's share of its latest year
    text = sections["exposure"]["text"]
    assert "Other buyers and headings in the trade marts" in text
    for other in sorted(present - set(FEATURED_BUYERS)):
        assert f"({other})" in text, other
    ((be_china, be_total),) = _rows(
        built_report,
        "SELECT sum(value) FILTER (WHERE exporter = 'CHN'), sum(value) FROM marts.trade_flows "
        "WHERE importer = 'BEL' AND hs_code = '284690' AND currency = 'EUR' "
        "AND reporter_side = 'importer' AND counts_as_origin AND year = 2023",
    )
    assert f"{be_china / be_total:.0%} of {be_total / 1e6:,.2f} M EUR (2023)" in text
    assert "Inner Mongolia 内蒙古" in scenarios and "Jiangxi 江西" in scenarios
    text = _sections(page)["scenarios"]["text"]
    for (assumption,) in _rows(
        built_report, "SELECT assumption FROM marts.scenario_shortfall_assumptions"
    ):
        assert assumption in text


@pytest.mark.browser
def test_controls_and_capacity_outside_china_match_the_marts(
    report_page: tuple[PageResult, Path], built_report: BuiltReport
) -> None:
    page, _ = report_page
    sections = _sections(page)
    ((in_force, suspended),) = _rows(
        built_report,
        "SELECT count(*) FILTER (WHERE suspended_from IS NULL AND status ILIKE 'in force%'), "
        "count(*) FILTER (WHERE suspended_from IS NOT NULL) FROM core.export_controls",
    )
    assert f"{in_force} in force, {suspended} suspended" in sections["what-changed"]["text"]
    controls = sections["controls"]["svgText"]
    assert "UPPER BOUND" in controls and "(upper bound)" in controls
    # one panel per currency: EUR (the EU and its members) and USD (the US) never share an axis
    assert "M EUR, UPPER BOUND" in controls and "M USD, UPPER BOUND" in controls
    assert "M EUR (upper bound)" in controls and "M USD (upper bound)" in controls
    for (symbol,) in _rows(
        built_report, "SELECT DISTINCT element_symbol FROM core.export_control_items"
    ):
        assert symbol in controls
    outside = sections["outside_china"]["svgText"]
    units = _rows(
        built_report,
        "SELECT DISTINCT capacity_unit FROM core.facilities WHERE country_iso3 <> 'CHN'",
    )
    for (unit,) in units:
        assert f"unit: {unit}" in outside  # one panel per unit: units never added together
    assert "China · " not in outside
    production = sections["production"]["svgText"]
    for (edition,) in _rows(
        built_report, "SELECT DISTINCT edition FROM core.production WHERE country_iso3 = 'CHN'"
    ):
        assert f"MCS {edition}" in production


@pytest.mark.browser
def test_supply_risk_section_shows_the_mart(
    report_page: tuple[PageResult, Path], built_report: BuiltReport
) -> None:
    page, _ = report_page
    chart = next(c for c in page.charts if c["id"] == "chart-supply_risk")
    (n,) = _rows(
        built_report,
        "SELECT count(*) FROM marts.supply_risk WHERE variant = 'baseline' "
        "AND importer = 'EU27' AND sourcing_basis = 'eu_assessment' "
        "AND coalesce(supply_risk, published_supply_risk) IS NOT NULL",
    )[0]
    assert chart["marks"] >= n > 0
    assert "EU27 · processing · eu assessment" in chart["text"]
    assert "published by the EU" in chart["text"]  # published beside computed
    for importer in ("EU27", "USA", "DEU"):
        ((hs, year),) = _rows(
            built_report,
            "SELECT any_value(proxy_hs_code), max(trade_year) FROM marts.supply_risk "
            "WHERE importer = ? AND is_proxy AND variant = 'baseline'",
            [importer],
        )
        assert f"{importer} · processing · trade proxy HS {hs} ({year})" in chart["text"]
