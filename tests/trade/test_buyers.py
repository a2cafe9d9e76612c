"""Supply agreements contract and loader; buyer entities."""

from __future__ import annotations

import csv

from etl.settings import BUNDLED_DATA
from etl.trade.assets import bundled_flows, buyers, supply_agreements, trade_flows_mart
from etl.trade.models import SUPPLY_AGREEMENT_CONTRACT
from tests.trade.conftest import query, run

HEADER = ",".join(SUPPLY_AGREEMENT_CONTRACT.columns)


def test_agreements_load_with_bad_rows_quarantined_and_buyers_listed(settings):
    folder = settings.landing_dir / "trade" / "agreements"
    folder.mkdir(parents=True)
    path = folder / "agreements.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                # line 2: good (illustrative content, registered illustrative source)
                "demo-1,magnet-maker-x,Magnet maker X,company,lynas,Lynas Rare Earths,284690,"
                "1200,2024-01-01,2028-12-31,illustrative-jiangxi-reallocation,test row",
                # line 3: negative volume
                "demo-2,magnet-maker-x,Magnet maker X,company,lynas,Lynas,284690,-5,"
                "2024-01-01,,illustrative-jiangxi-reallocation,",
                # line 4: unregistered source
                "demo-3,JPN,Japan,country,lynas,Lynas,284690,10,2024-01-01,,no-such-source,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    run(settings, [supply_agreements, bundled_flows])
    assert query(
        settings,
        "SELECT agreement_id, buyer_id, volume_tonnes_per_year FROM core.supply_agreements",
    ) == [("demo-1", "magnet-maker-x", 1200.0)]
    rejected = query(
        settings,
        "SELECT source_row, field, reason FROM quarantine.rejected_rows "
        "WHERE dataset = 'trade.supply_agreements' ORDER BY source_row",
    )
    assert rejected == [
        (3, "volume_tonnes_per_year", "below minimum 0"),
        (4, "source_id", "not in sources.csv"),
    ]
    run(settings, [trade_flows_mart, buyers])
    # reporters of the bundled import files (US and Japan), with the first year each appears;
    # China's exports by destination are exporter-reported and make no buyer
    first: dict[str, int] = {}
    for name, importer in (
        ("trade_us_imports_by_partner_hs280530_284610_284690_2018_2025.csv", "reporter_iso3"),
        ("trade_japan_imports_hs2846_by_partner_2022_2024_comtrade_preview.csv", "reporter_iso3"),
    ):
        with (BUNDLED_DATA / "trade" / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                year = int(row["year"])
                first[row[importer]] = min(first.get(row[importer], year), year)
    got = query(settings, "SELECT buyer_id, buyer_kind, first_year FROM core.buyers ORDER BY ALL")
    assert got == [
        *sorted((iso3, "country", year) for iso3, year in first.items()),
        ("magnet-maker-x", "company", 2024),
    ]
    assert ("USA", "United States of America") in query(
        settings, "SELECT buyer_id, name FROM core.buyers"
    )
