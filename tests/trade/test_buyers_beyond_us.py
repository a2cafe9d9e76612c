"""Buyers beyond the US: EU members and EU27 (Comext, EUR), Japan (2846 heading, incomplete),
the US on three codes, China's monthly group exports, mirror flows, landed files.

Every expected figure is computed here from the bundled or landed file itself (csv module),
not copied from the pipeline's output.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from etl.settings import BUNDLED_DATA
from etl.trade.assets import (
    buyer_supplier_shares,
    comext,
    comtrade_annual,
    mirror_discrepancy,
    trade_flows_mart,
    trade_flows_yearly,
)
from etl.trade.models import EU27_ISO3
from tests.trade.conftest import query, run

TRADE = BUNDLED_DATA / "trade"
COMEXT = TRADE / "trade_eu27_imports_by_member_partner_cn8_2022_2023_comext.csv"
US = TRADE / "trade_us_imports_by_partner_hs280530_284610_284690_2018_2025.csv"
JAPAN = TRADE / "trade_japan_imports_hs2846_by_partner_2022_2024_comtrade_preview.csv"
GROUPS = TRADE / "trade_china_exports_re_group_by_partner_monthly_2017_2024.csv"
COMTRADE_PLUS = (
    Path(__file__).parent / "fixtures" / "comtrade_plus_usa_chn_2846_280530_2020_2024.csv"
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def comext_share(members: set[str], year: str, hs6: str, extra_eu: bool) -> tuple[float, float]:
    """(China's value, all partners' value) in EUR from the Comext file."""
    total = china = 0.0
    for r in rows(COMEXT):
        if r["reporter_iso3"] not in members or r["year"] != year or r["hs6_code"] != hs6:
            continue
        if extra_eu and r["partner_iso3"] in EU27_ISO3:
            continue
        total += float(r["value_eur"])
        china += float(r["value_eur"]) if r["partner_iso3"] == "CHN" else 0.0
    return china, total


def shares_row(published, buyer: str, year: int, hs_code: str) -> tuple:
    return published.execute(
        "SELECT value, buyer_value, china_share_value, currency, value_usd, buyer_value_usd, "
        "hhi_value, is_complete, code_kind, buyer_kind FROM marts.buyer_supplier_shares "
        "WHERE buyer = ? AND year = ? AND hs_code = ? AND supplier = 'CHN'",
        [buyer, year, hs_code],
    ).fetchone()


def test_germany_2023_china_share_of_284690_across_all_partners(published):
    china, total = comext_share({"DEU"}, "2023", "284690", extra_eu=False)
    value, buyer_value, share, currency, usd, buyer_usd, _, _, kind, buyer_kind = shares_row(
        published, "DEU", 2023, "284690"
    )
    assert (currency, usd, buyer_usd, kind, buyer_kind) == ("EUR", None, None, "hs6", "country")
    assert value == pytest.approx(china) and buyer_value == pytest.approx(total)
    assert share == pytest.approx(china / total)
    assert round(100 * share, 1) == round(100 * china / total, 1)


def test_eu27_2023_china_share_of_284690_counts_extra_eu_partners_only(published):
    china, total = comext_share(set(EU27_ISO3), "2023", "284690", extra_eu=True)
    _, all_partners = comext_share(set(EU27_ISO3), "2023", "284690", extra_eu=False)
    assert all_partners > total  # intra-EU trade exists and is left out
    value, buyer_value, share, currency, usd, _, _, _, _, buyer_kind = shares_row(
        published, "EU27", 2023, "284690"
    )
    assert (currency, usd, buyer_kind) == ("EUR", None, "bloc")
    assert value == pytest.approx(china) and buyer_value == pytest.approx(total)
    assert share == pytest.approx(china / total)
    [(intra,)] = published.execute(
        "SELECT count(*) FROM marts.buyer_supplier_shares WHERE buyer = 'EU27' "
        "AND list_contains(?, supplier)",
        [list(EU27_ISO3)],
    ).fetchall()
    assert intra == 0


def test_every_eu_member_in_the_file_is_a_buyer(published):
    members = {r["reporter_iso3"] for r in rows(COMEXT)}
    found = {
        b
        for (b,) in published.execute(
            "SELECT DISTINCT buyer FROM marts.buyer_supplier_shares WHERE currency = 'EUR'"
        ).fetchall()
    }
    assert len(members) == 27 and found == members | {"EU27"}


def test_hhi_is_computed_within_one_currency(published):
    year, hs6 = "2023", "280530"
    values: dict[str, float] = defaultdict(float)
    for r in rows(COMEXT):
        if r["reporter_iso3"] == "FRA" and r["year"] == year and r["hs6_code"] == hs6:
            values[r["partner_iso3"]] += float(r["value_eur"])
    total = sum(values.values())
    expected = sum((100 * v / total) ** 2 for v in values.values())
    [(hhi, n)] = published.execute(
        "SELECT any_value(hhi_value), count(*) FROM marts.buyer_supplier_shares "
        "WHERE buyer = 'FRA' AND year = 2023 AND hs_code = '280530' AND currency = 'EUR'"
    ).fetchall()
    assert n == len(values) and hhi == pytest.approx(expected, abs=1e-6)


def test_cn8_codes_are_kept_beside_their_hs6(published):
    expected = {
        (r["cn8_code"], r["hs6_code"])
        for r in rows(COMEXT)
        if r["reporter_iso3"] == "DEU" and r["year"] == "2023"
    }
    found = set(
        published.execute(
            "SELECT DISTINCT cn_code, hs_code FROM marts.trade_flows "
            "WHERE importer = 'DEU' AND year = 2023 AND currency = 'EUR'"
        ).fetchall()
    )
    assert found == expected and all(c[:6] == h for c, h in found)


def test_us_2024_imports_from_china_of_280530(published):
    [expected] = [
        float(r["value_usd"])
        for r in rows(US)
        if (r["year"], r["hs_code"], r["partner_iso3"]) == ("2024", "280530", "CHN")
    ]
    total = sum(
        float(r["value_usd"]) for r in rows(US) if (r["year"], r["hs_code"]) == ("2024", "280530")
    )
    value, _buyer_value, share, currency, usd, buyer_usd, *_ = shares_row(
        published, "USA", 2024, "280530"
    )
    assert (currency, usd, value, buyer_usd) == ("USD", expected, expected, total)
    assert share == pytest.approx(expected / total)


def test_japan_2846_is_a_heading_flagged_incomplete(published):
    japan = [r for r in rows(JAPAN) if r["year"] == "2023"]
    china = sum(float(r["value_usd"]) for r in japan if r["partner_iso3"] == "CHN")
    total = sum(float(r["value_usd"]) for r in japan)
    value, _buyer_value, share, currency, *_, complete, kind, _ = shares_row(
        published, "JPN", 2023, "2846"
    )
    assert (currency, complete, kind) == ("USD", False, "heading")
    assert value == pytest.approx(china) and share == pytest.approx(china / total)
    # Japan's 2022 file has no China row: no China row is invented (a missing row is not zero)
    assert shares_row(published, "JPN", 2022, "2846") is None
    [(children,)] = published.execute(
        "SELECT count(*) FROM marts.buyer_supplier_shares WHERE buyer = 'JPN' "
        "AND hs_code IN ('284610', '284690')"
    ).fetchall()
    assert children == 0


def test_china_group_exports_stay_a_group_in_the_mirror(published):
    group = "280530+284690+850511"
    expected = sum(
        float(r["value_usd"])
        for r in rows(GROUPS)
        if (r["partner_iso3"], r["year"], r["hs_code"]) == ("USA", "2023", group)
    )
    [(value, months, has_both, note)] = published.execute(
        "SELECT exporter_reported_value_usd, exporter_months_reported, has_both, match_note "
        "FROM marts.mirror_discrepancy WHERE exporter = 'CHN' AND importer = 'USA' "
        "AND year = 2023 AND hs_code = ?",
        [group],
    ).fetchall()
    assert value == pytest.approx(expected) and months == 12
    assert has_both is False and note.startswith("group of summed codes")
    [(split,)] = published.execute(
        "SELECT count(*) FROM marts.mirror_discrepancy WHERE exporter = 'CHN' "
        "AND importer = 'USA' AND year = 2023 AND hs_code IN ('280530', '284690', '850511') "
        "AND exporter_reported_value IS NOT NULL"
    ).fetchall()
    assert split == 0


def test_exposure_chain_and_scenario_work_for_eu27(published):
    china, _ = comext_share(set(EU27_ISO3), "2023", "284690", extra_eu=True)
    [(apportioned, currency, usd)] = published.execute(
        "SELECT sum(value_apportioned), any_value(currency), any_value(value_usd_apportioned) "
        "FROM marts.buyer_exposure_chain WHERE buyer = 'EU27' AND year = 2023 "
        "AND hs_code = '284690'"
    ).fetchall()
    assert currency == "EUR" and usd is None and apportioned == pytest.approx(china)
    [(shortfall, share, currency)] = published.execute(
        "SELECT shortfall_value, shortfall_share_of_imports, currency "
        "FROM marts.scenario_shortfall('CN-JX', 0.5) "
        "WHERE buyer = 'EU27' AND year = 2023 AND hs_code = '284690'"
    ).fetchall()
    [(jx,)] = published.execute(
        "SELECT sum(holder_share) FROM marts.buyer_exposure_chain WHERE buyer = 'EU27' "
        "AND year = 2023 AND hs_code = '284690' AND province_id = 'CN-JX'"
    ).fetchall()
    _, total = comext_share(set(EU27_ISO3), "2023", "284690", extra_eu=True)
    assert currency == "EUR" and shortfall == pytest.approx(0.5 * china * jx)
    assert share == pytest.approx(0.5 * china * jx / total)


def test_gac_magnet_line_is_never_hs6_850511(published):
    [(mixed,)] = published.execute(
        "SELECT count(*) FROM core.china_customs_reported "
        "WHERE cn_code = '85051110' AND product <> 'rare_earth_permanent_magnets'"
    ).fetchall()
    [(magnets,)] = published.execute(
        "SELECT count(*) FROM core.china_customs_reported WHERE cn_code = '85051110'"
    ).fetchall()
    expected = sum(
        1
        for r in rows(TRADE / "china_customs_exports_reported.csv")
        if r["product"] == "rare_earth_permanent_magnets"
    )
    assert mixed == 0 and magnets == expected > 0
    [(hs6,)] = published.execute(
        "SELECT count(*) FROM core.china_customs_trade WHERE hs_code = '850511'"
    ).fetchall()
    assert hs6 == 0


def test_reported_figures_are_kept_as_cross_checks(published):
    [(n, eu_china)] = published.execute(
        "SELECT count(*), max(value) FILTER (WHERE buyer = 'EU27' AND partner_iso3 = 'CHN' "
        "AND metric = 'quantity' AND year = 2024) FROM core.buyer_side_imports_reported"
    ).fetchall()
    assert n == len(rows(TRADE / "buyer_side_imports_reported.csv")) and eu_china == 6000
    [(groups,)] = published.execute(
        "SELECT count(DISTINCT partner_group) FROM core.china_exports_by_partner_group"
    ).fetchall()
    assert groups == 3


def test_a_landed_comext_2024_file_loads_without_code_change(settings):
    header = COMEXT.read_text(encoding="utf-8").splitlines()[0]
    lines = [
        "DE,DEU,CN,CHN,import,28469030,Compounds of neodymium,284690,2024,1200,50,false,,,,,landed",
        "DE,DEU,MY,MYS,import,28469030,Compounds of neodymium,284690,2024,300,,false,,,,,landed",
        "FR,FRA,DE,DEU,import,28469030,Compounds of neodymium,284690,2024,500,,false,,,,,landed",
        "FR,FRA,CN,CHN,import,28469090,Other compounds,284690,2024,250,,false,,,,,landed",
        "FR,FRA,CN,CHN,import,28053010,Cerium metal,284690,2024,7,,false,,,,,landed",
    ]
    folder = settings.landing_dir / "trade" / "comext"
    folder.mkdir(parents=True)
    (folder / "comext_2024.csv").write_text(header + "\n" + "\n".join(lines) + "\n")
    run(settings, [comext], partition_key="2024")
    run(settings, [trade_flows_mart, trade_flows_yearly, buyer_supplier_shares])
    got = query(
        settings,
        "SELECT buyer, supplier, value, share_value, currency FROM marts.buyer_supplier_shares "
        "WHERE year = 2024 ORDER BY buyer, supplier",
    )
    assert got == [
        ("DEU", "CHN", 1200.0, 0.8, "EUR"),
        ("DEU", "MYS", 300.0, 0.2, "EUR"),
        ("EU27", "CHN", 1450.0, pytest.approx(1450 / 1750), "EUR"),
        ("EU27", "MYS", 300.0, pytest.approx(300 / 1750), "EUR"),
        ("FRA", "CHN", 250.0, pytest.approx(250 / 750), "EUR"),
        ("FRA", "DEU", 500.0, pytest.approx(500 / 750), "EUR"),
    ]
    [(field, reason)] = query(
        settings,
        "SELECT field, reason FROM quarantine.rejected_rows WHERE dataset = 'trade.comext'",
    )
    assert (field, reason) == ("hs6_code", "not the first six digits of cn8_code")


def test_a_landed_comtrade_plus_extract_keeps_its_heading_and_mirrors(settings):
    folder = settings.landing_dir / "trade" / "comtrade"
    folder.mkdir(parents=True)
    shutil.copy(COMTRADE_PLUS, folder / COMTRADE_PLUS.name)
    extract = [r for r in rows(COMTRADE_PLUS) if r["refYear"] == "2022"]

    def value(reporter: str, flow: str, partner: str, code: str) -> float:
        [v] = [
            float(r["primaryValue"])
            for r in extract
            if (r["reporterCode"], r["flowCode"], r["partnerCode"], r["cmdCode"])
            == (reporter, flow, partner, code)
        ]
        return v

    run(settings, [comtrade_annual], partition_key="2022")
    run(settings, [trade_flows_mart, trade_flows_yearly, mirror_discrepancy])
    kinds = dict(
        query(
            settings,
            "SELECT DISTINCT hs_code, code_kind FROM core.trade_flows WHERE year = 2022",
        )
    )
    assert kinds == {"2846": "heading", "280530": "hs6"}
    got = {
        (x, m, code): (exp, imp, both)
        for x, m, code, exp, imp, both in query(
            settings,
            "SELECT exporter, importer, hs_code, exporter_reported_value_usd, "
            "importer_reported_value_usd, has_both FROM marts.mirror_discrepancy "
            "WHERE year = 2022",
        )
    }
    # US-reported exports of 2846 to China vs China-reported imports from the US
    assert got[("USA", "CHN", "2846")] == (value("842", "X", "156", "2846"),
                                           value("156", "M", "842", "2846"), True)  # fmt: skip
    assert got[("CHN", "USA", "2846")] == (value("156", "X", "842", "2846"),
                                           value("842", "M", "156", "2846"), True)  # fmt: skip
    assert got[("CHN", "USA", "280530")] == (value("156", "X", "842", "280530"),
                                             value("842", "M", "156", "280530"), True)  # fmt: skip
    assert value("842", "X", "156", "2846") == 516_891_786.0
    assert value("156", "M", "842", "2846") == 23_039_529.0
    [(heading_in_children,)] = query(
        settings,
        "SELECT count(*) FROM marts.mirror_discrepancy WHERE year = 2022 "
        "AND hs_code IN ('284610', '284690')",
    )
    assert heading_in_children == 0


@pytest.mark.parametrize(
    ("buyer", "members", "extra_eu"),
    [("DEU", {"DEU"}, False), ("EU27", set(EU27_ISO3), True)],
)
def test_controlled_trade_fills_for_eu_buyers_in_eur(published, buyer, members, extra_eu):
    china, _ = comext_share(members, "2023", "280530", extra_eu)
    got = published.execute(
        "SELECT DISTINCT imports_from_china, imports_from_china_usd, currency, is_upper_bound "
        "FROM marts.controlled_trade WHERE buyer = ? AND year = 2023 AND hs6 = '280530'",
        [buyer],
    ).fetchall()
    assert got == [(pytest.approx(china), None, "EUR", True)]


def test_the_landing_sensor_requests_the_comext_year_a_file_holds(tmp_path):
    import os

    from etl.trade.sensors import plan_runs

    folder = tmp_path / "trade" / "comext"
    folder.mkdir(parents=True)
    header = COMEXT.read_text(encoding="utf-8").splitlines()[0]
    path = folder / "comext_2024.csv"
    path.write_text(
        header + "\nDE,DEU,CN,CHN,import,28469030,x,284690,2024,1200,,false,,,,,\n",
        encoding="utf-8",
    )
    os.utime(path, (path.stat().st_mtime - 60, path.stat().st_mtime - 60))
    requests, _, _ = plan_runs(tmp_path, {})
    assert [(r.partition_key, r.asset_selection) for r in requests] == [("2024", [comext.key])]
