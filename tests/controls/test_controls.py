"""China's export controls and the imports in headings that contain a controlled line, checked
against figures computed here from the bundled files."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb

from etl.controls import models
from etl.core.contracts import read_contract
from etl.settings import BUNDLED_DATA

EVENTS = BUNDLED_DATA / "controls/china_export_control_events.csv"
ITEMS = BUNDLED_DATA / "controls/china_export_control_items.csv"
US_IMPORTS = BUNDLED_DATA / "trade/trade_us_imports_by_partner_hs280530_284610_284690_2018_2025.csv"


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_event_lands_with_its_suspension(published: duckdb.DuckDBPyConnection) -> None:
    events = read_rows(EVENTS)
    got = {
        e: (u, s)
        for e, u, s in published.execute(
            "SELECT event_id, suspended_until, status FROM core.export_controls"
        ).fetchall()
    }
    assert set(got) == {e["event_id"] for e in events}
    for e in events:
        match = re.match(r"suspended until (\d{4}-\d{2}-\d{2})", e["status"])
        expected = date.fromisoformat(match.group(1)) if match else None
        assert got[e["event_id"]][0] == expected, e["event_id"]
    suspended = {e for e, (until, _) in got.items() if until == date(2026, 11, 10)}
    assert suspended == {f"CN-MOFCOM-2025-{n}" for n in (55, 56, 57, 58, 61, 62)}
    assert got["CN-MOFCOM-2025-18"][0] is None  # No. 18 is in force


def test_elements_under_no_18_are_those_the_announcement_lists(
    published: duckdb.DuckDBPyConnection,
) -> None:
    no18 = next(e for e in read_rows(EVENTS) if e["event_id"] == "CN-MOFCOM-2025-18")
    listed = set(no18["items_elements"].split(" (")[0].split(", "))
    assert listed == {"Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"}
    landed = {
        s
        for (s,) in published.execute(
            "SELECT DISTINCT element_symbol FROM core.export_control_items "
            "WHERE event_id = 'CN-MOFCOM-2025-18'"
        ).fetchall()
    }
    assert landed == listed
    codes = set(re.findall(r"\b\d{10}\b", no18["reference_hs_codes"]))
    items = published.execute(
        "SELECT customs_code, hs6 FROM core.export_control_items WHERE customs_code IS NOT NULL"
    ).fetchall()
    assert {c for c, _ in items} == codes
    assert all(hs6 == code[:6] for code, hs6 in items)


def test_controlled_trade_is_an_upper_bound_from_the_importer_file(
    published: duckdb.DuckDBPyConnection,
) -> None:
    expected: dict[int, float] = defaultdict(float)
    for row in read_rows(US_IMPORTS):
        if row["partner_iso3"] == "CHN" and row["hs_code"] == "280530":
            expected[int(row["year"])] += float(row["value_usd"])
    rows = published.execute(
        "SELECT year, imports_from_china_usd, control_event_id, control_coverage, is_upper_bound "
        "FROM marts.controlled_trade WHERE buyer = 'USA' AND hs6 = '280530' ORDER BY year"
    ).fetchall()
    assert {y: v for y, v, *_ in rows} == expected
    assert expected[2018] == 6_081_534
    assert all(bound is True for *_, bound in rows)
    by_year = {y: (c, cov) for y, _, c, cov, _ in rows}
    for year in expected:
        if year < 2025:
            assert by_year[year] == (None, "none")
    if 2025 in by_year:  # No. 18 took effect on 2025-04-04
        assert by_year[2025] == ("CN-MOFCOM-2025-18", "part of year")


def test_an_item_with_a_wrong_heading_or_element_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    text = ITEMS.read_text(encoding="utf-8")
    path.write_text(
        text + "CN-MOFCOM-2025-18,Sm,metals,2805301910,28053\nCN-MOFCOM-2025-18,sm,metals,,\n",
        encoding="utf-8",
    )
    result = read_contract(path, models.CONTROL_ITEMS)
    bad = {(r["source_row"], r["field"]) for r in result.rejected.to_dicts()}
    lines = len(text.splitlines())
    assert bad == {(lines + 1, "hs6"), (lines + 2, "element_symbol")}
