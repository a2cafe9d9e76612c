"""Trade marts on the bundled data (the session pipeline) and on small landed files."""

from __future__ import annotations

import duckdb
import pytest

from etl.trade.assets import (
    comtrade_annual,
    mirror_discrepancy,
    trade_flows_mart,
    trade_flows_yearly,
)
from tests.trade.conftest import comtrade_row, query, run, write_comtrade

# 2023 smelting/separation holder figures of the complete batches 1 and 3 (bundled quotas).
HOLDERS_2023 = {
    "china-northern-rare-earth": 73_403 + 11_000,
    "china-rare-earth-group": 33_304 + 2_850,
    "guangdong-rare-earth": 6_037,
    "xiamen-tungsten": 2_256,
}
US_CHINA_2023_USD = 21_816_502.0


def test_us_2023_imports_of_280530_are_98_7_percent_from_china(published):
    [(share, hhi, suppliers, source)] = published.execute(
        "SELECT china_share_value, hhi_value, supplier_count, source_id "
        "FROM marts.buyer_supplier_shares "
        "WHERE buyer = 'USA' AND year = 2023 AND hs_code = '280530' AND supplier = 'CHN'"
    ).fetchall()
    assert round(share * 100, 1) == 98.7
    assert suppliers == 12
    assert 9_700 < hhi < 10_000
    assert source == "comtrade-us-re-akashok1"


def test_exposure_chain_apportions_china_by_2023_smelting_quota(published):
    rows = published.execute(
        "SELECT holder_id, province_id, quota_year, quota_batches, holder_share, "
        "value_usd_apportioned FROM marts.buyer_exposure_chain "
        "WHERE buyer = 'USA' AND year = 2023 AND hs_code = '280530' ORDER BY holder_id"
    ).fetchall()
    total = sum(HOLDERS_2023.values())
    provinces = {
        "china-northern-rare-earth": "CN-NM",
        "china-rare-earth-group": "CN-JX",
        "guangdong-rare-earth": "CN-GD",
        "xiamen-tungsten": "CN-FJ",
    }
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (h, provinces[h], 2023) for h in sorted(HOLDERS_2023)
    ]
    for holder, _, _, _, share, value in rows:
        assert share == pytest.approx(HOLDERS_2023[holder] / total)
        assert value == pytest.approx(US_CHINA_2023_USD * HOLDERS_2023[holder] / total)
    assert sum(r[5] for r in rows) == pytest.approx(US_CHINA_2023_USD)


@pytest.mark.parametrize(
    ("target", "holders"),
    [
        ("CN-JX", ["china-rare-earth-group"]),
        ("china-northern-rare-earth", ["china-northern-rare-earth"]),
    ],
)
def test_scenario_shortfall_cuts_a_province_or_a_holder(published, target, holders):
    [(shortfall, share_of_imports, capacity_share)] = published.execute(
        "SELECT shortfall_value_usd, shortfall_share_of_imports, capacity_share_cut "
        "FROM marts.scenario_shortfall(?, 0.4) "
        "WHERE buyer = 'USA' AND year = 2023 AND hs_code = '280530'",
        [target],
    ).fetchall()
    share = sum(HOLDERS_2023[h] for h in holders) / sum(HOLDERS_2023.values())
    assert capacity_share == pytest.approx(share)
    assert shortfall == pytest.approx(0.4 * US_CHINA_2023_USD * share)
    assert share_of_imports == pytest.approx(shortfall / 22_096_375.0)


def test_scenario_shortfall_refuses_a_cut_outside_zero_to_one(published):
    with pytest.raises(duckdb.Error, match="cut_fraction must be a number between 0 and 1"):
        published.execute("SELECT * FROM marts.scenario_shortfall('CN-JX', 1.5)").fetchall()


def test_scenario_assumptions_are_published(published):
    [(n,)] = published.execute(
        "SELECT count(*) FROM marts.scenario_shortfall_assumptions"
    ).fetchall()
    assert n >= 5


def test_mirror_discrepancy_compares_both_sides(settings):
    write_comtrade(
        settings.landing_dir / "trade" / "comtrade",
        "mirror.csv",
        [
            comtrade_row(reporterCode=842, flowCode="M", partnerCode=156, primaryValue=110),
            comtrade_row(reporterCode=156, flowCode="X", partnerCode=842, primaryValue=100),
            comtrade_row(reporterCode=392, flowCode="M", partnerCode=156, primaryValue=40),
        ],
    )
    run(settings, [comtrade_annual], partition_key="2023")
    run(settings, [trade_flows_mart, trade_flows_yearly, mirror_discrepancy])
    rows = query(
        settings,
        "SELECT exporter, importer, exporter_reported_value_usd, importer_reported_value_usd, "
        "value_gap_usd, value_gap_pct, has_both FROM marts.mirror_discrepancy ORDER BY importer",
    )
    assert rows == [
        ("CHN", "JPN", None, 40.0, None, None, False),
        ("CHN", "USA", 100.0, 110.0, 10.0, 10.0, True),
    ]


def test_pipeline_runs_every_trade_check(pipeline):
    _, summary = pipeline
    trade_checks = [c for c in summary.checks_passed if "trade" in c or "buyer" in c]
    assert len(trade_checks) >= 4
    assert not [c for c in summary.checks_failed if "trade" in c or "buyer" in c]
