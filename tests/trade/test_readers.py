"""Comtrade and BACI readers through the partition assets: filtering, units, quarantine."""

from __future__ import annotations

import pytest

from etl.trade.assets import (
    baci,
    bundled_flows,
    buyer_supplier_shares,
    comtrade_annual,
    comtrade_monthly,
    trade_flows_mart,
    trade_flows_yearly,
)
from tests.trade.conftest import comtrade_row, query, run, write_baci, write_comtrade

UNKNOWN_PARTNER = "unknown partner code (not in country_codes/countries, no ISO3 in the file)"
MART_CHAIN = [trade_flows_mart, trade_flows_yearly, buyer_supplier_shares]


def test_baci_keeps_rare_earth_codes_converts_units_and_quarantines_bad_rows(settings):
    folder = settings.landing_dir / "trade" / "baci"
    path = write_baci(
        folder,
        "BACI_HS22_Y2023_V202501.csv",
        [
            "2023,156,842,280530,12.5,3.25",  # line 2: good
            "2023,156,842,010121,99,1",  # line 3: not a rare-earth code: dropped
            "2023,156,392,284690,abc,1",  # line 4: bad value
            "2023,999,392,850511,5,1",  # line 5: unknown exporter code
            "2023,156,276,850511,7,          NA",  # line 6: good, quantity missing
            "2023,156,392,010121,xyz,1",  # line 7: bad but not rare earth: never collected
            "2023,458,842,253090,1.5,0.5",  # line 8: good
        ],
    )
    run(settings, [baci], partition_key="2023")
    flows = query(
        settings,
        "SELECT source_row, exporter_iso3, importer_iso3, hs_code, classification, value_usd, "
        "tonnes, reporter_side, source_id FROM core.trade_flows ORDER BY source_row",
    )
    assert flows == [
        (2, "CHN", "USA", "280530", "HS2022", 12_500.0, 3.25, "reconciled", "cepii-baci"),
        (6, "CHN", "DEU", "850511", "HS2022", 7_000.0, None, "reconciled", "cepii-baci"),
        (8, "MYS", "USA", "253090", "HS2022", 1_500.0, 0.5, "reconciled", "cepii-baci"),
    ]
    rejected = query(
        settings,
        "SELECT dataset, partition_key, source_file, source_row, field, value, reason "
        "FROM quarantine.rejected_rows ORDER BY source_row",
    )
    assert rejected == [
        ("trade.baci", "2023", str(path), 4, "v", "abc", "not a number"),
        ("trade.baci", "2023", str(path), 5, "i", "999",
         "unknown BACI country code (not in companion file)"),
    ]  # fmt: skip


def test_comtrade_world_rows_stay_out_of_bilateral_sums(settings):
    write_comtrade(
        settings.landing_dir / "trade" / "comtrade",
        "us_2023.csv",
        [
            comtrade_row(partnerCode=156, primaryValue=300),
            comtrade_row(partnerCode=392, primaryValue=100),
            comtrade_row(partnerCode=0, partnerISO="W00", primaryValue=400),  # World
        ],
    )
    run(settings, [comtrade_annual], partition_key="2023")
    run(settings, MART_CHAIN)
    [(aggregate_rows,)] = query(
        settings, "SELECT count(*) FROM core.trade_flows WHERE is_aggregate_partner"
    )
    assert aggregate_rows == 1  # kept apart in core
    shares = query(
        settings,
        "SELECT supplier, share_value, buyer_value_usd FROM marts.buyer_supplier_shares "
        "WHERE buyer = 'USA' ORDER BY supplier",
    )
    assert shares == [("CHN", 0.75, 400.0), ("JPN", 0.25, 400.0)]
    assert query(settings, "SELECT count(*) FROM marts.trade_flows WHERE exporter = 'WLD'") == [
        (0,)
    ]


def test_re_exports_and_re_imports_are_never_origins(settings):
    write_comtrade(
        settings.landing_dir / "trade" / "comtrade",
        "flows.csv",
        [
            comtrade_row(partnerCode=156, primaryValue=100),  # USA imports from China
            comtrade_row(flowCode="RM", partnerCode=392, primaryValue=50),  # re-import
            comtrade_row(reporterCode=344, flowCode="RX", partnerCode=842, primaryValue=70),
            comtrade_row(reporterCode=156, flowCode="X", partnerCode=842, primaryValue=90),
        ],
    )
    run(settings, [comtrade_annual], partition_key="2023")
    run(settings, [*MART_CHAIN])
    flows = query(
        settings,
        "SELECT exporter, importer, flow, counts_as_origin FROM marts.trade_flows ORDER BY ALL",
    )
    assert flows == [
        ("CHN", "USA", "export", True),
        ("CHN", "USA", "import", True),
        ("HKG", "USA", "re_export", False),
        ("JPN", "USA", "re_import", False),
    ]
    assert query(settings, "SELECT DISTINCT supplier FROM marts.buyer_supplier_shares") == [
        ("CHN",)
    ]
    assert query(
        settings, "SELECT count(*) FROM core.trade_flows_yearly WHERE exporter IN ('HKG', 'JPN')"
    ) == [(0,)]


def test_comtrade_units_classification_and_bad_rows(settings):
    path = write_comtrade(
        settings.landing_dir / "trade" / "comtrade",
        "mixed.csv",
        [
            comtrade_row(netWgt=2500, primaryValue=1000),  # line 2
            comtrade_row(partnerCode=392, primaryValue="n/a?"),  # line 3: bad number
            comtrade_row(partnerCode=123456),  # line 4: unknown partner, no ISO3
            comtrade_row(partnerCode=170, partnerISO="COL"),  # line 5: ISO3 from the file
            comtrade_row(partnerCode=276, cmdCode="720299", primaryValue="oops"),  # other HS
            comtrade_row(partnerCode=276, classificationCode="H5", netWgt="", qty=4000),  # 7
            comtrade_row(netWgt=2500, primaryValue=1000),  # line 8: duplicate of line 2
        ],
    )
    run(settings, [comtrade_annual], partition_key="2023")
    rows = query(
        settings,
        "SELECT source_row, exporter_iso3, classification, tonnes, value_usd FROM core.trade_flows "
        "ORDER BY source_row",
    )
    assert rows == [
        (2, "CHN", "HS2022", 2.5, 1000.0),
        (5, "COL", "HS2022", 1.0, 100.0),
        (7, "DEU", "HS2017", 4.0, 100.0),
    ]
    rejected = query(
        settings,
        "SELECT source_row, field, reason FROM quarantine.rejected_rows ORDER BY source_row",
    )
    assert rejected == [
        (3, "primaryValue", "not a number"),
        (4, "partnerCode", UNKNOWN_PARTNER),
        (8, "cmdCode", f"duplicate key of {path} row 2"),
    ]


def test_monthly_partition_reads_only_its_month(settings):
    write_comtrade(
        settings.landing_dir / "trade" / "comtrade",
        "monthly.csv",
        [
            comtrade_row(freqCode="M", refMonth=3, period=202303, primaryValue=10),
            comtrade_row(freqCode="M", refMonth=4, period=202304, primaryValue=20),
        ],
    )
    run(settings, [comtrade_monthly], partition_key="2023-03")
    assert query(settings, "SELECT period, month, value_usd FROM core.trade_flows") == [
        ("2023-03", 3, 10.0)
    ]


def test_configured_hs_codes_replace_the_default_list(settings):
    write_comtrade(
        settings.landing_dir / "trade" / "comtrade",
        "codes.csv",
        [comtrade_row(cmdCode="280530"), comtrade_row(cmdCode="081110")],
    )
    config = {"ops": {"trade__comtrade_annual": {"config": {"hs_codes": ["081110"]}}}}
    run(settings, [comtrade_annual], partition_key="2023", run_config=config)
    assert query(settings, "SELECT hs_code FROM core.trade_flows") == [("081110",)]


@pytest.mark.parametrize("column", ["partner_iso3", "source_id"])
def test_bundled_us_file_loads_as_importer_reported_flows(settings, column):
    run(settings, [bundled_flows])
    [(sides, count, value)] = query(
        settings,
        "SELECT string_agg(DISTINCT reporter_side), count(*), sum(value_usd) FROM core.trade_flows "
        "WHERE year = 2023 AND importer_iso3 = 'USA' AND hs_code = '280530'",
    )
    assert (sides, count) == ("importer", 12)
    assert value == pytest.approx(22_096_375.0)
    assert query(settings, f"SELECT count(*) FROM core.trade_flows WHERE {column} IS NULL") == [
        (0,)
    ]


def test_yearly_prefers_annual_reports_and_sums_months_otherwise(settings):
    write_comtrade(
        settings.landing_dir / "trade" / "comtrade",
        "both.csv",
        [
            comtrade_row(partnerCode=156, primaryValue=1000),  # USA annual
            comtrade_row(freqCode="M", refMonth=1, period=202301, primaryValue=80),  # USA monthly
            comtrade_row(reporterCode=392, freqCode="M", refMonth=1, period=202301, primaryValue=5),
            comtrade_row(reporterCode=392, freqCode="M", refMonth=2, period=202302, primaryValue=7),
        ],
    )
    run(settings, [comtrade_annual], partition_key="2023")
    for month in ("2023-01", "2023-02"):
        run(settings, [comtrade_monthly], partition_key=month)
    run(settings, MART_CHAIN)
    rows = query(
        settings,
        "SELECT importer, freq, months_reported, value_usd FROM core.trade_flows_yearly "
        "ORDER BY importer",
    )
    assert rows == [("JPN", "M", 2, 12.0), ("USA", "A", 12, 1000.0)]


def test_a_stray_csv_in_the_comtrade_folder_is_skipped_not_fatal(settings):
    folder = settings.landing_dir / "trade" / "comtrade"
    write_comtrade(folder, "good.csv", [comtrade_row()])
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = run(settings, [comtrade_annual], partition_key="2023")
    [materialization] = result.asset_materializations_for_node("trade__comtrade_annual")
    skipped = materialization.metadata["skipped_files"].value
    assert isinstance(skipped, list)
    assert len(skipped) == 1 and "notes.csv" in skipped[0] and "freqCode" in skipped[0]
    assert query(settings, "SELECT count(*) FROM core.trade_flows") == [(1,)]
